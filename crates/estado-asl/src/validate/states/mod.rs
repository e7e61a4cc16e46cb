//! One checker per state type, plus what they share: the state's query language, `Next`/`End`,
//! and the data-flow fields (`InputPath`, `Parameters`, `Output`, `Assign`, ...).

mod choice;
mod map;
mod parallel;
mod pass;
mod task;
mod terminal;
mod wait;

use estado_json::{Map, Value};

use super::expr;
use super::fields::{self, Only};
use super::retry_catch;
use super::template;
use super::{Ctx, Lang, Loc};

/// Fields every state may hold.
pub(crate) const COMMON: [(&str, Only); 3] = [
    ("Type", Only::Both),
    ("Comment", Only::Both),
    ("QueryLanguage", Only::Both),
];

const TYPES: [&str; 8] = [
    "Pass", "Task", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// What a state checker gets: the state object, its location and its query language.
pub(crate) struct State<'v> {
    pub obj: &'v Map,
    pub loc: Loc,
    pub lang: Lang,
}

impl State<'_> {
    /// The location of field `name` of this state.
    pub fn at(&self, name: &str) -> Loc {
        self.loc.key(name)
    }
}

/// The state at `loc` (`/States/Name`).
pub(crate) fn check_state(ctx: &mut Ctx, v: &Value, loc: &Loc) {
    let Some(obj) = fields::object(ctx, v, "State", loc) else {
        return;
    };
    let lang = state_lang(ctx, obj, loc);
    if let Some(c) = obj.get("Comment") {
        fields::string(ctx, c, "Comment", &loc.key("Comment"));
    }
    let Some(ty) = obj.get("Type") else {
        fields::require(ctx, obj, &["Type"], loc);
        return;
    };
    let Some(ty) = fields::string(ctx, ty, "Type", &loc.key("Type")) else {
        return;
    };
    let state = State {
        obj,
        loc: loc.clone(),
        lang,
    };
    match ty {
        "Pass" => pass::check(ctx, &state),
        "Task" => task::check(ctx, &state),
        "Choice" => choice::check(ctx, &state),
        "Wait" => wait::check(ctx, &state),
        "Succeed" => terminal::check_succeed(ctx, &state),
        "Fail" => terminal::check_fail(ctx, &state),
        "Parallel" => parallel::check(ctx, &state),
        "Map" => map::check(ctx, &state),
        _ => ctx.schema(
            format!(
                "The value for the field 'Type' must be one of [{}]",
                TYPES.join(", ")
            ),
            &loc.key("Type"),
        ),
    }
}

/// The state's query language: its own `QueryLanguage`, else the machine's (states inherit the
/// top-level language even inside a Map or Parallel that declares another). A JSONata machine
/// cannot have JSONPath states.
fn state_lang(ctx: &mut Ctx, obj: &Map, loc: &Loc) -> Lang {
    let Some(v) = obj.get("QueryLanguage") else {
        return ctx.machine_lang;
    };
    fields::one_of(
        ctx,
        v,
        "QueryLanguage",
        &["JSONPath", "JSONata"],
        &loc.key("QueryLanguage"),
    );
    if v.as_str() == Some("JSONPath") {
        if ctx.machine_lang == Lang::Jsonata {
            ctx.schema(
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                loc,
            );
        }
        Lang::JsonPath
    } else {
        Lang::Jsonata
    }
}

/// Checks the field table of a state type: the common fields plus `own`.
pub(crate) fn check_fields(ctx: &mut Ctx, s: &State, own: &[(&'static str, Only)]) {
    let mut table: Vec<(&str, Only)> = COMMON.to_vec();
    table.extend_from_slice(own);
    fields::check_allowed(ctx, s.obj, &table, s.lang, &s.loc);
}

/// `Next` / `End` of a state that is not Choice, Succeed or Fail: exactly one of them.
pub(crate) fn check_flow(ctx: &mut Ctx, s: &State) {
    if let Some(v) = s.obj.get("Next") {
        fields::non_empty_string(ctx, v, "Next", &s.at("Next"));
    }
    let end = match s.obj.get("End") {
        Some(v) => fields::boolean(ctx, v, "End", &s.at("End")),
        None => None,
    };
    let has_next = s.obj.contains_key("Next");
    if has_next && s.obj.contains_key("End") {
        ctx.schema(
            "There should only be one of the following fields: [Next, End]",
            &s.loc,
        );
    } else if !has_next && end != Some(true) && !s.obj.contains_key("End") {
        ctx.schema(
            "Exactly one of these fields is required: [Next, End]",
            &s.loc,
        );
    } else if !has_next && end == Some(false) {
        ctx.schema(
            "The field 'End' must be true when 'Next' is absent",
            &s.at("End"),
        );
    }
}

/// The data-flow fields a state type allows, each checked in the state's language: JSONPath
/// `InputPath`, `OutputPath`, `Parameters`, `ResultSelector`, `ResultPath`; JSONata `Output`,
/// `Arguments`; and `Assign`. Fields of the other language were already reported.
pub(crate) fn check_data_flow(ctx: &mut Ctx, s: &State) {
    match s.lang {
        Lang::JsonPath => {
            for field in ["InputPath", "OutputPath"] {
                match s.obj.get(field) {
                    None | Some(Value::Null) => {}
                    Some(v) => {
                        if let Some(p) = fields::string(ctx, v, field, &s.at(field)) {
                            expr::check_path(ctx, p, field, &s.at(field));
                        }
                    }
                }
            }
            for field in ["Parameters", "ResultSelector"] {
                if let Some(v) = s.obj.get(field) {
                    template::check_payload(ctx, v, &s.at(field));
                }
            }
            retry_catch::check_result_path(ctx, s.obj, s.lang, &s.loc);
        }
        Lang::Jsonata => {
            for field in ["Output", "Arguments"] {
                if let Some(v) = s.obj.get(field) {
                    expr::check_jsonata_template(ctx, v, &s.at(field));
                }
            }
        }
    }
    if let Some(v) = s.obj.get("Assign") {
        retry_catch::check_assign(ctx, v, s.lang, &s.at("Assign"));
    }
}

/// `Retry` and `Catch`, where the state type allows them.
pub(crate) fn check_error_handling(ctx: &mut Ctx, s: &State) {
    if let Some(v) = s.obj.get("Retry") {
        retry_catch::check_retry(ctx, v, s.lang, &s.at("Retry"));
    }
    if let Some(v) = s.obj.get("Catch") {
        retry_catch::check_catch(ctx, v, s.lang, &s.at("Catch"));
    }
}

/// A `*Path` field holding a reference path (`TimeoutSecondsPath`, `SecondsPath`, ...).
pub(crate) fn check_reference_field(ctx: &mut Ctx, s: &State, field: &str, roots: expr::Roots) {
    if s.lang != Lang::JsonPath {
        return;
    }
    if let Some(v) = s.obj.get(field) {
        let at = s.at(field);
        if let Some(p) = fields::string(ctx, v, field, &at) {
            expr::check_reference_path(ctx, p, roots, &at);
        }
    }
}
