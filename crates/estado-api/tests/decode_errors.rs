//! Decoding errors, each as AWS reports it: status, `__type` and message.

use estado_api::{decode, ApiError, ErrorCode, Operation};
use serde_json::{json, Value};

const SM: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:HelloWorld";
const VALIDATION: &str = "com.amazon.coral.validate#ValidationException";
const SERIALIZATION: &str = "com.amazon.coral.service#SerializationException";

fn error(op: Operation, body: &str) -> ApiError {
    match decode(op, body.as_bytes()) {
        Ok(request) => panic!("{op} accepted {body}: {request:?}"),
        Err(error) => error,
    }
}

/// `body` for `op` fails with exactly `expected` as the response body, with status 400.
fn give(op: Operation, body: Value, expected: Value) {
    let error = error(op, &body.to_string());
    assert_eq!(error.status(), 400);
    assert_eq!(error.body(), expected, "{body}");
}

fn invalid(op: Operation, body: Value, message: &str) {
    give(op, body, json!({"__type": VALIDATION, "message": message}));
}

fn mistyped(op: Operation, body: Value, message: &str) {
    give(
        op,
        body,
        json!({"__type": SERIALIZATION, "message": message}),
    );
}

#[test]
fn a_body_that_is_not_a_json_object_is_a_serialization_exception() {
    for body in [
        "{",
        "nope",
        "[]",
        "1",
        "\"{}\"",
        "null",
        "{\"a\":1}}",
        "\u{feff}{}",
    ] {
        let error = error(Operation::StartExecution, body);
        assert_eq!(error.code(), ErrorCode::SerializationException, "{body}");
        assert_eq!(error.body(), json!({"__type": SERIALIZATION}), "{body}");
    }
}

