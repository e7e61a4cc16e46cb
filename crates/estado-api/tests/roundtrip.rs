//! Every operation decodes a realistic request and round-trips a realistic response, in the
//! shapes the AWS API reference documents.

use std::collections::BTreeSet;
use std::fmt::Debug;

use estado_api::shapes::*;
use estado_api::{decode, decode_as, encode, Input, Operation, Output};
use serde_json::{json, Value};

const SM: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:HelloWorld";
const EXEC: &str = "arn:aws:states:us-east-1:123456789012:execution:HelloWorld:run-1";
const ACT: &str = "arn:aws:states:us-east-1:123456789012:activity:get-greeting";
const ROLE: &str = "arn:aws:iam::123456789012:role/service-role/StepFunctions-HelloWorld";
const MAP_RUN: &str =
    "arn:aws:states:us-east-1:123456789012:mapRun:HelloWorld/Map:3b8c8e1a-0a3c-4c4f-9f39-4f3d5b5a8b11";
const DEF: &str = r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#;
const TOKEN: &str = "AAAAKgAAAAIAAAAAAAAAAbbo6fbhzl2rjjw1v5RQxG3MIxyc5ZoZxkMNsLOf";

/// Decodes `request` for `I`'s operation, checks it serialises back unchanged, and round-trips
/// `response` through `O`.
fn give<I, O>(request: Value, response: Value) -> Operation
where
    I: Input + PartialEq + Debug,
    O: Output + PartialEq + Debug,
{
    let body = serde_json::to_vec(&request).unwrap();
    let decoded = decode(I::OPERATION, &body).unwrap_or_else(|e| panic!("{}: {e}", I::OPERATION));
    assert_eq!(decoded.operation(), I::OPERATION);
    assert_eq!(
        serde_json::to_value(&decoded).unwrap(),
        request,
        "{}",
        I::OPERATION
    );
    let typed: I = decode_as(&body).unwrap();
    assert_eq!(serde_json::to_value(&typed).unwrap(), request);

    assert_eq!(O::OPERATION, I::OPERATION);
    let output: O = serde_json::from_value(response.clone())
        .unwrap_or_else(|e| panic!("{} output: {e}", I::OPERATION));
    let encoded: Value = serde_json::from_slice(&encode(&output)).unwrap();
    assert_eq!(encoded, response, "{}", I::OPERATION);
    I::OPERATION
}

