//! Checks of the expressions a definition holds: JSONPaths, reference paths, intrinsic calls and
//! JSONata, parsed with the same parsers the interpreter uses so that what validates also runs.

use estado_expr::intrinsics::{looks_like_call, Call};
use estado_expr::path::{Path, Root};
use estado_json::Value;

use super::diag::codes;
use super::{Ctx, Loc};

/// Which roots a path field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Roots {
    /// `$`, `$$` and `$var`.
    Any,
    /// `$` and `$var`: no context object.
    NoContext,
    /// `$` only (`ResultPath`: a place in the state's output).
    InputOnly,
}

fn root_allowed(path: &Path, roots: Roots) -> bool {
    match (roots, path.root()) {
        (Roots::Any, _) => true,
        (Roots::NoContext, Root::Context) => false,
        (Roots::NoContext, _) => true,
        (Roots::InputOnly, Root::Input) => true,
        (Roots::InputOnly, _) => false,
    }
}

/// A full JSONPath (`InputPath`, `OutputPath`, `ItemsPath`):
/// `The value for the field 'InputPath' must be a valid JSONPath`.
pub(crate) fn check_path(ctx: &mut Ctx, s: &str, field: &str, loc: &Loc) {
    if Path::parse(s).is_err() {
        ctx.schema(
            format!("The value for the field '{field}' must be a valid JSONPath"),
            loc,
        );
    }
}

/// A reference path (`ResultPath`, `Variable`, `*Path` fields): `Value is not a Reference Path`.
pub(crate) fn check_reference_path(ctx: &mut Ctx, s: &str, roots: Roots, loc: &Loc) {
    match Path::parse_reference(s) {
        Ok(path) if root_allowed(&path, roots) => {}
        _ => ctx.schema("Value is not a Reference Path", loc),
    }
}

/// True when `s` is a valid JSONPath or a valid intrinsic function call.
pub(crate) fn is_path_or_call(s: &str) -> bool {
    if looks_like_call(s) {
        Call::parse(s).is_ok()
    } else {
        Path::parse(s).is_ok()
    }
}

/// A `"key.$"` template value, `ErrorPath` or `CausePath`:
/// `The value for the field 'key.$' must be a valid JSONPath or a valid intrinsic function call`
/// at `loc` (AWS points at the object holding the field).
pub(crate) fn check_path_or_call(ctx: &mut Ctx, v: &Value, field: &str, loc: &Loc) {
    let ok = match v {
        Value::String(s) => is_path_or_call(s),
        _ => false,
    };
    if !ok {
        ctx.schema(
            format!(
                "The value for the field '{field}' must be a valid JSONPath or a valid intrinsic function call"
            ),
            loc,
        );
    }
}

/// A `{% ... %}` string: the expression must compile. AWS reports the parser's message
/// without jsonata-js's `S0202: ` code prefix, as `INVALID_JSONATA_EXPRESSION` at the string's
/// own location. Strings that are not delimited are literals and always pass.
pub(crate) fn check_jsonata(ctx: &mut Ctx, s: &str, loc: &Loc) {
    let Some(text) = estado_jsonata::expression_text(s) else {
        return;
    };
    if let Err(e) = estado_jsonata::Expression::compile(text) {
        ctx.error(
            codes::INVALID_JSONATA_EXPRESSION,
            strip_code(e.message()),
            loc,
        );
    }
}

/// `S0202: Expected "]", got ","` -> `Expected "]", got ","`.
fn strip_code(message: &str) -> &str {
    let bytes = message.as_bytes();
    let coded = bytes.len() > 7
        && bytes[0].is_ascii_uppercase()
        && bytes[1..5].iter().all(u8::is_ascii_digit)
        && &bytes[5..7] == b": ";
    if coded {
        &message[7..]
    } else {
        message
    }
}

/// Every `{% %}` string anywhere inside `v` (a JSONata template: `Output`, `Arguments`,
/// `Assign`, ...), each at its own location (`/States/E/Output/v`, `.../values[0]`).
pub(crate) fn check_jsonata_template(ctx: &mut Ctx, v: &Value, loc: &Loc) {
    match v {
        Value::String(s) => check_jsonata(ctx, s, loc),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_jsonata_template(ctx, item, &loc.index(i));
            }
        }
        Value::Object(map) => {
            for (k, item) in map {
                check_jsonata_template(ctx, item, &loc.key(k));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::strip_code;

    #[test]
    fn jsonata_codes_are_stripped() {
        assert_eq!(
            strip_code("S0202: Expected \"]\", got \",\""),
            "Expected \"]\", got \",\""
        );
        assert_eq!(strip_code("Unexpected end"), "Unexpected end");
    }
}
