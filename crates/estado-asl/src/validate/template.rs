//! JSONPath payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, JSONPath
//! `Assign`, `Credentials`, ...): every `"key.$"` member must hold a path or an intrinsic call.

use estado_expr::intrinsics::looks_like_call;
use estado_json::Value;

use super::diag::codes;
use super::expr;
use super::{Ctx, Loc};

/// Checks the template `v` found at `loc`. An invalid `"key.$"` value is reported at the object
/// holding it, as AWS does (`... 'parsed.$' must be a valid JSONPath ... at
/// /States/X/Parameters`). A string that looks like a path under a key without `.$` gets AWS's
/// `NO_DOLLAR` warning.
pub(crate) fn check_payload(ctx: &mut Ctx, v: &Value, loc: &Loc) {
    match v {
        Value::Object(map) => {
            for key in map.keys().filter(|k| k.ends_with(".$")) {
                let plain = &key[..key.len() - 2];
                if map.contains_key(plain) {
                    // Both become `plain` once the template is evaluated.
                    ctx.schema(
                        format!("The field '{plain}' appears both as '{plain}' and as '{key}'"),
                        loc,
                    );
                }
            }
            for (key, item) in map {
                if key.ends_with(".$") {
                    expr::check_path_or_call(ctx, item, key, loc);
                } else {
                    if let Value::String(s) = item {
                        if looks_dynamic(s) {
                            ctx.warning(
                                codes::NO_DOLLAR,
                                format!(
                                    "The value for the field '{key}' looks like a JSONPath or an intrinsic function call, but the field name does not end with '.$'"
                                ),
                                &loc.key(key),
                            );
                        }
                    }
                    check_payload(ctx, item, &loc.key(key));
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_payload(ctx, item, &loc.index(i));
            }
        }
        _ => {}
    }
}

/// A literal string that a user most likely meant as a path or a call.
fn looks_dynamic(s: &str) -> bool {
    s.starts_with("$.") || s.starts_with("$$.") || looks_like_call(s)
}

/// Pass `Result` is used as is: a `"key.$"` inside it is a literal key, which AWS flags with
/// `PASS_RESULT_IS_STATIC`.
pub(crate) fn check_static_result(ctx: &mut Ctx, v: &Value, loc: &Loc) {
    match v {
        Value::Object(map) => {
            for key in map.keys().filter(|k| k.ends_with(".$")) {
                let plain = &key[..key.len() - 2];
                if map.contains_key(plain) {
                    // Both become `plain` once the template is evaluated.
                    ctx.schema(
                        format!("The field '{plain}' appears both as '{plain}' and as '{key}'"),
                        loc,
                    );
                }
            }
            for (key, item) in map {
                if key.ends_with(".$") {
                    ctx.warning(
                        codes::PASS_RESULT_IS_STATIC,
                        format!(
                            "The field '{key}' of a Pass state's Result is used as is: a path is not evaluated in Result"
                        ),
                        loc,
                    );
                }
                check_static_result(ctx, item, &loc.key(key));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_static_result(ctx, item, &loc.index(i));
            }
        }
        _ => {}
    }
}
