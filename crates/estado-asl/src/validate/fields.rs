//! Which fields an object may hold (per query language), and typed reads of field values that
//! report AWS-style schema diagnostics when the value has the wrong type or range.

use estado_json::{Map, Value};

use super::expr;
use super::{Ctx, Lang, Loc};

/// The query language(s) a field belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Only {
    Both,
    JsonPath,
    Jsonata,
}

/// The fields an object may hold.
pub(crate) type Table = &'static [(&'static str, Only)];

/// Reports, in document order, every field of `obj` that `table` does not list
/// (`Field 'X' is not supported`) and every field that belongs to the other query language, at
/// `loc` (the object itself, as AWS does).
pub(crate) fn check_allowed(
    ctx: &mut Ctx,
    obj: &Map,
    table: &[(&str, Only)],
    lang: Lang,
    loc: &Loc,
) {
    for key in obj.keys() {
        match table.iter().find(|(name, _)| name == key) {
            None => ctx.schema(format!("Field '{key}' is not supported"), loc),
            Some((_, Only::JsonPath)) if lang == Lang::Jsonata => ctx.schema(
                format!(
                    "The QueryLanguage is set to 'JSONata', but field '{key}' is only supported for the 'JSONPath' QueryLanguage"
                ),
                loc,
            ),
            Some((_, Only::Jsonata)) if lang == Lang::JsonPath => ctx.schema(
                format!(
                    "The QueryLanguage is set to 'JSONPath', but field '{key}' is only supported for the 'JSONata' QueryLanguage"
                ),
                loc,
            ),
            Some(_) => {}
        }
    }
}

/// Reports the `required` fields `obj` lacks, all in one diagnostic:
/// `These fields are required: [States, StartAt]`.
pub(crate) fn require(ctx: &mut Ctx, obj: &Map, required: &[&str], loc: &Loc) -> bool {
    let missing: Vec<&str> = required
        .iter()
        .copied()
        .filter(|f| !obj.contains_key(*f))
        .collect();
    if missing.is_empty() {
        return true;
    }
    ctx.schema(
        format!("These fields are required: [{}]", missing.join(", ")),
        loc,
    );
    false
}

/// Reports that `obj` holds more than one of `fields`:
/// `There should only be one of the following fields: [MaxItems, MaxItemsPath]`.
/// Returns how many of them are present.
pub(crate) fn at_most_one(ctx: &mut Ctx, obj: &Map, fields: &[&str], loc: &Loc) -> usize {
    let present = fields.iter().filter(|f| obj.contains_key(**f)).count();
    if present > 1 {
        ctx.schema(
            format!(
                "There should only be one of the following fields: [{}]",
                fields.join(", ")
            ),
            loc,
        );
    }
    present
}

/// Reports that `obj` holds none of `fields` when exactly one is required.
pub(crate) fn exactly_one(ctx: &mut Ctx, obj: &Map, fields: &[&str], loc: &Loc) {
    if at_most_one(ctx, obj, fields, loc) == 0 {
        ctx.schema(
            format!(
                "Exactly one of these fields is required: [{}]",
                fields.join(", ")
            ),
            loc,
        );
    }
}

fn wrong_type(ctx: &mut Ctx, field: &str, expected: &str, loc: &Loc) {
    ctx.schema(
        format!("The value for the field '{field}' must be {expected}"),
        loc,
    );
}

/// The string at `loc`, or a type diagnostic.
pub(crate) fn string<'v>(ctx: &mut Ctx, v: &'v Value, field: &str, loc: &Loc) -> Option<&'v str> {
    match v {
        Value::String(s) => Some(s),
        _ => {
            wrong_type(ctx, field, "a STRING", loc);
            None
        }
    }
}

/// A non-empty string (state names, transition targets).
pub(crate) fn non_empty_string<'v>(
    ctx: &mut Ctx,
    v: &'v Value,
    field: &str,
    loc: &Loc,
) -> Option<&'v str> {
    let s = string(ctx, v, field, loc)?;
    if s.is_empty() {
        ctx.schema(
            format!("The value for the field '{field}' must not be empty"),
            loc,
        );
        return None;
    }
    Some(s)
}

pub(crate) fn boolean(ctx: &mut Ctx, v: &Value, field: &str, loc: &Loc) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        _ => {
            wrong_type(ctx, field, "a BOOLEAN", loc);
            None
        }
    }
}

