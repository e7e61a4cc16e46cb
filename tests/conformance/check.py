#!/usr/bin/env python3
"""Gate on the AWS-recorded conformance cases (standard library only).

Runs compare.py (the reference runner vendored beside this file) against `estado run`, then:
- every case that fails must be listed in skip.txt with a reason;
- every case listed in skip.txt must still fail (a stale entry is an error: remove it);
- at least 97% of the cases that call no Lambda function must pass.
Prints `N passed, M failed, K skipped` last. Exit status 0 only when all of the above hold.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


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
    # The recorded cases ran with the role ARN "snf_role_arn"; they read it back through $$.
    cmd = f"{args.estado} run {{def}} --input @{{input}} --type {{type}} --time-scale 0 --role-arn snf_role_arn"
    subprocess.run(
        [sys.executable, os.path.join(HERE, "compare.py"), os.path.join(HERE, "executions"),
         "--cmd", cmd, "--no-lambda", "-j", str(args.jobs), "--timeout", "30",
         "--show-failures", "0", "--json-report", report],
        check=False, stdout=subprocess.DEVNULL,
    )
    with open(report, encoding="utf-8") as f:
        results = json.load(f)
    os.unlink(report)
    results = results if isinstance(results, list) else results.get("results", [])
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
    total = len(results)
    rate = len(passed) / total if total else 0.0
    if rate < args.min_rate:
        problems.append(f"pass rate {rate:.2%} is under {args.min_rate:.0%}")
    for p in problems:
        print(p)
    print(f"conformance: {len(passed)} of {total} AWS-recorded executions without Lambda pass ({rate:.2%}); "
          f"{len(failed)} fail, all {'listed' if not problems else 'NOT all listed'} in skip.txt")
    skipped = len([r for r in failed if r["id"] in skips])
    print(f"{len(passed)} passed, {len(failed) - skipped} failed, {skipped} skipped")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
