#!/usr/bin/env python3
"""Gate on the AWS-recorded conformance cases (standard library only).

Runs compare.py (the reference runner vendored beside this file) against `estado run`, then:
- every case that fails must be listed in skip.txt with a reason;
- every case listed in skip.txt must still fail (a stale entry is an error: remove it);
- at least 97% of the cases that call no Lambda function must pass, and of all cases.
Cases that call Lambda functions run them locally: an estado.toml declares every function of
every case with its handler from lambdas/ (deployed as handler.py, as the recorded tests did).
Prints `N passed, M failed, K skipped` last. Exit status 0 only when all of the above hold.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


# Case ids of EXPRESS executions that were recorded after StartExecution (not StartSync...).
ASYNC_EXPRESS = "__TestExpressAsync__"


def stage_functions(cases_dir, stage):
    """Write stage/estado.toml declaring every function the cases call; returns how many."""
    lines = []
    names = set()
    for path in sorted(glob.glob(os.path.join(cases_dir, "*.json"))):
        with open(path, encoding="utf-8") as f:
            case = json.load(f)
        for name, fn in (case.get("lambdas") or {}).items():
            if name in names:
                continue
            names.add(name)
            source = os.path.join(HERE, "lambdas", os.path.basename(fn["handler_file"]))
            folder = os.path.join(stage, name)
            os.makedirs(folder)
            shutil.copyfile(source, os.path.join(folder, "handler.py"))
            # The recorded functions had time to finish; the cases' own TimeoutSeconds decide.
            lines += [f"[functions.{name}]", f'handler = "{name}/handler.py:handler"',
                      "timeout = 90", ""]
    with open(os.path.join(stage, "estado.toml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    return len(names)


def load_skips(path):
    skips = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            case, sep, reason = line.partition("#")
            case, reason = case.strip(), reason.strip()
            if not sep or not reason:
                sys.exit(f"skip.txt:{n}: every entry needs '# reason'")
            skips[case] = reason
    return skips


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--estado", required=True, help="path to the estado binary")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--min-rate", type=float, default=0.97)
    args = ap.parse_args()
    skips = load_skips(os.path.join(HERE, "skip.txt"))
    report = tempfile.NamedTemporaryFile(suffix=".json", delete=False).name
    cases_dir = os.path.join(HERE, "executions")
    stage = tempfile.mkdtemp(prefix="estado-conformance-")
    stage_functions(cases_dir, stage)
    config = os.path.join(stage, "estado.toml")
    # The recorded cases ran with the role ARN "snf_role_arn"; they read it back through $$.
    cmd = (f"{args.estado} run {{def}} --input @{{input}} --type {{type}} --time-scale 0 "
           f"--role-arn snf_role_arn --config {config}")
    # The EXPRESS cases of LocalStack's TestExpressAsync were started with StartExecution, the
    # others with StartSyncExecution (or are STANDARD); AWS's context object differs between
    # the two ($$.Execution.RedriveCount), so those run with `estado run --async`.
    runs = [(f"^(?!.*{ASYNC_EXPRESS})", cmd), (ASYNC_EXPRESS, cmd + " --async")]
    results = []
    try:
        for case_filter, run_cmd in runs:
            subprocess.run(
                [sys.executable, os.path.join(HERE, "compare.py"), cases_dir,
                 "--cmd", run_cmd, "--filter", case_filter, "-j", str(args.jobs),
                 "--timeout", "30", "--show-failures", "0", "--json-report", report],
                check=False, stdout=subprocess.DEVNULL,
            )
            with open(report, encoding="utf-8") as f:
                found = json.load(f)
            results += found if isinstance(found, list) else found.get("results", [])
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if os.path.exists(report):
            os.unlink(report)
    with_lambda = set()
    for path in glob.glob(os.path.join(cases_dir, "*.json")):
        with open(path, encoding="utf-8") as f:
            case = json.load(f)
        if case.get("lambdas"):
            with_lambda.add(case["id"])
    passed = [r for r in results if r.get("passed")]
    failed = [r for r in results if not r.get("passed")]
    problems = []
    for r in failed:
        if r["id"] not in skips:
            problems.append(f"FAIL (not in skip.txt) {r['id']}: {r.get('reason', '')[:300]}")
    ids = {r["id"] for r in results}
    for case in skips:
        if case in {r["id"] for r in passed}:
            problems.append(f"STALE skip entry (the case passes now): {case}")
        elif case not in ids:
            problems.append(f"UNKNOWN skip entry: {case}")
    groups = []
    for label, members, gated in (
            ("without Lambda", lambda r: r["id"] not in with_lambda, True),
            ("calling Lambda functions", lambda r: r["id"] in with_lambda, False),
            ("in all", lambda r: True, True)):
        group = [r for r in results if members(r)]
        ok = [r for r in group if r.get("passed")]
        rate = len(ok) / len(group) if group else 0.0
        if gated and rate < args.min_rate:
            problems.append(f"pass rate {rate:.2%} of the cases {label} is under {args.min_rate:.0%}")
        groups.append(f"{len(ok)} of {len(group)} {label} ({rate:.2%})")
    for p in problems:
        print(p)
    print(f"conformance: AWS-recorded executions passing: {'; '.join(groups)}; "
          f"{len(failed)} fail, all {'listed' if not problems else 'NOT all listed'} in skip.txt")
    skipped = len([r for r in failed if r["id"] in skips])
    print(f"{len(passed)} passed, {len(failed) - skipped} failed, {skipped} skipped")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
