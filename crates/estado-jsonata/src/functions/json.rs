//! `$parse(string)`: the JSON value a string holds (Step Functions' replacement for `$eval`).

use jsonata_core::evaluator::EvaluatorError;
use jsonata_core::value::JValue;

use super::{check_arity, failure, string_arg};

/// `$parse(json)`: parses the string as JSON. An undefined argument gives undefined; a string
/// that is not JSON is an error.
pub(crate) fn parse(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    const NAME: &str = "parse";
    check_arity(NAME, args, 1)?;
    let Some(text) = string_arg(NAME, args, 1)? else {
        return Ok(JValue::Undefined);
    };
    let value: estado_json::Value = estado_json::from_str(text).map_err(|e| {
        failure(format!(
            "The function \"{NAME}\" could not parse its argument as JSON: {e}"
        ))
    })?;
    Ok(crate::convert::to_jvalue(&value))
}
