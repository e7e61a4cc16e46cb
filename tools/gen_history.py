#!/usr/bin/env python3
"""Generate the execution-history event types of estado-types from the AWS service model.

Reads the Step Functions service model (shapes `HistoryEvent`, `HistoryEventType` and every
`*EventDetails` shape they reach) and writes `crates/estado-types/src/history/generated.rs`:

- one Rust struct per details shape, fields in the model's member order (AWS's wire order),
  snake_case names renamed to the model's camelCase, `Option` for non-required members;
- `EVENT_TYPES`, the 62 `HistoryEventType` values in model order;
- `EventDetails`, one variant per event type holding the details struct that the model pairs
  with it (unit variants for types that carry no details member);
- the member-name tables and the per-member deserialisation that `history/event.rs` uses.

Standard-library Python only. Re-runnable; the output is deterministic.

    python3 tools/gen_history.py [--model PATH] [--out PATH] [--check]

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
DEFAULT_OUT = REPO / "crates" / "estado-types" / "src" / "history" / "generated.rs"

# String shapes whose value is a JSON document serialised as text (execution data, task
# parameters, variable values). The model types them as plain strings; their documentation
# says they hold JSON. They become `Payload` so that events share parsed values instead of text.
PAYLOAD_SHAPES = {"SensitiveData", "ConnectorParameters", "VariableValue"}

# String shapes shared by many events of one execution (state names, resource names): they
# become `Arc<str>` so that an event points at the program's copy instead of owning a new one.
SHARED_SHAPES = {"Name", "Arn"}

# Event types whose details member is not named after the type: every `*StateEntered` event
# (including `FailStateEntered`) carries `stateEnteredEventDetails`, every `*StateExited` event
# carries `stateExitedEventDetails` (HistoryEvent documentation and recorded AWS histories).
SUFFIX_MEMBERS = (("StateEntered", "stateEnteredEventDetails"),
                  ("StateExited", "stateExitedEventDetails"))

BASE_MEMBERS = ("timestamp", "type", "id", "previousEventId")


def lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def upper_first(name: str) -> str:
    return name[:1].upper() + name[1:]


# Details shapes held in a `Box` inside `EventDetails`: the three largest (88 to 120 bytes), all
# of rare events (a task or Lambda call scheduled, a JSONata evaluation failing). Unboxed they set
# the size of every event; boxed, an event is 112 bytes instead of 144, which the compiler moves
# with inline copies instead of calls to `memcpy` (every event is built, then moved into the log).
BOXED = {"TaskScheduledEventDetails", "LambdaFunctionScheduledEventDetails",
         "EvaluationFailedEventDetails"}


def variant_type(shape: str) -> str:
    return f"Box<{shape}>" if shape in BOXED else shape


def any_variant(member: str) -> str:
    """`AnyDetails` variant for a details member: `stateEnteredEventDetails` -> `StateEntered`."""
    return upper_first(member).removesuffix("EventDetails")


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


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


def doc_lines(text: str, indent: str) -> list[str]:
    if not text:
        return []
    return [f"{indent}/// {line}".rstrip() for line in textwrap.wrap(text, 92 - len(indent))]


class Generator:
    def __init__(self, model: dict):
        self.shapes = model["shapes"]
        self.history_event = self.shapes["HistoryEvent"]
        self.event_types: list[str] = self.shapes["HistoryEventType"]["enum"]
        members = self.history_event["members"]
        for base in BASE_MEMBERS:
            if base not in members:
                raise SystemExit(f"HistoryEvent has no member {base!r}: model changed?")
        # Details members in the model's order: member name -> details shape name.
        self.details_members = {name: m["shape"] for name, m in members.items()
                                if name not in BASE_MEMBERS}
        self.type_member = {t: self.member_for(t) for t in self.event_types}
        unused = set(self.details_members) - {m for m in self.type_member.values() if m}
        if unused:
            raise SystemExit(f"details members paired with no event type: {sorted(unused)}")
        for shape in PAYLOAD_SHAPES:
            if self.shapes.get(shape, {}).get("type") != "string":
                raise SystemExit(f"payload shape {shape!r} is missing or not a string")
        self.structs: list[str] = []  # details and nested structure shapes, first-use order
        self.maps: list[str] = []
        for shape in self.details_members.values():
            self.collect(shape)

    def member_for(self, event_type: str) -> str | None:
        own = lower_first(event_type) + "EventDetails"
        if own in self.details_members:
            return own
        for suffix, member in SUFFIX_MEMBERS:
            if event_type.endswith(suffix):
                return member
        return None

    def collect(self, shape_name: str) -> None:
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if kind == "structure":
            if shape_name in self.structs:
                return
            self.structs.append(shape_name)
            for member in shape["members"].values():
                self.collect(member["shape"])
        elif kind == "map":
            if shape_name not in self.maps:
                self.maps.append(shape_name)
            self.collect(shape["key"]["shape"])
            self.collect(shape["value"]["shape"])
        elif kind == "list":
            self.collect(shape["member"]["shape"])

    def rust_type(self, shape_name: str) -> str:
        shape = self.shapes[shape_name]
        kind = shape["type"]
        if kind == "string":
            if shape_name in PAYLOAD_SHAPES:
                return "Payload"
            return "Arc<str>" if shape_name in SHARED_SHAPES else "String"
        if kind == "boolean":
            return "bool"
        if kind == "integer":
            return "u32" if shape.get("min", -1) >= 0 else "i32"
        if kind == "long":
            return "u64" if shape.get("min", -1) >= 0 else "i64"
        if kind == "timestamp":
            return "Timestamp"
        if kind in ("structure", "map"):
            return shape_name
        if kind == "list":
            return f"Vec<{self.rust_type(shape['member']['shape'])}>"
        raise SystemExit(f"unsupported shape type {kind!r} for {shape_name}")

    def has_default(self, shape_name: str) -> bool:
        return not self.shapes[shape_name].get("required")

    # ---- emitters -------------------------------------------------------------------------

    def emit_struct(self, name: str) -> list[str]:
        shape = self.shapes[name]
        required = set(shape.get("required", []))
        derives = "Clone, Debug, PartialEq, Serialize, Deserialize"
        if self.has_default(name):
            derives = "Clone, Debug, Default, PartialEq, Serialize, Deserialize"
        out = doc_lines(doc_text(shape.get("documentation")) or f"The model's `{name}`.", "")
        out.append(f"#[derive({derives})]")
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

    def emit_map(self, name: str) -> list[str]:
        shape = self.shapes[name]
        key = self.rust_type(shape["key"]["shape"])
        value = self.rust_type(shape["value"]["shape"])
        return [
            f"/// The model's `{name}` map ({shape['key']['shape']} to {shape['value']['shape']}), kept",
            "/// as pairs in the order they were added, which is the order they are serialised in.",
            "#[derive(Clone, Debug, Default, PartialEq)]",
            f"pub struct {name}(pub Vec<({key}, {value})>);",
            "",
            f"impl Serialize for {name} {{",
            "    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {",
            "        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))",
            "    }",
            "}",
            "",
            f"impl<'de> Deserialize<'de> for {name} {{",
            "    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {",
            f"        deserializer.deserialize_map(PairsVisitor::<{key}, {value}>::new()).map({name})",
            "    }",
            "}",
        ]

    def generate(self) -> str:
        out: list[str] = [
            "// @generated by tools/gen_history.py from aws-model/stepfunctions-service-2.json.",
            "// Do not edit by hand: change the generator and run `python3 tools/gen_history.py`.",
            "",
            "//! History event types and their details structs, generated from the AWS service model.",
            "",
            "use serde::de::{Error as _, MapAccess};",
            "use serde::{Deserialize, Deserializer, Serialize, Serializer};",
            "use std::sync::Arc;",
            "",
            "#[allow(unused_imports)]",
            "use super::{Payload, Timestamp};",
            "use super::pairs::PairsVisitor;",
            "",
        ]
        n = len(self.event_types)
        out += [
            "/// Every `HistoryEventType` of the model, in the model's order.",
            f"pub const EVENT_TYPES: [&str; {n}] = [",
        ]
        out += [f'    "{t}",' for t in self.event_types]
        out += ["];", ""]

        members = list(self.details_members)
        out += [
            "/// Every details member of the model's `HistoryEvent`, in the model's order.",
            f"pub const DETAILS_MEMBERS: [&str; {len(members)}] = [",
        ]
        out += [f'    "{m}",' for m in members]
        out += ["];", ""]

        out += [
            "/// The `HistoryEvent` member that carries the details of `event_type`",
            "/// (e.g. `\"PassStateEntered\"` -> `\"stateEnteredEventDetails\"`); `None` for types that",
            "/// carry no details (e.g. `ParallelStateStarted`) and for unknown types.",
            "pub fn details_member_name(event_type: &str) -> Option<&'static str> {",
            "    match event_type {",
        ]
        for t in self.event_types:
            m = self.type_member[t]
            out.append(f'        "{t}" => {f"Some({chr(34)}{m}{chr(34)})" if m else "None"},')
        out += ["        _ => None,", "    }", "}", ""]

        for name in self.structs:
            out += self.emit_struct(name)
            out.append("")
        for name in self.maps:
            out += self.emit_map(name)
            out.append("")

        # EventDetails
        out += [
            "/// What happened, named exactly like the model's `HistoryEventType`, with the details the",
            "/// model's `HistoryEvent` carries for that type (unit variants carry none).",
            "#[derive(Clone, Debug, PartialEq)]",
            "pub enum EventDetails {",
        ]
        for t in self.event_types:
            m = self.type_member[t]
            if m:
                out.append(f"    {t}({variant_type(self.details_members[m])}),")
            else:
                out.append(f"    {t},")
        out += ["}", ""]

        out += [
            "impl EventDetails {",
            "    /// The event's `type`, exactly as AWS spells it.",
            "    pub fn event_type(&self) -> &'static str {",
            "        match self {",
        ]
        for t in self.event_types:
            pat = f"EventDetails::{t}(_)" if self.type_member[t] else f"EventDetails::{t}"
            out.append(f'            {pat} => "{t}",')
        out += ["        }", "    }", ""]
        out += [
            "    /// The `HistoryEvent` member that carries these details, if any.",
            "    pub fn member_name(&self) -> Option<&'static str> {",
            "        match self {",
        ]
        for t in self.event_types:
            m = self.type_member[t]
            if m:
                out.append(f'            EventDetails::{t}(_) => Some("{m}"),')
            else:
                out.append(f"            EventDetails::{t} => None,")
        out += ["        }", "    }", ""]
        out += [
            "    /// Writes the details member (if any) as the last field of a `HistoryEvent`.",
            "    pub(super) fn serialize_member<S: serde::ser::SerializeStruct>(",
            "        &self,",
            "        state: &mut S,",
            "    ) -> Result<(), S::Error> {",
            "        match self {",
        ]
        for t in self.event_types:
            m = self.type_member[t]
            if m:
                out.append(f'            EventDetails::{t}(d) => state.serialize_field("{m}", d),')
        out += ["            _ => Ok(()),", "        }", "    }", "}", ""]

        # AnyDetails: one variant per member, for deserialisation before `type` is known.
        out += [
            "/// A details member read from the wire before the event's `type` is known: the member name",
            "/// alone determines the details shape.",
            "#[derive(Debug)]",
            "pub(super) enum AnyDetails {",
        ]
        for m in members:
            out.append(f"    {any_variant(m)}({self.details_members[m]}),")
        out += ["}", ""]
        out += [
            "impl AnyDetails {",
            "    pub(super) fn member_name(&self) -> &'static str {",
            "        match self {",
        ]
        for m in members:
            out.append(f'            AnyDetails::{any_variant(m)}(_) => "{m}",')
        out += ["        }", "    }", "}", ""]
        out += [
            "/// Reads the value of the details member `DETAILS_MEMBERS[index]`.",
            "pub(super) fn next_details<'de, A: MapAccess<'de>>(",
            "    index: usize,",
            "    map: &mut A,",
            ") -> Result<AnyDetails, A::Error> {",
            "    Ok(match index {",
        ]
        for i, m in enumerate(members):
            out.append(f"        {i} => AnyDetails::{any_variant(m)}(map.next_value()?),")
        out += [
            '        _ => return Err(A::Error::custom("details member index out of range")),',
            "    })",
            "}",
            "",
        ]
        out += [
            "/// Pairs an event type (an index into `EVENT_TYPES`) with the details member read for it.",
            "/// A missing member is allowed where every field of its shape is optional (AWS sends `{}`",
            "/// then); a member of another type, or one on a type that carries none, is an error.",
            "pub(super) fn combine(type_index: usize, details: Option<AnyDetails>) -> Result<EventDetails, String> {",
            "    match (type_index, details) {",
        ]
        for i, t in enumerate(self.event_types):
            m = self.type_member[t]
            if m:
                shape = self.details_members[m]
                held = "Box::new(d)" if shape in BOXED else "d"
                out.append(f"        ({i}, Some(AnyDetails::{any_variant(m)}(d))) => Ok(EventDetails::{t}({held})),")
                if self.has_default(shape):
                    out.append(f"        ({i}, None) => Ok(EventDetails::{t}(Default::default())),")
                else:
                    out.append(f'        ({i}, None) => Err("event type {t} needs member {m}".to_owned()),')
            else:
                out.append(f"        ({i}, None) => Ok(EventDetails::{t}),")
        out += [
            "        (i, Some(d)) => Err(format!(",
            '            "event type {} does not carry member {}",',
            '            EVENT_TYPES.get(i).copied().unwrap_or("?"),',
            "            d.member_name()",
            "        )),",
            '        (i, None) => Err(format!("event type index {i} out of range")),',
            "    }",
            "}",
        ]
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
            print(f"{args.out} is out of date: run python3 tools/gen_history.py", file=sys.stderr)
            return 1
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(code, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
