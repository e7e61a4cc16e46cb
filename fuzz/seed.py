#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets from the conformance cases.

    python3 fuzz/seed.py            # writes fuzz/corpus/<target>/ (gitignored)

Sources: tests/conformance/executions/*.json (definitions recorded on AWS, with their inputs)
and tests/conformance/definitions/*.json (valid and invalid definitions). Per target:

- definition:  every definition, as text (invalid ones exercise the validator);
- jsonpath:    every path: values of "key.$" members that start with '$', and of the *Path
               fields and Choice `Variable`s;
- intrinsics:  every `States.` call (values of "key.$" members, and nested argument text);
- jsonata:     the text inside every "{% ... %}" string;
- template:    every JSONPath payload template (Parameters, ResultSelector, ItemSelector,
               Arguments, Assign, Result) as JSON;
- json:        every case file as it is on disk, and every execution input and output as
               compact JSON.

Expression seeds are written as `TEXT \\0 DOCUMENT` (see fuzz/src/lib.rs): the expression, a
NUL, then the case's execution input as JSON, so that seeds evaluate against realistic data.
Files are named by content hash, so re-running is idempotent. Standard library only.
"""

import hashlib
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
CONFORMANCE = ROOT / "tests" / "conformance"
CORPUS = pathlib.Path(__file__).resolve().parent / "corpus"

# Fields whose string value is a path (reference or full).
PATH_FIELDS = {
    "InputPath", "OutputPath", "ResultPath", "ItemsPath", "Variable", "ErrorPath",
    "CausePath", "TimeoutSecondsPath", "HeartbeatSecondsPath", "SecondsPath",
    "TimestampPath", "MaxConcurrencyPath", "ToleratedFailureCountPath",
    "ToleratedFailurePercentagePath", "ItemsPointer",
}
# Fields holding a JSONPath payload template.
TEMPLATE_FIELDS = {"Parameters", "ResultSelector", "ItemSelector", "Arguments", "Assign", "Result"}


def walk(value, visit, key=None):
    """Calls visit(key, value) for every member/element of `value`, depth first."""
    visit(key, value)
    if isinstance(value, dict):
        for k, v in value.items():
            walk(v, visit, k)
    elif isinstance(value, list):
        for v in value:
            walk(v, visit, None)


def dynamic_member(key, value):
    return isinstance(key, str) and key.endswith(".$") and isinstance(value, str)


def has_dynamic_member(value):
    found = []
    walk(value, lambda k, v: found.append(True) if dynamic_member(k, v) else None)
    return bool(found)


def intrinsic_calls(text):
    """Every `States.Xxx(...)` call in `text`, nested ones included (balanced parentheses,
    skipping quoted strings with their backslash escapes)."""
    calls = []
    start = text.find("States.")
    while start != -1:
        open_at = text.find("(", start)
        depth, i, quoted = 0, open_at, False
        while open_at != -1 and i < len(text):
            c = text[i]
            if quoted:
                if c == "\\":
                    i += 1
                elif c == "'":
                    quoted = False
            elif c == "'":
                quoted = True
            elif c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    calls.append(text[start:i + 1])
                    break
            i += 1
        start = text.find("States.", start + 1)
    return calls


def jsonata_text(value):
    if isinstance(value, str) and value.startswith("{%") and value.endswith("%}") and len(value) >= 4:
        return value[2:-2].strip()
    return None


def seeds_of(definition, document, out):
    doc = json.dumps(document, separators=(",", ":")).encode()

    def expression(target, text):
        out[target].add(text.encode() + b"\0" + doc)
        out[target].add(text.encode())

    def visit(key, value):
        if isinstance(value, str):
            if dynamic_member(key, value) or key in PATH_FIELDS:
                if value.startswith("$"):
                    expression("jsonpath", value)
                for call in intrinsic_calls(value):
                    expression("intrinsics", call)
            text = jsonata_text(value)
            if text is not None:
                expression("jsonata", text)
        elif isinstance(value, dict):
            # Choice comparison operands ending in `Path` hold paths too.
            for k, v in value.items():
                if k.endswith("Path") and isinstance(v, str) and v.startswith("$"):
                    expression("jsonpath", v)
            if key in TEMPLATE_FIELDS or (key is not None and has_dynamic_member(value)):
                text = json.dumps(value, separators=(",", ":"))
                out["template"].add(text.encode() + b"\0" + doc)

    walk(definition, visit)


def main():
    out = {
        t: set() for t in ("definition", "jsonpath", "intrinsics", "jsonata", "template", "json")
    }
    for case in sorted((CONFORMANCE / "executions").glob("*.json")):
        out["json"].add(case.read_bytes())
        data = json.loads(case.read_text())
        for key in ("input", "output"):
            if key in data:
                out["json"].add(json.dumps(data[key], separators=(",", ":")).encode())
        definition = data.get("definition")
        if definition is None:
            continue
        out["definition"].add(json.dumps(definition, indent=1).encode())
        seeds_of(definition, data.get("input", {}), out)
    for case in sorted((CONFORMANCE / "definitions").glob("*.json")):
        out["json"].add(case.read_bytes())
        data = json.loads(case.read_text())
        if "definition" in data:
            out["definition"].add(json.dumps(data["definition"], indent=1).encode())
            seeds_of(data["definition"], {}, out)
        elif "definition_text" in data:
            out["definition"].add(data["definition_text"].encode())
    for target, seeds in out.items():
        folder = CORPUS / target
        folder.mkdir(parents=True, exist_ok=True)
        for seed in seeds:
            (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
        print(f"{target}: {len(seeds)} seeds in {folder.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
