//! A state machine object — the whole definition, a Parallel branch, or a Map's
//! `ItemProcessor` / `Iterator` — and the states it holds.

use estado_json::{Map, Value};

use super::diag::codes;
use super::fields::{self, Only, Table};
use super::graph;
use super::states;
use super::{Ctx, Lang, Loc};

const TOP: Table = &[
    ("Comment", Only::Both),
    ("StartAt", Only::Both),
    ("States", Only::Both),
    ("Version", Only::Both),
    ("TimeoutSeconds", Only::Both),
    ("QueryLanguage", Only::Both),
];

const BRANCH: Table = &[
    ("Comment", Only::Both),
    ("StartAt", Only::Both),
    ("States", Only::Both),
];

const PROCESSOR: Table = &[
    ("Comment", Only::Both),
    ("StartAt", Only::Both),
    ("States", Only::Both),
    ("ProcessorConfig", Only::Both),
];

/// AWS's limit on state name length.
const MAX_STATE_NAME: usize = 80;

/// Which kind of machine object is being checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Top,
    Branch,
    /// `ItemProcessor` or `Iterator` of a Map state.
    Processor,
}

/// The whole definition (an object).
pub(crate) fn check_top(ctx: &mut Ctx, definition: &Value) {
    let Value::Object(obj) = definition else {
        return;
    };
    let loc = Loc::root();
    if let Some(v) = obj.get("QueryLanguage") {
        // Only the exact string `JSONPath` selects JSONPath; any other value is reported and
        // the machine is then read as JSONata.
        fields::one_of(
            ctx,
            v,
            "QueryLanguage",
            &["JSONPath", "JSONata"],
            &loc.key("QueryLanguage"),
        );
        ctx.machine_lang = if v.as_str() == Some("JSONPath") {
            Lang::JsonPath
        } else {
            Lang::Jsonata
        };
    }
    if let Some(v) = obj.get("Version") {
        fields::string(ctx, v, "Version", &loc.key("Version"));
    }
    if let Some(v) = obj.get("TimeoutSeconds") {
        fields::integer(
            ctx,
            v,
            "TimeoutSeconds",
            0,
            99_999_999,
            &loc.key("TimeoutSeconds"),
        );
    }
    check_machine_object(ctx, obj, Kind::Top, &loc);
}

/// A Parallel branch or a Map processor found at `loc`.
pub(crate) fn check_nested(ctx: &mut Ctx, v: &Value, field: &str, kind: Kind, loc: &Loc) {
    if let Some(obj) = fields::object(ctx, v, field, loc) {
        check_machine_object(ctx, obj, kind, loc);
    }
}

fn check_machine_object(ctx: &mut Ctx, obj: &Map, kind: Kind, loc: &Loc) {
    let table = match kind {
        Kind::Top => TOP,
        Kind::Branch => BRANCH,
        Kind::Processor => PROCESSOR,
    };
    // The language test never fires here: none of these fields is language-specific.
    fields::check_allowed(ctx, obj, table, Lang::JsonPath, loc);
    fields::require(ctx, obj, &["States", "StartAt"], loc);
    let start_at = obj
        .get("StartAt")
        .and_then(|v| fields::non_empty_string(ctx, v, "StartAt", &loc.key("StartAt")));
    if let Some(v) = obj.get("Comment") {
        fields::string(ctx, v, "Comment", &loc.key("Comment"));
    }
    let Some(v) = obj.get("States") else {
        return;
    };
    let states_loc = loc.key("States");
    let Some(states) = fields::object(ctx, v, "States", &states_loc) else {
        return;
    };
    for (name, state) in states {
        let state_loc = states_loc.key(name);
        check_state_name(ctx, name, &state_loc);
        states::check_state(ctx, state, &state_loc);
    }
    graph::check_scope(ctx, states, start_at, kind == Kind::Top, loc);
}

fn check_state_name(ctx: &mut Ctx, name: &str, loc: &Loc) {
    let len = name.chars().count();
    if len == 0 || len > MAX_STATE_NAME {
        ctx.error(
            codes::INVALID_STATE_NAME,
            format!("State name must be between 1 and {MAX_STATE_NAME} characters long"),
            loc,
        );
    }
    if name.chars().any(char::is_control) {
        ctx.error(
            codes::INVALID_STATE_NAME,
            "State name must not contain control characters",
            loc,
        );
    }
    if !ctx.claim_name(name) {
        ctx.error(
            codes::DUPLICATE_STATE_NAME,
            format!("Duplicate State name: {name}"),
            loc,
        );
    }
}