pub(crate) fn object<'v>(ctx: &mut Ctx, v: &'v Value, field: &str, loc: &Loc) -> Option<&'v Map> {
    match v {
        Value::Object(o) => Some(o),
        _ => {
            wrong_type(ctx, field, "an OBJECT", loc);
            None
        }
    }
}

pub(crate) fn array<'v>(
    ctx: &mut Ctx,
    v: &'v Value,
    field: &str,
    loc: &Loc,
) -> Option<&'v Vec<Value>> {
    match v {
        Value::Array(a) => Some(a),
        _ => {
            wrong_type(ctx, field, "an ARRAY", loc);
            None
        }
    }
}

/// A non-empty array.
pub(crate) fn non_empty_array<'v>(
    ctx: &mut Ctx,
    v: &'v Value,
    field: &str,
    loc: &Loc,
) -> Option<&'v Vec<Value>> {
    let a = array(ctx, v, field, loc)?;
    if a.is_empty() {
        ctx.schema(
            format!("The field '{field}' must contain at least one element"),
            loc,
        );
        return None;
    }
    Some(a)
}

/// An integer within `[min, max]`: `Minimum value is 0` / `Maximum value is 99999999` otherwise.
pub(crate) fn integer(
    ctx: &mut Ctx,
    v: &Value,
    field: &str,
    min: i64,
    max: i64,
    loc: &Loc,
) -> Option<i64> {
    let n = match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_u64().map(|_| i64::MAX))
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            }),
        _ => None,
    };
    let Some(n) = n else {
        wrong_type(ctx, field, "an INTEGER", loc);
        return None;
    };
    if n < min {
        ctx.schema(format!("Minimum value is {min}"), loc);
        return None;
    }
    if n > max {
        ctx.schema(format!("Maximum value is {max}"), loc);
        return None;
    }
    Some(n)
}

/// A number within `[min, max]`, with bounds written as decimals (`Minimum value is 0.0`).
pub(crate) fn number(
    ctx: &mut Ctx,
    v: &Value,
    field: &str,
    min: f64,
    max: f64,
    loc: &Loc,
) -> Option<f64> {
    let Some(n) = v.as_f64() else {
        wrong_type(ctx, field, "a NUMBER", loc);
        return None;
    };
    if n < min {
        ctx.schema(format!("Minimum value is {min:?}"), loc);
        return None;
    }
    if n > max {
        ctx.schema(format!("Maximum value is {max:?}"), loc);
        return None;
    }
    Some(n)
}

/// One of the `allowed` strings.
pub(crate) fn one_of(
    ctx: &mut Ctx,
    v: &Value,
    field: &str,
    allowed: &[&str],
    loc: &Loc,
) -> Option<String> {
    let s = string(ctx, v, field, loc)?;
    if allowed.contains(&s) {
        Some(s.to_string())
    } else {
        ctx.schema(
            format!(
                "The value for the field '{field}' must be one of [{}]",
                allowed.join(", ")
            ),
            loc,
        );
        None
    }
}

/// In a JSONata state, a `{% %}` string stands for any value: its expression is checked and
/// `true` returned so the caller skips the literal check.
pub(crate) fn jsonata_instead(ctx: &mut Ctx, v: &Value, lang: Lang, loc: &Loc) -> bool {
    if lang != Lang::Jsonata {
        return false;
    }
    match v {
        Value::String(s) if estado_jsonata::expression_text(s).is_some() => {
            expr::check_jsonata(ctx, s, loc);
            true
        }
        _ => false,
    }
}

/// An integer field that JSONata states may also give as an expression.
pub(crate) fn integer_or_jsonata(
    ctx: &mut Ctx,
    v: &Value,
    field: &str,
    (min, max): (i64, i64),
    lang: Lang,
    loc: &Loc,
) {
    if !jsonata_instead(ctx, v, lang, loc) {
        integer(ctx, v, field, min, max, loc);
    }
}

/// A number field that JSONata states may also give as an expression.
pub(crate) fn number_or_jsonata(
    ctx: &mut Ctx,
    v: &Value,
    field: &str,
    (min, max): (f64, f64),
    lang: Lang,
    loc: &Loc,
) {
    if !jsonata_instead(ctx, v, lang, loc) {
        number(ctx, v, field, min, max, loc);
    }
}

/// A string field that JSONata states may also give as an expression.
pub(crate) fn string_or_jsonata(ctx: &mut Ctx, v: &Value, field: &str, lang: Lang, loc: &Loc) {
    if !jsonata_instead(ctx, v, lang, loc) {
        string(ctx, v, field, loc);
    }
}
