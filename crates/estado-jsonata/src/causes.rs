//! The specific parts of AWS's `States.QueryEvaluationError` causes. The interpreter prefixes
//! them with `An error occurred while executing the state 'S' (entered at the event id #N). `.

use estado_json::Value;
use estado_types::StatesError;

/// `The JSONata expression '<expr>' specified for the field '<field>' returned nothing
/// (undefined).`
pub(crate) fn returned_nothing(expression: &str, field: &str) -> StatesError {
    StatesError::query(format!(
        "The JSONata expression '{expression}' specified for the field '{field}' returned nothing (undefined)."
    ))
}

/// `The JSONata expression '<expr>' specified for the field '<field>' threw an error during
/// evaluation. <jsonata message>`.
pub(crate) fn threw(expression: &str, field: &str, message: &str) -> StatesError {
    StatesError::query(format!(
        "The JSONata expression '{expression}' specified for the field '{field}' threw an error during evaluation. {message}"
    ))
}

/// For callers that require a type (an `Items` array, a number of seconds, a boolean
/// `Condition`): `The JSONata expression '<expr>' specified for the field '<field>' returned an
/// unexpected result type. Expected '<expected>', but was '<actual>' for value: <json>`.
///
/// `expected` is AWS's name for the type (`array`, `number`, `boolean`, `string`, `object`);
/// the actual type and the value are derived from `value` (compact JSON).
pub fn unexpected_result_type(
    expression: &str,
    field: &str,
    expected: &str,
    value: &Value,
) -> StatesError {
    StatesError::query(format!(
        "The JSONata expression '{expression}' specified for the field '{field}' returned an unexpected result type. Expected '{expected}', but was '{}' for value: {value}",
        value.type_name()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use estado_json::json;

    #[test]
    fn unexpected_type_causes_match_aws() {
        let e = unexpected_result_type("{'foo': 'bar'}", "Items", "array", &json!({"foo": "bar"}));
        assert_eq!(e.error, "States.QueryEvaluationError");
        assert_eq!(
            e.cause,
            "The JSONata expression '{'foo': 'bar'}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'object' for value: {\"foo\":\"bar\"}"
        );
        let e = unexpected_result_type("'string'", "Items", "array", &json!("string"));
        assert_eq!(
            e.cause,
            "The JSONata expression ''string'' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was 'string' for value: \"string\""
        );
        let e = unexpected_result_type("$ItemsVar", "Items", "array", &json!(true));
        assert!(e
            .cause
            .ends_with("Expected 'array', but was 'boolean' for value: true"));
    }
}