#[test]
fn a_member_of_the_wrong_type_is_a_serialization_exception() {
    let op = Operation::StartExecution;
    mistyped(
        op,
        json!({"stateMachineArn": 1}),
        "class java.lang.Short can not be converted to an String",
    );
    mistyped(
        op,
        json!({"stateMachineArn": 1.5}),
        "class java.lang.Double can not be converted to an String",
    );
    mistyped(
        op,
        json!({"stateMachineArn": 100000}),
        "class java.lang.Integer can not be converted to an String",
    );
    mistyped(
        op,
        json!({"stateMachineArn": true}),
        "class java.lang.Boolean can not be converted to an String",
    );
    mistyped(
        op,
        json!({"stateMachineArn": [SM]}),
        "Start of list found where not expected",
    );
    mistyped(
        op,
        json!({"stateMachineArn": {}}),
        "Start of structure or map found where not expected.",
    );
    // The framework reads `input` as a string: a JSON object where the text belongs is a type error.
    mistyped(
        op,
        json!({"stateMachineArn": SM, "input": {"a": 1}}),
        "Start of structure or map found where not expected.",
    );

    let op = Operation::ListExecutions;
    mistyped(
        op,
        json!({"maxResults": "10"}),
        "class java.lang.String can not be converted to an Integer",
    );
    mistyped(
        op,
        json!({"maxResults": false}),
        "class java.lang.Boolean can not be converted to an Integer",
    );
    let too_big = error(op, r#"{"maxResults": 3000000000}"#);
    assert_eq!(too_big.body(), json!({"__type": SERIALIZATION}));

    let op = Operation::GetExecutionHistory;
    mistyped(
        op,
        json!({"executionArn": "x", "reverseOrder": "yes"}),
        "'YES' can not be converted to an Boolean",
    );
    mistyped(
        op,
        json!({"executionArn": "x", "reverseOrder": 1}),
        "class java.lang.Short can not be converted to an Boolean",
    );

    let op = Operation::TagResource;
    mistyped(
        op,
        json!({"resourceArn": SM, "tags": {"key": "k"}}),
        "Start of structure or map found where not expected.",
    );
    mistyped(
        op,
        json!({"resourceArn": SM, "tags": "k=v"}),
        "Expected list or null",
    );
    mistyped(
        op,
        json!({"resourceArn": SM, "tags": ["k"]}),
        "Expected null",
    );
    mistyped(
        op,
        json!({"resourceArn": SM, "tags": [[]]}),
        "Start of list found where not expected",
    );

    let op = Operation::UpdateMapRun;
    mistyped(
        op,
        json!({"mapRunArn": "x", "toleratedFailurePercentage": "5"}),
        "class java.lang.String can not be converted to an Float",
    );
}

#[test]
fn a_missing_required_member_must_not_be_null() {
    invalid(
        Operation::StartExecution,
        json!({"name": "n"}),
        "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
    );
    invalid(
        Operation::StartExecution,
        json!({"stateMachineArn": null}),
        "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null",
    );
    invalid(
        Operation::CreateStateMachine,
        json!({}),
        "3 validation errors detected: \
         Value null at 'name' failed to satisfy constraint: Member must not be null; \
         Value null at 'definition' failed to satisfy constraint: Member must not be null; \
         Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    );
}

#[test]
fn lengths_and_ranges() {
    let long = "a".repeat(81);
    invalid(
        Operation::StartExecution,
        json!({"stateMachineArn": SM, "name": long}),
        &format!("1 validation error detected: Value '{long}' at 'name' failed to satisfy constraint: Member must have length less than or equal to 80"),
    );
    invalid(
        Operation::StartExecution,
        json!({"stateMachineArn": ""}),
        "1 validation error detected: Value '' at 'stateMachineArn' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    // Java counts UTF-16 code units: 40 emoji are 80 units, 41 are 82.
    let emoji = "😀".repeat(40);
    assert!(decode(
        Operation::StartExecution,
        json!({"stateMachineArn": SM, "name": emoji})
            .to_string()
            .as_bytes()
    )
    .is_ok());
    invalid(
        Operation::ListStateMachines,
        json!({"maxResults": 1001}),
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000",
    );
    invalid(
        Operation::ListStateMachines,
        json!({"maxResults": -1}),
        "1 validation error detected: Value '-1' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 0",
    );
    let token = "t".repeat(1025);
    invalid(
        Operation::ListStateMachines,
        json!({"nextToken": token}),
        &format!("1 validation error detected: Value '{token}' at 'nextToken' failed to satisfy constraint: Member must have length less than or equal to 1024"),
    );
    // ListExecutions tokens may be longer.
    assert!(decode(
        Operation::ListExecutions,
        json!({"nextToken": token}).to_string().as_bytes()
    )
    .is_ok());
    invalid(
        Operation::UpdateMapRun,
        json!({"mapRunArn": "x", "toleratedFailurePercentage": 101}),
        "1 validation error detected: Value '101.0' at 'toleratedFailurePercentage' failed to satisfy constraint: Member must have value less than or equal to 100",
    );
}

#[test]
fn sensitive_values_are_not_echoed() {
    let big = format!("\"{}\"", "é".repeat(131_072)); // 262,146 bytes in UTF-8
    invalid(
        Operation::StartExecution,
        json!({"stateMachineArn": SM, "input": big}),
        "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have size less than or equal to 262144 bytes in UTF-8 encoding",
    );
    invalid(
        Operation::SendTaskHeartbeat,
        json!({"taskToken": ""}),
        "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    invalid(
        Operation::CreateStateMachine,
        json!({"name": "n", "definition": "", "roleArn": "r"}),
        "1 validation error detected: Value at 'definition' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
}

#[test]
fn enum_values() {
    invalid(
        Operation::CreateStateMachine,
        json!({"name": "n", "definition": "{}", "roleArn": "r", "type": "BATCH"}),
        "1 validation error detected: Value 'BATCH' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]",
    );
    // Recorded on AWS: the set is listed in AWS's own order, not the model's.
    invalid(
        Operation::ListExecutions,
        json!({"stateMachineArn": SM, "statusFilter": "succeeded"}),
        "1 validation error detected: Value 'succeeded' at 'statusFilter' failed to satisfy constraint: Member must satisfy enum value set: [SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
    );
    invalid(
        Operation::TestState,
        json!({"definition": "{}", "inspectionLevel": "ALL"}),
        "1 validation error detected: Value 'ALL' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]",
    );
}

#[test]
fn nested_members_and_list_items_have_dotted_paths() {
    let version = format!("{SM}:1");
    invalid(
        Operation::CreateStateMachineAlias,
        json!({"name": "PROD", "routingConfiguration": [
            {"stateMachineVersionArn": version, "weight": 101}, {"weight": 0}]}),
        "2 validation errors detected: \
         Value '101' at 'routingConfiguration.1.member.weight' failed to satisfy constraint: Member must have value less than or equal to 100; \
         Value null at 'routingConfiguration.2.member.stateMachineVersionArn' failed to satisfy constraint: Member must not be null",
    );
    invalid(
        Operation::CreateStateMachineAlias,
        json!({"name": "PROD", "routingConfiguration": [
            {"stateMachineVersionArn": "a", "weight": 1}, {"stateMachineVersionArn": "b", "weight": 2},
            {"stateMachineVersionArn": "c", "weight": 3}]}),
        "1 validation error detected: Value '[RoutingConfigurationListItem(stateMachineVersionArn=a, weight=1), \
         RoutingConfigurationListItem(stateMachineVersionArn=b, weight=2), \
         RoutingConfigurationListItem(stateMachineVersionArn=c, weight=3)]' at 'routingConfiguration' \
         failed to satisfy constraint: Member must have length less than or equal to 2",
    );
    invalid(
        Operation::TagResource,
        json!({"resourceArn": SM, "tags": [{"key": "ok"}, {"key": ""}]}),
        "1 validation error detected: Value '' at 'tags.2.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    invalid(
        Operation::CreateActivity,
        json!({"name": "a", "encryptionConfiguration": {"kmsDataKeyReusePeriodSeconds": 30}}),
        "2 validation errors detected: \
         Value '30' at 'encryptionConfiguration.kmsDataKeyReusePeriodSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60; \
         Value null at 'encryptionConfiguration.type' failed to satisfy constraint: Member must not be null",
    );
}

#[test]
fn patterns() {
    invalid(
        Operation::CreateStateMachineAlias,
        json!({"name": "123", "routingConfiguration": [{"stateMachineVersionArn": "v", "weight": 100}]}),
        "1 validation error detected: Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ^(?=.*[a-zA-Z_\\-\\.])[a-zA-Z0-9_\\-\\.]+$",
    );
    // Pattern first, then length, for the same value.
    invalid(
        Operation::RedriveExecution,
        json!({"executionArn": "x", "clientToken": ""}),
        "2 validation errors detected: \
         Value '' at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [!-~]+; \
         Value '' at 'clientToken' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
    invalid(
        Operation::StartExecution,
        json!({"stateMachineArn": SM, "traceHeader": "ü"}),
        "1 validation error detected: Value 'ü' at 'traceHeader' failed to satisfy constraint: Member must satisfy regular expression pattern: \\p{ASCII}*",
    );
}

#[test]
fn at_most_ten_violations_are_reported() {
    let tags: Vec<Value> = (0..12).map(|_| json!({"key": ""})).collect();
    let error = error(
        Operation::TagResource,
        &json!({"resourceArn": SM, "tags": tags}).to_string(),
    );
    let message = error.message().unwrap_or_default();
    assert!(
        message.starts_with("10 validation errors detected: "),
        "{message}"
    );
    assert_eq!(message.matches("; ").count(), 9);
}

#[test]
fn type_errors_come_before_constraint_violations() {
    mistyped(
        Operation::StartExecution,
        json!({"name": 5}),
        "class java.lang.Short can not be converted to an String",
    );
}