#[test]
fn every_operation_round_trips() {
    let tags = json!([{"key": "team", "value": "core"}, {"key": "stage"}]);
    let logging = json!({
        "level": "ERROR", "includeExecutionData": true,
        "destinations": [{"cloudWatchLogsLogGroup": {"logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:sfn:*"}}]
    });
    let encryption = json!({"type": "CUSTOMER_MANAGED_KMS_KEY", "kmsKeyId": "alias/sfn", "kmsDataKeyReusePeriodSeconds": 300});
    let counts = json!({"pending": 0, "running": 1, "succeeded": 8, "failed": 1, "timedOut": 0,
        "aborted": 0, "total": 10, "resultsWritten": 9, "failuresNotRedrivable": 0, "pendingRedrive": 0});
    let done = vec![
        give::<CreateActivityInput, CreateActivityOutput>(
            json!({"name": "get-greeting", "tags": tags, "encryptionConfiguration": {"type": "AWS_OWNED_KEY"}}),
            json!({"activityArn": ACT, "creationDate": 1700000000.123}),
        ),
        give::<CreateStateMachineInput, CreateStateMachineOutput>(
            json!({"name": "HelloWorld", "definition": DEF, "roleArn": ROLE, "type": "STANDARD",
                "loggingConfiguration": logging, "tags": tags, "tracingConfiguration": {"enabled": true},
                "publish": true, "versionDescription": "first", "encryptionConfiguration": encryption}),
            json!({"stateMachineArn": SM, "creationDate": 1700000000.5, "stateMachineVersionArn": format!("{SM}:1")}),
        ),
        give::<CreateStateMachineAliasInput, CreateStateMachineAliasOutput>(
            json!({"description": "production", "name": "PROD", "routingConfiguration": [
                {"stateMachineVersionArn": format!("{SM}:1"), "weight": 90},
                {"stateMachineVersionArn": format!("{SM}:2"), "weight": 10}]}),
            json!({"stateMachineAliasArn": format!("{SM}:PROD"), "creationDate": 1700000001.0}),
        ),
        give::<DeleteActivityInput, DeleteActivityOutput>(json!({"activityArn": ACT}), json!({})),
        give::<DeleteStateMachineInput, DeleteStateMachineOutput>(
            json!({"stateMachineArn": SM}),
            json!({}),
        ),
        give::<DeleteStateMachineAliasInput, DeleteStateMachineAliasOutput>(
            json!({"stateMachineAliasArn": format!("{SM}:PROD")}),
            json!({}),
        ),
        give::<DeleteStateMachineVersionInput, DeleteStateMachineVersionOutput>(
            json!({"stateMachineVersionArn": format!("{SM}:1")}),
            json!({}),
        ),
        give::<DescribeActivityInput, DescribeActivityOutput>(
            json!({"activityArn": ACT}),
            json!({"activityArn": ACT, "name": "get-greeting", "creationDate": 1700000000.123,
                "encryptionConfiguration": {"type": "AWS_OWNED_KEY"}}),
        ),
        give::<DescribeExecutionInput, DescribeExecutionOutput>(
            json!({"executionArn": EXEC, "includedData": "ALL_DATA"}),
            json!({"executionArn": EXEC, "stateMachineArn": SM, "name": "run-1", "status": "SUCCEEDED",
                "startDate": 1700000000.123, "stopDate": 1700000002.456, "input": "{\"a\":1}",
                "inputDetails": {"included": true}, "output": "{\"a\":1}", "outputDetails": {"included": true},
                "redriveCount": 0, "redriveStatus": "NOT_REDRIVABLE",
                "redriveStatusReason": "Execution is SUCCEEDED and cannot be redriven"}),
        ),
        give::<DescribeMapRunInput, DescribeMapRunOutput>(
            json!({"mapRunArn": MAP_RUN}),
            json!({"mapRunArn": MAP_RUN, "executionArn": EXEC, "status": "SUCCEEDED", "startDate": 1700000000.0,
                "stopDate": 1700000060.0, "maxConcurrency": 1000, "toleratedFailurePercentage": 12.5,
                "toleratedFailureCount": 2, "itemCounts": counts, "executionCounts": counts,
                "redriveCount": 0}),
        ),
        give::<DescribeStateMachineInput, DescribeStateMachineOutput>(
            json!({"stateMachineArn": format!("{SM}:1"), "includedData": "METADATA_ONLY"}),
            json!({"stateMachineArn": SM, "name": "HelloWorld", "status": "ACTIVE", "definition": DEF,
                "roleArn": ROLE, "type": "STANDARD", "creationDate": 1700000000.0,
                "loggingConfiguration": {"level": "OFF", "includeExecutionData": false},
                "tracingConfiguration": {"enabled": false}, "revisionId": "1a2b", "description": "first",
                "variableReferences": {"P": ["x", "y"], "A": []}}),
        ),
        give::<DescribeStateMachineAliasInput, DescribeStateMachineAliasOutput>(
            json!({"stateMachineAliasArn": format!("{SM}:PROD")}),
            json!({"stateMachineAliasArn": format!("{SM}:PROD"), "name": "PROD", "description": "production",
                "routingConfiguration": [{"stateMachineVersionArn": format!("{SM}:1"), "weight": 100}],
                "creationDate": 1700000000.0, "updateDate": 1700000100.0}),
        ),
        give::<DescribeStateMachineForExecutionInput, DescribeStateMachineForExecutionOutput>(
            json!({"executionArn": EXEC}),
            json!({"stateMachineArn": SM, "name": "HelloWorld", "definition": DEF, "roleArn": ROLE,
                "updateDate": 1700000000.0, "tracingConfiguration": {"enabled": false}}),
        ),
        give::<GetActivityTaskInput, GetActivityTaskOutput>(
            json!({"activityArn": ACT, "workerName": "worker-1"}),
            json!({"taskToken": TOKEN, "input": "{\"who\":\"AWS\"}"}),
        ),
        give::<GetExecutionHistoryInput, GetExecutionHistoryOutput>(
            json!({"executionArn": EXEC, "maxResults": 2, "reverseOrder": false, "nextToken": "abc",
                "includeExecutionData": true}),
            json!({"events": [
                {"timestamp": 1700000000.123, "type": "ExecutionStarted", "id": 1, "previousEventId": 0,
                 "executionStartedEventDetails": {"input": "{}", "inputDetails": {"truncated": false}, "roleArn": ROLE}},
                {"timestamp": 1700000000.2, "type": "PassStateEntered", "id": 2, "previousEventId": 0,
                 "stateEnteredEventDetails": {"name": "P", "input": "{}", "inputDetails": {"truncated": false}}}],
                "nextToken": "def"}),
        ),
        give::<ListActivitiesInput, ListActivitiesOutput>(
            json!({"maxResults": 10}),
            json!({"activities": [{"activityArn": ACT, "name": "get-greeting", "creationDate": 1700000000.0}]}),
        ),
        give::<ListExecutionsInput, ListExecutionsOutput>(
            json!({"stateMachineArn": SM, "statusFilter": "RUNNING", "maxResults": 0, "redriveFilter": "NOT_REDRIVEN"}),
            json!({"executions": [{"executionArn": EXEC, "stateMachineArn": SM, "name": "run-1",
                "status": "RUNNING", "startDate": 1700000000.0, "redriveCount": 0}], "nextToken": "t"}),
        ),
        give::<ListMapRunsInput, ListMapRunsOutput>(
            json!({"executionArn": EXEC, "maxResults": 1000}),
            json!({"mapRuns": [{"executionArn": EXEC, "mapRunArn": MAP_RUN, "stateMachineArn": SM,
                "startDate": 1700000000.0, "stopDate": 1700000001.0}]}),
        ),
        give::<ListStateMachineAliasesInput, ListStateMachineAliasesOutput>(
            json!({"stateMachineArn": SM, "maxResults": 5}),
            json!({"stateMachineAliases": [{"stateMachineAliasArn": format!("{SM}:PROD"), "creationDate": 1700000000.0}]}),
        ),
        give::<ListStateMachineVersionsInput, ListStateMachineVersionsOutput>(
            json!({"stateMachineArn": SM}),
            json!({"stateMachineVersions": [{"stateMachineVersionArn": format!("{SM}:1"), "creationDate": 1700000000.0}]}),
        ),
        give::<ListStateMachinesInput, ListStateMachinesOutput>(
            json!({}),
            json!({"stateMachines": [{"stateMachineArn": SM, "name": "HelloWorld", "type": "EXPRESS",
                "creationDate": 1700000000.0}]}),
        ),
        give::<ListTagsForResourceInput, ListTagsForResourceOutput>(
            json!({"resourceArn": SM}),
            json!({"tags": tags}),
        ),
        give::<PublishStateMachineVersionInput, PublishStateMachineVersionOutput>(
            json!({"stateMachineArn": SM, "revisionId": "1a2b", "description": "v2"}),
            json!({"creationDate": 1700000000.0, "stateMachineVersionArn": format!("{SM}:2")}),
        ),
        give::<RedriveExecutionInput, RedriveExecutionOutput>(
            json!({"executionArn": EXEC, "clientToken": "redrive-1"}),
            json!({"redriveDate": 1700000000.0}),
        ),
        give::<SendTaskFailureInput, SendTaskFailureOutput>(
            json!({"taskToken": TOKEN, "error": "Worker.Failed", "cause": "disk full"}),
            json!({}),
        ),
        give::<SendTaskHeartbeatInput, SendTaskHeartbeatOutput>(
            json!({"taskToken": TOKEN}),
            json!({}),
        ),
        give::<SendTaskSuccessInput, SendTaskSuccessOutput>(
            json!({"taskToken": TOKEN, "output": "{\"greeting\":\"Hello, AWS\"}"}),
            json!({}),
        ),
        give::<StartExecutionInput, StartExecutionOutput>(
            json!({"stateMachineArn": SM, "name": "run-1", "input": "{\"first_name\" : \"Alejandro\"}",
                "traceHeader": "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1"}),
            json!({"executionArn": EXEC, "startDate": 1700000000.123}),
        ),
        give::<StartSyncExecutionInput, StartSyncExecutionOutput>(
            json!({"stateMachineArn": SM, "input": "{}", "includedData": "ALL_DATA"}),
            json!({"executionArn": "arn:aws:states:us-east-1:123456789012:express:HelloWorld:run-1:5f1e2d3c",
                "stateMachineArn": SM, "name": "run-1", "startDate": 1700000000.0, "stopDate": 1700000000.25,
                "status": "FAILED", "error": "States.TaskFailed", "cause": "boom", "input": "{}",
                "inputDetails": {"included": true}, "billingDetails": {"billedMemoryUsedInMB": 64,
                "billedDurationInMilliseconds": 100}}),
        ),
        give::<StopExecutionInput, StopExecutionOutput>(
            json!({"executionArn": EXEC, "error": "Stopped", "cause": "by operator"}),
            json!({"stopDate": 1700000000.0}),
        ),
        give::<TagResourceInput, TagResourceOutput>(
            json!({"resourceArn": ACT, "tags": tags}),
            json!({}),
        ),
        give::<TestStateInput, TestStateOutput>(
            json!({"definition": r#"{"Type":"Pass","End":true}"#, "roleArn": ROLE, "input": "{}",
                "inspectionLevel": "DEBUG", "revealSecrets": false, "variables": "{\"x\":1}",
                "stateName": "P", "mock": {"result": "{}", "fieldValidationMode": "STRICT"},
                "context": "{}", "stateConfiguration": {"retrierRetryCount": 1}}),
            json!({"output": "{}", "inspectionData": {"input": "{}", "afterInputPath": "{}",
                "errorDetails": {"retryIndex": 0}, "toleratedFailurePercentage": 5.5},
                "status": "SUCCEEDED", "nextState": "Next"}),
        ),
        give::<UntagResourceInput, UntagResourceOutput>(
            json!({"resourceArn": SM, "tagKeys": ["team", "stage"]}),
            json!({}),
        ),
        give::<UpdateMapRunInput, UpdateMapRunOutput>(
            json!({"mapRunArn": MAP_RUN, "maxConcurrency": 10, "toleratedFailurePercentage": 50.0,
                "toleratedFailureCount": 5}),
            json!({}),
        ),
        give::<UpdateStateMachineInput, UpdateStateMachineOutput>(
            json!({"stateMachineArn": SM, "definition": DEF, "publish": true, "versionDescription": "v3",
                "tracingConfiguration": {"enabled": true}}),
            json!({"updateDate": 1700000000.0, "revisionId": "3c4d", "stateMachineVersionArn": format!("{SM}:3")}),
        ),
        give::<UpdateStateMachineAliasInput, UpdateStateMachineAliasOutput>(
            json!({"stateMachineAliasArn": format!("{SM}:PROD"), "description": "canary",
                "routingConfiguration": [{"stateMachineVersionArn": format!("{SM}:3"), "weight": 100}]}),
            json!({"updateDate": 1700000000.0}),
        ),
        give::<ValidateStateMachineDefinitionInput, ValidateStateMachineDefinitionOutput>(
            json!({"definition": DEF, "type": "EXPRESS", "severity": "WARNING", "maxResults": 100}),
            json!({"result": "FAIL", "diagnostics": [{"severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
                "message": "These fields are required: [States]", "location": "/"}], "truncated": false}),
        ),
    ];
    let covered: BTreeSet<Operation> = done.into_iter().collect();
    let all: BTreeSet<Operation> = Operation::ALL.into_iter().collect();
    assert_eq!(covered, all);
}

#[test]
fn an_empty_body_is_an_empty_object() {
    let request = decode(Operation::ListStateMachines, b"").unwrap();
    assert_eq!(
        request,
        estado_api::Request::ListStateMachines(ListStateMachinesInput::default())
    );
    assert!(decode(Operation::ListActivities, b"  \n").is_ok());
}

#[test]
fn unknown_and_null_members_are_ignored() {
    let body = json!({"stateMachineArn": SM, "name": null, "input": null, "sdkExtra": {"x": [1]}});
    let input: StartExecutionInput = decode_as(body.to_string().as_bytes()).unwrap();
    assert_eq!(input.state_machine_arn, SM);
    assert_eq!(input.name, None);
    assert_eq!(input.input, None);
}

#[test]
fn integers_with_a_fraction_are_truncated() {
    let input: ListActivitiesInput = decode_as(br#"{"maxResults": 7.9}"#).unwrap();
    assert_eq!(input.max_results, Some(7));
}
