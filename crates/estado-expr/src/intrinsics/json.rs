//! The JSON intrinsics: `States.StringToJson`, `States.JsonToString` and `States.JsonMerge`.

use estado_json::Value;
use estado_types::StatesError;

use super::args::Invocation;
use super::java;

/// `States.StringToJson(string)`: the parsed JSON value. Blank text parses to `null` (as
/// Jackson reads an empty document); anything that is not one JSON value is an error.
pub(crate) fn string_to_json(inv: &Invocation) -> Result<Value, StatesError> {
    let text = inv.string(0)?;
    if text.trim().is_empty() {
        return Ok(Value::Null);
    }
    estado_json::from_str(text)
        .map_err(|_| inv.fail(format!("the string is not valid JSON: {text}")))
}

/// `States.JsonToString(value)`: compact JSON text, numbers printed as Java prints them.
pub(crate) fn json_to_string(inv: &Invocation) -> Result<Value, StatesError> {
    Ok(Value::String(java::to_json(inv.arg(0)?)))
}

/// `States.JsonMerge(first, second, deep)`: a shallow merge of two objects, `second`'s members
/// replacing `first`'s (in `first`'s position) and nested objects not merged. AWS supports
/// only the shallow mode, so `deep` must be `false`.
pub(crate) fn json_merge(inv: &Invocation) -> Result<Value, StatesError> {
    let first = inv.object(0)?;
    let second = inv.object(1)?;
    if inv.boolean(2)? {
        return Err(inv
            .fail("only the shallow merging mode is supported; the third argument must be false"));
    }
    let mut merged = first.clone();
    for (key, value) in second {
        merged.insert(key.clone(), value.clone());
    }
    Ok(Value::Object(merged))
}
