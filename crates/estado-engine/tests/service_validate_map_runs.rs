//! ValidateStateMachineDefinition, and the Map Run verbs for executions without Map Runs.

use estado_api::shapes::{
    DescribeMapRunInput, ListMapRunsInput, UpdateMapRunInput, ValidateStateMachineDefinitionInput,
    ValidateStateMachineDefinitionOutput,
};
use estado_api::ErrorCode;
use estado_engine::runtime::StartRequest;
use estado_json::json;

mod common;
use common::service;

const MAP_RUN: &str =
    "arn:aws:states:us-east-1:123456789012:mapRun:sm/Map:4f3ee7c6-3d95-3c1e-b0c4-2a5c2fcfbb14";
const EXECUTION: &str = "arn:aws:states:us-east-1:123456789012:execution:sm:e1";

async fn validate(
    definition: &str,
    kind: Option<&str>,
    severity: Option<&str>,
    max: Option<i32>,
) -> ValidateStateMachineDefinitionOutput {
    let (s, ctx) = service();
    s.validate_state_machine_definition(
        &ctx,
        ValidateStateMachineDefinitionInput {
            definition: definition.into(),
            r#type: kind.map(str::to_owned),
            severity: severity.map(str::to_owned),
            max_results: max,
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn a_valid_definition_is_ok() {
    let out = validate(
        r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#,
        None,
        None,
        None,
    )
    .await;
    assert_eq!(out.result, "OK");
    assert!(out.diagnostics.is_empty());
    assert_eq!(out.truncated, Some(false));
}

#[tokio::test]
async fn diagnostics_as_recorded_on_aws() {
    let out = validate("{}", None, None, None).await;
    assert_eq!(out.result, "FAIL");
    assert_eq!(out.diagnostics.len(), 1);
    let d = &out.diagnostics[0];
    assert_eq!(
        (
            d.severity.as_str(),
            d.code.as_str(),
            d.message.as_str(),
            d.location.as_deref()
        ),
        (
            "ERROR",
            "SCHEMA_VALIDATION_FAILED",
            "These fields are required: [States, StartAt]",
            Some("/")
        )
    );
    let out = validate("", None, None, None).await;
    assert_eq!(
        out.diagnostics[0].message,
        "Definition must be a valid JSON object"
    );
    assert_eq!(out.diagnostics[0].location, None);
}

#[tokio::test]
async fn the_type_decides_what_tasks_are_allowed() {
    let def = json!({"StartAt": "SendMessageWithWait", "States": {"SendMessageWithWait": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"QueueUrl": "q", "MessageBody": {"t.$": "$$.Task.Token"}}, "End": true}}})
    .to_string();
    assert_eq!(
        validate(&def, Some("STANDARD"), None, None).await.result,
        "OK"
    );
    let out = validate(&def, Some("EXPRESS"), None, None).await;
    assert_eq!(out.result, "FAIL");
    assert_eq!(
        out.diagnostics[0].message,
        "Express state machine does not support '.waitForTaskToken' service integration "
    );
    assert_eq!(
        out.diagnostics[0].location.as_deref(),
        Some("/States/SendMessageWithWait/Resource")
    );
}

#[tokio::test]
async fn severity_and_max_results() {
    // Three errors: two dangling targets and no terminal state.
    let def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "X"},
        "B": {"Type": "Pass", "Next": "Y"}}})
    .to_string();
    let all = validate(&def, None, None, None).await;
    assert!(all.diagnostics.len() >= 2, "{:?}", all.diagnostics);
    let one = validate(&def, None, None, Some(1)).await;
    assert_eq!(one.diagnostics.len(), 1);
    assert_eq!(one.truncated, Some(true));
    assert_eq!(one.diagnostics[0], all.diagnostics[0]);

    // A JSONPath-looking string without ".$" is a warning: shown only with severity WARNING,
    // and the result stays OK.
    let warn = json!({"StartAt": "P", "States": {"P": {"Type": "Pass",
        "Parameters": {"x": "$.input"}, "End": true}}})
    .to_string();
    let errors_only = validate(&warn, None, None, None).await;
    assert_eq!(errors_only.result, "OK");
    assert!(errors_only.diagnostics.is_empty());
    let with_warnings = validate(&warn, None, Some("WARNING"), None).await;
    assert_eq!(with_warnings.result, "OK");
    assert!(with_warnings
        .diagnostics
        .iter()
        .all(|d| d.severity == "WARNING"));
    assert!(!with_warnings.diagnostics.is_empty());
}

#[tokio::test]
async fn map_runs_of_an_execution_without_them() {
    let (s, ctx) = service();
    let list = |arn: &str, token: Option<&str>| ListMapRunsInput {
        execution_arn: arn.into(),
        max_results: None,
        next_token: token.map(str::to_owned),
    };
    let e = s
        .list_map_runs(&ctx, list(EXECUTION, None))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ExecutionDoesNotExist);
    assert_eq!(
        e.message(),
        Some(format!("Execution Does Not Exist: '{EXECUTION}'").as_str())
    );
    s.runtime
        .start(StartRequest {
            execution_arn: EXECUTION.into(),
            state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:sm".into(),
            state_machine_name: "sm".into(),
            name: "e1".into(),
            definition: r#"{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}"#.into(),
            role_arn: "arn:aws:iam::123456789012:role/r".into(),
            input: "{}".into(),
            express: false,
            version_arn: None,
            alias_arn: None,
            trace_header: None,
            test_case: None,
        })
        .await
        .unwrap();
    let out = s.list_map_runs(&ctx, list(EXECUTION, None)).await.unwrap();
    assert!(out.map_runs.is_empty());
    assert_eq!(out.next_token, None);
    let e = s
        .list_map_runs(&ctx, list(EXECUTION, Some("junk")))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidToken);
    let e = s
        .list_map_runs(&ctx, list(MAP_RUN, None))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArn);
}

#[tokio::test]
async fn describe_and_update_unknown_map_runs() {
    let (s, ctx) = service();
    let e = s
        .describe_map_run(
            &ctx,
            DescribeMapRunInput {
                map_run_arn: MAP_RUN.into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResourceNotFound);
    assert_eq!(e.resource_name(), Some(MAP_RUN));
    let e = s
        .describe_map_run(
            &ctx,
            DescribeMapRunInput {
                map_run_arn: EXECUTION.into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArn);

    let update = |arn: &str, max: Option<i32>| UpdateMapRunInput {
        map_run_arn: arn.into(),
        max_concurrency: max,
        tolerated_failure_percentage: None,
        tolerated_failure_count: None,
    };
    let e = s
        .update_map_run(&ctx, update(MAP_RUN, Some(5)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ResourceNotFound);
    let e = s
        .update_map_run(&ctx, update(MAP_RUN, None))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ValidationException);
    let e = s
        .update_map_run(
            &ctx,
            update("arn:aws:states:us-east-1:123456789012:mapRun:sm:x", Some(1)),
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidArn);
}
