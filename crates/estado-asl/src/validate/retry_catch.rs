//! `Retry` and `Catch`: retrier and catcher fields, `ErrorEquals`, and `States.ALL`, which must
//! appear alone in the last retrier or catcher.

use estado_json::{Map, Value};

use super::expr::{self, Roots};
use super::fields::{self, Only, Table};
use super::template;
use super::{Ctx, Lang, Loc};

const RETRIER: Table = &[
    ("ErrorEquals", Only::Both),
    ("IntervalSeconds", Only::Both),
    ("MaxAttempts", Only::Both),
    ("BackoffRate", Only::Both),
    ("MaxDelaySeconds", Only::Both),
    ("JitterStrategy", Only::Both),
    ("Comment", Only::Both),
];

const CATCHER: Table = &[
    ("ErrorEquals", Only::Both),
    ("Next", Only::Both),
    ("ResultPath", Only::JsonPath),
    ("Output", Only::Jsonata),
    ("Assign", Only::Both),
    ("Comment", Only::Both),
];

const MAX_INT: i64 = 99_999_999;

/// `Retry` at `loc`.
pub(crate) fn check_retry(ctx: &mut Ctx, v: &Value, lang: Lang, loc: &Loc) {
    let Some(retriers) = fields::array(ctx, v, "Retry", loc) else {
        return;
    };
    let last = retriers.len().saturating_sub(1);
    for (i, retrier) in retriers.iter().enumerate() {
        let at = loc.index(i);
        let Some(obj) = fields::object(ctx, retrier, "Retry", &at) else {
            continue;
        };
        fields::check_allowed(ctx, obj, RETRIER, lang, &at);
        fields::require(ctx, obj, &["ErrorEquals"], &at);
        check_error_equals(ctx, obj, i == last, &at);
        if let Some(v) = obj.get("IntervalSeconds") {
            fields::integer(
                ctx,
                v,
                "IntervalSeconds",
                1,
                MAX_INT,
                &at.key("IntervalSeconds"),
            );
        }
        if let Some(v) = obj.get("MaxAttempts") {
            fields::integer(ctx, v, "MaxAttempts", 0, MAX_INT, &at.key("MaxAttempts"));
        }
        if let Some(v) = obj.get("BackoffRate") {
            fields::number(ctx, v, "BackoffRate", 1.0, f64::MAX, &at.key("BackoffRate"));
        }
        if let Some(v) = obj.get("MaxDelaySeconds") {
            fields::integer(
                ctx,
                v,
                "MaxDelaySeconds",
                1,
                31_622_400,
                &at.key("MaxDelaySeconds"),
            );
        }
        if let Some(v) = obj.get("JitterStrategy") {
            fields::one_of(
                ctx,
                v,
                "JitterStrategy",
                &["FULL", "NONE"],
                &at.key("JitterStrategy"),
            );
        }
        if let Some(v) = obj.get("Comment") {
            fields::string(ctx, v, "Comment", &at.key("Comment"));
        }
    }
}

/// `Catch` at `loc`. Whether each catcher's `Next` names a state is checked with the other
/// transitions (see `graph`).
pub(crate) fn check_catch(ctx: &mut Ctx, v: &Value, lang: Lang, loc: &Loc) {
    let Some(catchers) = fields::array(ctx, v, "Catch", loc) else {
        return;
    };
    let last = catchers.len().saturating_sub(1);
    for (i, catcher) in catchers.iter().enumerate() {
        let at = loc.index(i);
        let Some(obj) = fields::object(ctx, catcher, "Catch", &at) else {
            continue;
        };
        fields::check_allowed(ctx, obj, CATCHER, lang, &at);
        fields::require(ctx, obj, &["ErrorEquals", "Next"], &at);
        check_error_equals(ctx, obj, i == last, &at);
        if let Some(v) = obj.get("Next") {
            fields::non_empty_string(ctx, v, "Next", &at.key("Next"));
        }
        check_result_path(ctx, obj, lang, &at);
        if lang == Lang::Jsonata {
            if let Some(v) = obj.get("Output") {
                expr::check_jsonata_template(ctx, v, &at.key("Output"));
            }
        }
        if let Some(v) = obj.get("Assign") {
            check_assign(ctx, v, lang, &at.key("Assign"));
        }
        if let Some(v) = obj.get("Comment") {
            fields::string(ctx, v, "Comment", &at.key("Comment"));
        }
    }
}

/// `ResultPath` of a state or catcher in `obj` (JSONPath only; `null` discards the result).
pub(crate) fn check_result_path(ctx: &mut Ctx, obj: &Map, lang: Lang, loc: &Loc) {
    if lang != Lang::JsonPath {
        return;
    }
    match obj.get("ResultPath") {
        None | Some(Value::Null) => {}
        Some(v) => {
            let at = loc.key("ResultPath");
            if let Some(s) = fields::string(ctx, v, "ResultPath", &at) {
                expr::check_reference_path(ctx, s, Roots::InputOnly, &at);
            }
        }
    }
}

/// `Assign`: an object whose values are a JSONPath payload template or a JSONata template.
pub(crate) fn check_assign(ctx: &mut Ctx, v: &Value, lang: Lang, loc: &Loc) {
    let Some(obj) = fields::object(ctx, v, "Assign", loc) else {
        return;
    };
    match lang {
        Lang::JsonPath => template::check_payload(ctx, v, loc),
        Lang::Jsonata => {
            for (k, item) in obj {
                expr::check_jsonata_template(ctx, item, &loc.key(k));
            }
        }
    }
}

fn check_error_equals(ctx: &mut Ctx, obj: &Map, is_last: bool, loc: &Loc) {
    let Some(v) = obj.get("ErrorEquals") else {
        return;
    };
    let at = loc.key("ErrorEquals");
    let Some(names) = fields::non_empty_array(ctx, v, "ErrorEquals", &at) else {
        return;
    };
    let mut has_all = false;
    for (i, name) in names.iter().enumerate() {
        match name {
            Value::String(s) => has_all |= s == "States.ALL",
            _ => ctx.schema(
                "The value for the field 'ErrorEquals' must be an array of STRING",
                &at.index(i),
            ),
        }
    }
    if has_all && names.len() > 1 {
        ctx.schema(
            "'States.ALL' must appear alone in the 'ErrorEquals' array",
            &at,
        );
    }
    if has_all && !is_last {
        ctx.schema(
            "'States.ALL' must appear in the last Retrier or Catcher",
            &at,
        );
    }
}
