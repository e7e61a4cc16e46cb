#!/usr/bin/env python3
"""Generate the AWS Step Functions wire API types of estado-api from the AWS service model.

Reads the Step Functions service model (every operation, its input and output shapes and every
shape they reach) and writes `crates/estado-api/src/shapes/generated.rs`:

- `Operation`, the model's operations in model order, with their wire names, idempotency and
  endpoint host prefix;
- `MODELED_ERRORS`, the model's exception shapes (for the test that `ErrorCode` covers them);
- one Rust struct per input, output and nested structure shape, fields in the model's member
  order, snake_case names renamed to the model's camelCase, `Option` for non-required members;
  enums stay `String` (checked by the request validator), timestamps are
  `estado_types::history::Timestamp`, history events `estado_types::history::HistoryEvent`;
- `Request`, one variant per operation holding its input, and the `Input` trait that ties each
  input struct to its operation and constraint schema;
- the constraint schema of every shape an input reaches (`schema::Shape` statics): lengths,
  ranges, enum values, patterns, required members and sensitivity, read by `decode.rs` and
  `validate.rs`.

Standard-library Python only. Re-runnable; the output is deterministic.

    python3 tools/gen_api.py [--model PATH] [--out PATH] [--check]

`--check` exits 1 when the file on disk differs from what would be generated (for CI).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = REPO / "aws-model" / "stepfunctions-service-2.json"
DEFAULT_OUT = REPO / "crates" / "estado-api" / "src" / "shapes" / "generated.rs"

# Shapes that estado-types already defines; the API reuses them instead of generating copies.
EXTERNAL_SHAPES = {"HistoryEvent": "HistoryEvent", "Timestamp": "Timestamp"}

# String shapes whose length limit AWS applies to the UTF-8 encoded size rather than to the
# character count: the model documents it on the members that carry execution data ("Length
# constraints apply to the payload size, and are expressed as bytes in UTF-8 encoding"), and AWS
# words the violation "Member must have size less than or equal to N bytes in UTF-8 encoding".
UTF8_SIZE_SHAPES = {"SensitiveData"}

# Model `pattern` traits and the hand-written matchers in `crates/estado-api/src/patterns.rs`
# that implement them (the crate has no regex engine; the model uses only these three).
PATTERNS = {
    "^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$": "CHARACTER_RESTRICTED_NAME",
    "[!-~]+": "PRINTABLE_ASCII",
    "\\p{ASCII}*": "ASCII",
}

# The order in which AWS lists an enum's values in "Member must satisfy enum value set: [...]",
# where it differs from the model's order (AWS prints a Java set). Recorded on AWS: ListExecutions
# with statusFilter 'succeeded' (LocalStack snapshot test_state_machine_status_filter, 2024-03-14).
ENUM_MESSAGE_ORDER = {
    "ExecutionStatus": ["SUCCEEDED", "TIMED_OUT", "PENDING_REDRIVE", "ABORTED", "FAILED", "RUNNING"],
}

RUST_KEYWORDS = {"type", "ref", "mod", "use", "match", "loop", "move", "self", "in", "fn", "struct",
                 "enum", "impl", "trait", "where", "as", "break", "continue", "else", "if", "for",
                 "while", "return", "static", "const", "crate", "super", "extern", "pub", "let",
                 "mut", "unsafe", "dyn", "async", "await", "box", "override", "yield", "try"}


def snake(name: str) -> str:
    field = re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()
    return f"r#{field}" if field in RUST_KEYWORDS else field


def doc_text(documentation: str | None) -> str:
    """Model documentation (HTML) as one line of plain text fit for a Rust doc comment."""
    if not documentation:
        return ""
    text = re.sub(r"<code>(.*?)</code>", r"`\1`", documentation, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    text = " ".join(text.split())
    text = re.sub(r" ([.,;:])", r"\1", text)
    # rustdoc reads brackets as intra-doc links and angle brackets as HTML tags.
    return text.replace("[", "\\[").replace("]", "\\]").replace("<", "\\<").replace(">", "\\>")


def doc_lines(text: str, indent: str, limit: int = 600) -> list[str]:
    if not text:
        return []
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0]
        text = cut + " …"
    return [f"{indent}/// {line}".rstrip() for line in textwrap.wrap(text, 96 - len(indent))]


def rust_str(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def static_name(shape: str) -> str:
    return "S_" + snake(shape).removeprefix("r#").upper()


class Generator:
    def __init__(self, model: dict):
        self.model = model
        self.shapes: dict = model["shapes"]
        self.operations: dict = model["operations"]
        self.prefix: str = model["metadata"]["targetPrefix"]
        self.structs: list[str] = []  # every structure to emit, first-use order
        self.schema: list[str] = []  # shapes reachable from inputs, dependencies first
        for op in self.operations.values():
            for part in ("input", "output"):
                if part not in op:
                    raise SystemExit(f"operation {op['name']} has no {part}: model changed?")
                self.collect(op[part]["shape"])
        for op in self.operations.values():
            self.collect_schema(op["input"]["shape"], [])
        for shape, order in ENUM_MESSAGE_ORDER.items():
            if sorted(order) != sorted(self.shapes[shape]["enum"]):
                raise SystemExit(f"ENUM_MESSAGE_ORDER[{shape!r}] is not a permutation of the model's values")

    # ---- discovery -----------------------------------------------------------------------

    def collect(self, name: str) -> None:
        if name in EXTERNAL_SHAPES:
            return
        shape = self.shapes[name]
        kind = shape["type"]
        if kind == "structure":
            if name in self.structs:
                return
            self.structs.append(name)
            for member in shape["members"].values():
                self.collect(member["shape"])
        elif kind == "list":
            self.collect(shape["member"]["shape"])
        elif kind == "map":
            if self.shapes[shape["key"]["shape"]]["type"] != "string":
                raise SystemExit(f"map {name} has a non-string key")
            self.collect(shape["value"]["shape"])

    def collect_schema(self, name: str, stack: list[str]) -> None:
        if name in self.schema:
            return
        if name in stack:
            raise SystemExit(f"recursive input shape {name}: the schema tables cannot express it")
        if name in EXTERNAL_SHAPES and name != "Timestamp":
            raise SystemExit(f"input reaches external shape {name}")
        shape = self.shapes[name]
        kind = shape["type"]
        if kind == "structure":
            for member in shape["members"].values():
                self.collect_schema(member["shape"], stack + [name])
        elif kind == "list":
            self.collect_schema(shape["member"]["shape"], stack + [name])
        elif kind in ("map", "timestamp", "blob", "document"):
            raise SystemExit(f"input reaches {kind} shape {name}: decode.rs does not implement it")
        elif kind == "string" and "pattern" in shape and shape["pattern"] not in PATTERNS:
            raise SystemExit(f"pattern {shape['pattern']!r} of {name} has no matcher in PATTERNS")
        self.schema.append(name)

    def rust_type(self, name: str) -> str:
        if name in EXTERNAL_SHAPES:
            return EXTERNAL_SHAPES[name]
        shape = self.shapes[name]
        kind = shape["type"]
        if kind == "string":
            return "String"
        if kind == "boolean":
            return "bool"
        if kind == "integer":
            return "i32"
        if kind == "long":
            return "i64"
        if kind in ("float", "double"):
            return "f64"
        if kind == "timestamp":
            return "Timestamp"
        if kind == "structure":
            return name
        if kind == "list":
            return f"Vec<{self.rust_type(shape['member']['shape'])}>"
        if kind == "map":
            return f"OrderedMap<{self.rust_type(shape['value']['shape'])}>"
        raise SystemExit(f"unsupported shape type {kind!r} for {name}")

    # ---- emitters ------------------------------------------------------------------------

    def emit_operation(self) -> list[str]:
        ops = list(self.operations.values())
        out = [
            "/// The operations of the Step Functions API (`AWSStepFunctions.<name>` in `X-Amz-Target`),",
            "/// in the model's order.",
            "#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]",
            "pub enum Operation {",
        ]
        for op in ops:
            out += doc_lines(doc_text(op.get("documentation")), "    ", 300)
            out.append(f"    {op['name']},")
        out += ["}", "", "impl Operation {"]
        out += [
            "    /// Every operation, in the model's order.",
            f"    pub const ALL: [Operation; {len(ops)}] = [",
        ]
        out += [f"        Operation::{op['name']}," for op in ops]
        out += ["    ];", ""]
        out += [
            f"    /// The `X-Amz-Target` prefix of every operation (`{self.prefix}`).",
            f"    pub const TARGET_PREFIX: &'static str = {rust_str(self.prefix)};",
            "",
            "    /// The operation's name as AWS spells it (`StartExecution`).",
            "    pub fn name(self) -> &'static str {",
            "        match self {",
        ]
        out += [f'            Operation::{op["name"]} => "{op["name"]}",' for op in ops]
        out += ["        }", "    }", ""]
        out += [
            "    /// The operation named `name`, exactly as AWS spells it (case-sensitive).",
            "    pub fn from_name(name: &str) -> Option<Operation> {",
            "        match name {",
        ]
        out += [f'            "{op["name"]}" => Some(Operation::{op["name"]}),' for op in ops]
        out += ["            _ => None,", "        }", "    }", ""]
        out += [
            "    /// Whether the model marks the operation idempotent (a retried call has the same effect).",
            "    pub fn is_idempotent(self) -> bool {",
            "        matches!(",
            "            self,",
        ]
        idem = [op["name"] for op in ops if op.get("idempotent")]
        out.append("            " + "\n                | ".join(f"Operation::{n}" for n in idem))
        out += ["        )", "    }", ""]
        out += [
            "    /// The host prefix clients prepend to the endpoint for this operation (`sync-` for",
            "    /// `StartSyncExecution` and `TestState`), if any.",
            "    pub fn host_prefix(self) -> Option<&'static str> {",
            "        match self {",
        ]
        for op in ops:
            prefix = op.get("endpoint", {}).get("hostPrefix")
            if prefix:
                out.append(f"            Operation::{op['name']} => Some({rust_str(prefix)}),")
        out += ["            _ => None,", "        }", "    }", ""]
        out += [
            "    /// The constraint schema of the operation's input.",
            "    pub(crate) fn input_schema(self) -> &'static Shape {",
            "        match self {",
        ]
        out += [f"            Operation::{op['name']} => &{static_name(op['input']['shape'])},"
                for op in ops]
        out += ["        }", "    }", "}"]
        return out

    def emit_errors(self) -> list[str]:
        errors = [n for n, s in self.shapes.items() if s.get("exception")]
        out = [
            "/// Every exception shape of the model (the service's own error codes), in the model's order.",
            f"pub const MODELED_ERRORS: [&str; {len(errors)}] = [",
        ]
        out += [f'    "{e}",' for e in errors]
        out.append("];")
        return out

    def emit_struct(self, name: str) -> list[str]:
        shape = self.shapes[name]
        required = set(shape.get("required", []))
        derives = ["Clone", "Debug"]
        if not required:
            derives.append("Default")
        derives += ["PartialEq", "Serialize", "Deserialize"]
        out = doc_lines(doc_text(shape.get("documentation")) or f"The model's `{name}`.", "")
        out.append(f"#[derive({', '.join(derives)})]")
        out.append(f"pub struct {name} {{")
        for member, spec in shape["members"].items():
            field = snake(member)
            ty = self.rust_type(spec["shape"])
            out += doc_lines(doc_text(spec.get("documentation")), "    ")
            if member in required:
                out.append(f'    #[serde(rename = "{member}")]')
                out.append(f"    pub {field}: {ty},")
            else:
                out.append(f'    #[serde(rename = "{member}", default, skip_serializing_if = "Option::is_none")]')
                out.append(f"    pub {field}: Option<{ty}>,")
        out.append("}")
        return out

    def emit_schema(self, name: str) -> list[str]:
        shape = self.shapes[name]
        kind = shape["type"]
        sensitive = "true" if shape.get("sensitive") else "false"
        if kind == "string":
            values = shape.get("enum", [])
            order = ENUM_MESSAGE_ORDER.get(name, values)
            pattern = shape.get("pattern")
            body = [
                "Kind::String(StringRules {",
                f"        min: {self.opt(shape.get('min'))},",
                f"        max: {self.opt(shape.get('max'))},",
                f"        utf8_size: {'true' if name in UTF8_SIZE_SHAPES else 'false'},",
                f"        values: &[{', '.join(rust_str(v) for v in values)}],",
                f"        values_in_message: &[{', '.join(rust_str(v) for v in order)}],",
                f"        pattern: {f'Some(&patterns::{PATTERNS[pattern]})' if pattern else 'None'},",
                "    })",
            ]
        elif kind == "boolean":
            body = ["Kind::Boolean"]
        elif kind in ("integer", "long"):
            variant = "Integer" if kind == "integer" else "Long"
            body = [f"Kind::{variant}(Range {{ min: {self.opt(shape.get('min'))}, max: {self.opt(shape.get('max'))} }})"]
        elif kind in ("float", "double"):
            body = [f"Kind::Float(FloatRange {{ min: {self.opt_f(shape.get('min'))}, max: {self.opt_f(shape.get('max'))} }})"]
        elif kind == "list":
            body = [
                "Kind::List {",
                f"        member: &{static_name(shape['member']['shape'])},",
                f"        min: {self.opt(shape.get('min'))},",
                f"        max: {self.opt(shape.get('max'))},",
                "    }",
            ]
        elif kind == "structure":
            required = set(shape.get("required", []))
            body = ["Kind::Structure(&["]
            for member, spec in shape["members"].items():
                req = "true" if member in required else "false"
                body.append(f'        Member {{ name: "{member}", shape: &{static_name(spec["shape"])}, required: {req} }},')
            body.append("    ])")
        else:
            raise SystemExit(f"no schema for {kind} shape {name}")
        out = [f"static {static_name(name)}: Shape = Shape {{",
               f'    name: "{name}",',
               f"    sensitive: {sensitive},",
               f"    kind: {body[0]}"]
        out += body[1:]
        out[-1] += ","
        out.append("};")
        return out

    @staticmethod
    def opt(value) -> str:
        return "None" if value is None else f"Some({int(value)})"

    @staticmethod
    def opt_f(value) -> str:
        return "None" if value is None else f"Some({float(value)!r})"

    def emit_request(self) -> list[str]:
        ops = list(self.operations.values())
        out = [
            "/// A decoded request: the operation and its input. Serialises as the input alone.",
            "#[derive(Clone, Debug, PartialEq, Serialize)]",
            "#[serde(untagged)]",
            "pub enum Request {",
        ]
        out += [f"    {op['name']}({op['input']['shape']})," for op in ops]
        out += ["}", "", "impl Request {",
                "    /// The operation this request is for.",
                "    pub fn operation(&self) -> Operation {",
                "        match self {"]
        out += [f"            Request::{op['name']}(_) => Operation::{op['name']}," for op in ops]
        out += ["        }", "    }", "",
                "    /// Builds the typed input of `op` from a body that `decode` has already type-checked.",
                "    pub(crate) fn from_checked(op: Operation, body: serde_json::Value) -> Result<Request, serde_json::Error> {",
                "        Ok(match op {"]
        out += [f"            Operation::{op['name']} => Request::{op['name']}(serde_json::from_value(body)?),"
                for op in ops]
        out += ["        })", "    }", "}", ""]
        for op in ops:
            out += [
                f"impl Input for {op['input']['shape']} {{",
                f"    const OPERATION: Operation = Operation::{op['name']};",
                "}",
                "",
                f"impl Output for {op['output']['shape']} {{",
                f"    const OPERATION: Operation = Operation::{op['name']};",
                "}",
                "",
            ]
        return out

    def generate(self) -> str:
        out: list[str] = [
            "// @generated by tools/gen_api.py from aws-model/stepfunctions-service-2.json.",
            "// Do not edit by hand: change the generator and run `python3 tools/gen_api.py`.",
            "",
            "//! Operations, request and response shapes, and the input constraint schema of the Step",
            "//! Functions API, generated from the AWS service model.",
            "",
            "use estado_types::history::{HistoryEvent, Timestamp};",
            "use serde::{Deserialize, Serialize};",
            "",
            "use super::{Input, OrderedMap, Output};",
            "use crate::patterns;",
            "use crate::schema::{FloatRange, Kind, Member, Range, Shape, StringRules};",
            "",
        ]
        out += self.emit_operation()
        out.append("")
        out += self.emit_errors()
        out.append("")
        for name in self.structs:
            out += self.emit_struct(name)
            out.append("")
        out += self.emit_request()
        out += ["// ---- input constraint schema ----", ""]
        for name in self.schema:
            out += self.emit_schema(name)
            out.append("")
        while out and out[-1] == "":
            out.pop()
        return "\n".join(out) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if the output file is not up to date")
    args = parser.parse_args()
    model = json.loads(args.model.read_text(encoding="utf-8"))
    code = Generator(model).generate()
    if args.check:
        current = args.out.read_text(encoding="utf-8") if args.out.exists() else ""
        if current != code:
            print(f"{args.out} is out of date: run python3 tools/gen_api.py", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(code, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
