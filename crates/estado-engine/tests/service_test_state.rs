//! TestState, with the answers AWS recorded for the same states (LocalStack's snapshots of
//! real AWS runs): outputs, next states, statuses and inspection data.

use std::sync::Arc;

use estado_api::shapes::{
    MockErrorOutput, MockInput, TestStateConfiguration, TestStateInput, TestStateOutput,
};
use estado_api::ErrorCode;
use estado_engine::service::{Service, ServiceConfig};
use estado_engine::{Runtime, RuntimeConfig, SystemClock};
use estado_json::{json, Value};
use estado_store::memory::MemoryStore;
use estado_store::Store;

const ROLE: &str = "arn:aws:iam::123456789012:role/sfn";

fn service() -> Arc<Service> {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let runtime = Runtime::new(
        store,
        Arc::new(SystemClock),
        RuntimeConfig::default(),
        estado_engine::Registry::default(),
    );
    Service::new(runtime, ServiceConfig::default())
}

fn request(definition: Value, input: Value) -> TestStateInput {
    TestStateInput {
        definition: definition.to_string(),
        role_arn: Some(ROLE.into()),
        input: Some(input.to_string()),
        inspection_level: Some("DEBUG".into()),
        reveal_secrets: None,
        variables: None,
        state_name: None,
        mock: None,
        context: None,
        state_configuration: None,
    }
}

fn mock_result(v: Value) -> Option<MockInput> {
    Some(MockInput {
        result: Some(v.to_string()),
        error_output: None,
        field_validation_mode: None,
    })
}

fn mock_error(error: &str, cause: &str) -> Option<MockInput> {
    Some(MockInput {
        result: None,
        error_output: Some(MockErrorOutput {
            error: Some(error.into()),
            cause: Some(cause.into()),
        }),
        field_validation_mode: None,
    })
}

async fn run(req: TestStateInput) -> TestStateOutput {
    let s = service();
    let ctx = s.default_ctx();
    s.test_state(&ctx, req).await.unwrap()
}

fn parsed(text: &Option<String>) -> Option<Value> {
    text.as_deref().map(|t| serde_json::from_str(t).unwrap())
}

/// The inspection data as one JSON object of parsed stages (absent stages left out).
fn inspection(out: &TestStateOutput) -> Value {
    let i = out.inspection_data.clone().unwrap();
    let mut m = estado_json::Map::new();
    for (k, v) in [
        ("input", &i.input),
        ("afterInputPath", &i.after_input_path),
        ("afterParameters", &i.after_parameters),
        ("afterArguments", &i.after_arguments),
        ("result", &i.result),
        ("afterResultSelector", &i.after_result_selector),
        ("afterResultPath", &i.after_result_path),
        ("variables", &i.variables),
    ] {
        if let Some(v) = parsed(v) {
            m.insert(k, v);
        }
    }
    Value::Object(m)
}

fn nested_input() -> Value {
    json!({"initialData": {"fieldFromInput": "value from input", "otherField": "other"},
           "unrelatedData": {"someOtherField": 1234}})
}

#[tokio::test]
async fn pass_state_with_every_stage() {
    let def = json!({"Type": "Pass", "InputPath": "$.initialData",
        "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
        "ResultPath": "$.modifiedData", "End": true});
    let out = run(request(def, nested_input())).await;
    assert_eq!(out.status.as_deref(), Some("SUCCEEDED"));
    assert_eq!(out.next_state, None);
    let modified = json!({"staticValue": "some value", "inputValue": "value from input"});
    let mut expected_output = nested_input();
    expected_output["modifiedData"] = modified.clone();
    assert_eq!(parsed(&out.output), Some(expected_output.clone()));
    assert_eq!(
        inspection(&out),
        json!({"input": nested_input(), "afterInputPath": nested_input()["initialData"],
               "afterParameters": modified, "afterResultSelector": modified,
               "afterResultPath": expected_output})
    );
}

#[tokio::test]
async fn pass_state_with_a_result_shows_the_result_stages() {
    let def = json!({"Type": "Pass", "Result": {"resultKey": "result value"}, "End": true});
    let out = run(request(def, json!({"Value": "HelloWorld"}))).await;
    let result = json!({"resultKey": "result value"});
    assert_eq!(parsed(&out.output), Some(result.clone()));
    assert_eq!(
        inspection(&out),
        json!({"input": {"Value": "HelloWorld"}, "result": result,
               "afterResultSelector": result, "afterResultPath": result})
    );
}

#[tokio::test]
async fn info_level_has_no_inspection_data() {
    let mut req = request(json!({"Type": "Pass", "End": true}), json!({"a": 1}));
    req.inspection_level = None;
    let out = run(req).await;
    assert_eq!(out.inspection_data, None);
    assert_eq!(parsed(&out.output), Some(json!({"a": 1})));
}

#[tokio::test]
async fn choice_state_names_the_next_state() {
    let def = json!({"Type": "Choice", "Choices": [
        {"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20},
                 {"Variable": "$.value", "NumericLessThan": 30}], "Next": "ValueInTwenties"}],
        "Default": "DefaultState"});
    let input = json!({"type": "Private", "value": 22});
    let out = run(request(def, input.clone())).await;
    assert_eq!(out.status.as_deref(), Some("SUCCEEDED"));
    assert_eq!(out.next_state.as_deref(), Some("ValueInTwenties"));
    assert_eq!(parsed(&out.output), Some(input.clone()));
    assert_eq!(
        inspection(&out),
        json!({"input": input, "afterInputPath": input})
    );
}

#[tokio::test]
async fn fail_state_fails() {
    let def = json!({"Type": "Fail", "Error": "SomeFailure",
        "Cause": "This state machines raises a 'SomeFailure' failure."});
    let out = run(request(def, json!({"Value": "HelloWorld"}))).await;
    assert_eq!(out.status.as_deref(), Some("FAILED"));
    assert_eq!(out.error.as_deref(), Some("SomeFailure"));
    assert_eq!(
        out.cause.as_deref(),
        Some("This state machines raises a 'SomeFailure' failure.")
    );
    assert_eq!(out.output, None);
}

#[tokio::test]
async fn task_with_a_mocked_result() {
    let def = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Parameters": {"FunctionName.$": "$.FunctionName", "Payload.$": "$.Payload"},
        "ResultSelector": {"body.$": "$.Payload"}, "ResultPath": "$.out", "Next": "After"});
    let input = json!({"FunctionName": "f", "Payload": "p"});
    let mut req = request(def, input.clone());
    req.mock = mock_result(json!({"Payload": "function output", "StatusCode": 200}));
    let out = run(req).await;
    assert_eq!(out.status.as_deref(), Some("SUCCEEDED"));
    assert_eq!(out.next_state.as_deref(), Some("After"));
    let mut expected = input.clone();
    expected["out"] = json!({"body": "function output"});
    assert_eq!(parsed(&out.output), Some(expected.clone()));
    assert_eq!(
        inspection(&out),
        json!({"input": input, "afterInputPath": input,
               "afterParameters": {"FunctionName": "f", "Payload": "p"},
               "result": {"Payload": "function output", "StatusCode": 200},
               "afterResultSelector": {"body": "function output"},
               "afterResultPath": expected})
    );
}

fn jsonata_task_with_catch() -> Value {
    json!({"QueryLanguage": "JSONata", "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "foo", "Payload": "bar"},
        "Catch": [
            {"ErrorEquals": ["MockException"], "Next": "HandleMockError", "Output": "{% $states.errorOutput %}"},
            {"ErrorEquals": ["States.TaskFailed"], "Next": "HandleThreshold", "Output": "{% $states.errorOutput %}"}],
        "End": true})
}

#[tokio::test]
async fn a_caught_error_names_the_catcher_and_its_next_state() {
    let mut req = request(jsonata_task_with_catch(), json!({"Value": "HelloWorld"}));
    req.mock = mock_error("MockException", "Mock the cause of the error.");
    let out = run(req.clone()).await;
    assert_eq!(out.status.as_deref(), Some("CAUGHT_ERROR"));
    assert_eq!(out.next_state.as_deref(), Some("HandleMockError"));
    assert_eq!(out.error.as_deref(), Some("MockException"));
    assert_eq!(out.cause.as_deref(), Some("Mock the cause of the error."));
    assert_eq!(
        parsed(&out.output),
        Some(json!({"Error": "MockException", "Cause": "Mock the cause of the error."}))
    );
    let data = out.inspection_data.clone().unwrap();
    assert_eq!(data.error_details.unwrap().catch_index, Some(0));
    assert_eq!(
        inspection(&out),
        json!({"input": {"Value": "HelloWorld"}, "afterArguments": {"FunctionName": "foo", "Payload": "bar"}})
    );

    req.mock = mock_error("States.TaskFailed", "The task failed.");
    let out = run(req).await;
    assert_eq!(out.next_state.as_deref(), Some("HandleThreshold"));
    assert_eq!(
        out.inspection_data
            .unwrap()
            .error_details
            .unwrap()
            .catch_index,
        Some(1)
    );
}

#[tokio::test]
async fn an_uncaught_mocked_error_fails() {
    // States.TaskFailed in a catcher matches every error but States.Timeout: keep only the
    // MockException catcher.
    let mut def = jsonata_task_with_catch();
    def["Catch"].as_array_mut().unwrap().truncate(1);
    let mut req = request(def, json!({}));
    req.mock = mock_error("Other", "c");
    let out = run(req).await;
    assert_eq!(out.status.as_deref(), Some("FAILED"));
    assert_eq!(out.error.as_deref(), Some("Other"));
    assert_eq!(out.cause.as_deref(), Some("c"));
    assert_eq!(out.next_state, None);
}

fn task_with_retry() -> Value {
    json!({"QueryLanguage": "JSONata", "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
        "Arguments": {"FunctionName": "foo", "Payload": "bar"},
        "Retry": [{"ErrorEquals": ["MockException"], "IntervalSeconds": 1, "BackoffRate": 2, "MaxAttempts": 5}],
        "End": true})
}

#[tokio::test]
async fn a_retried_error_is_retriable_with_its_backoff() {
    let mut req = request(
        task_with_retry(),
        json!({"Values": ["first", "second", "third"]}),
    );
    req.mock = mock_error("MockException", "Mock the cause of the error.");
    req.state_configuration = Some(TestStateConfiguration {
        retrier_retry_count: Some(4),
        ..Default::default()
    });
    let out = run(req.clone()).await;
    assert_eq!(out.status.as_deref(), Some("RETRIABLE"));
    assert_eq!(out.error.as_deref(), Some("MockException"));
    assert_eq!(out.output, None);
    let details = out.inspection_data.unwrap().error_details.unwrap();
    assert_eq!(details.retry_index, Some(0));
    assert_eq!(details.retry_backoff_interval_seconds, Some(16));

    // With every attempt used, the error fails the state; the retrier is still named.
    req.state_configuration = Some(TestStateConfiguration {
        retrier_retry_count: Some(5),
        ..Default::default()
    });
    let out = run(req).await;
    assert_eq!(out.status.as_deref(), Some("FAILED"));
    let details = out.inspection_data.unwrap().error_details.unwrap();
    assert_eq!(details.retry_index, Some(0));
    assert_eq!(details.retry_backoff_interval_seconds, None);
}

#[tokio::test]
async fn a_task_without_a_mock_fails_naming_its_resource() {
    let def = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true});
    let out = run(request(def, json!({}))).await;
    assert_eq!(out.status.as_deref(), Some("FAILED"));
    assert_eq!(out.error.as_deref(), Some("States.TaskFailed"));
    assert!(out
        .cause
        .unwrap()
        .contains("arn:aws:states:::lambda:invoke"));
}

#[tokio::test]
async fn variables_are_readable_and_reported() {
    let def = json!({"QueryLanguage": "JSONata", "Type": "Pass",
        "Output": {"v": "{% $var_input_value %}", "n": "{% $var_constant_1 + 6 %}"},
        "Assign": {"assigned": "{% $states.input.x %}"}, "End": true});
    let mut req = request(def, json!({"x": 7}));
    req.variables =
        Some(json!({"var_input_value": "test_value", "var_constant_1": 10}).to_string());
    let out = run(req).await;
    assert_eq!(
        parsed(&out.output),
        Some(json!({"v": "test_value", "n": 16}))
    );
    assert_eq!(
        inspection(&out)["variables"],
        json!({"var_input_value": "test_value", "var_constant_1": 10, "assigned": 7})
    );
}

#[tokio::test]
async fn a_state_of_a_whole_machine_by_name() {
    let machine = json!({"StartAt": "Approval Required", "States": {
        "Approval Required": {"Type": "Choice",
            "Choices": [{"Variable": "$.cost", "NumericLessThan": 10, "Next": "Purchase Approved"}],
            "Default": "Ask for Approval"},
        "Ask for Approval": {"Type": "Pass", "Next": "Purchase Approved"},
        "Purchase Approved": {"Type": "Succeed"}}});
    let mut req = request(machine, json!({"cost": 9}));
    req.state_name = Some("Approval Required".into());
    assert_eq!(
        run(req.clone()).await.next_state.as_deref(),
        Some("Purchase Approved")
    );
    req.input = Some(json!({"cost": 10}).to_string());
    assert_eq!(
        run(req.clone()).await.next_state.as_deref(),
        Some("Ask for Approval")
    );
    req.state_name = Some("Nope".into());
    let s = service();
    let e = s.test_state(&s.default_ctx(), req).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::ValidationException);
}

#[tokio::test]
async fn map_and_parallel_need_a_mock_standing_for_their_result() {
    let map = json!({"Type": "Map", "ItemsPath": "$.Values", "ToleratedFailureCount": 1,
        "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}, "End": true});
    let s = service();
    let ctx = s.default_ctx();
    let e = s
        .test_state(&ctx, request(map.clone(), json!({"Values": [1, 2, 3]})))
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidDefinition);
    assert_eq!(
        e.message(),
        Some("TestState API does not support Map or Parallel states. Supported state types include: [Task, Wait, Pass, Succeed, Fail, Choice]")
    );
    let mut req = request(map, json!({"Values": [1, 2, 3]}));
    req.mock = mock_result(json!([1, 1, 1]));
    let out = s.test_state(&ctx, req.clone()).await.unwrap();
    assert_eq!(parsed(&out.output), Some(json!([1, 1, 1])));
    let data = out.inspection_data.unwrap();
    assert_eq!(
        (data.max_concurrency, data.tolerated_failure_count),
        (Some(0), Some(1))
    );
    // More failed iterations than tolerated fail the Map.
    req.state_configuration = Some(TestStateConfiguration {
        map_iteration_failure_count: Some(2),
        ..Default::default()
    });
    let out = s.test_state(&ctx, req.clone()).await.unwrap();
    assert_eq!(out.status.as_deref(), Some("FAILED"));
    assert_eq!(
        out.error.as_deref(),
        Some("States.ExceedToleratedFailureThreshold")
    );
    req.mock = mock_result(json!({"not": "an array"}));
    let e = s.test_state(&ctx, req).await.unwrap_err();
    assert_eq!(e.message(), Some("Mocked result must be an array."));

    let parallel = json!({"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Pass", "End": true}}}]});
    let mut req = request(parallel, json!({}));
    req.mock = mock_result(json!([1]));
    let e = s.test_state(&ctx, req.clone()).await.unwrap_err();
    assert_eq!(
        e.message(),
        Some("Mocked result must contain the same number of items as number of Parallel branches.")
    );
    req.mock = mock_result(json!([1, 2]));
    assert_eq!(
        parsed(&s.test_state(&ctx, req).await.unwrap().output),
        Some(json!([1, 2]))
    );
}

#[tokio::test]
async fn request_errors() {
    let s = service();
    let ctx = s.default_ctx();
    let check = |req: TestStateInput, code: ErrorCode, message: Option<&'static str>| {
        let s = s.clone();
        let ctx = ctx.clone();
        async move {
            let e = s.test_state(&ctx, req).await.unwrap_err();
            assert_eq!(e.code(), code);
            if let Some(m) = message {
                assert_eq!(e.message(), Some(m));
            }
        }
    };
    let pass = json!({"Type": "Pass", "End": true});
    let mut mocked_pass = request(pass.clone(), json!({}));
    mocked_pass.mock = mock_result(json!(1));
    check(
        mocked_pass,
        ErrorCode::ValidationException,
        Some("State type 'Pass' is not supported when a mock is specified"),
    )
    .await;

    let task = json!({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true});
    let mut no_role = request(task.clone(), json!({}));
    no_role.role_arn = None;
    check(
        no_role,
        ErrorCode::ValidationException,
        Some("RoleArn must be specified when testing a Task state"),
    )
    .await;

    let mut both = request(task.clone(), json!({}));
    both.mock = Some(MockInput {
        result: Some("1".into()),
        error_output: Some(MockErrorOutput {
            error: Some("E".into()),
            cause: None,
        }),
        field_validation_mode: None,
    });
    check(
        both,
        ErrorCode::ValidationException,
        Some("A test mock should have only one of the following fields: [result, errorOutput]."),
    )
    .await;

    let mut secrets = request(task, json!({}));
    secrets.mock = mock_result(json!(1));
    secrets.reveal_secrets = Some(true);
    check(
        secrets,
        ErrorCode::ValidationException,
        Some("TestState does not support RevealSecrets when a mock is specified."),
    )
    .await;

    let mut bad_input = request(pass.clone(), json!({}));
    bad_input.input = Some("{".into());
    check(bad_input, ErrorCode::InvalidExecutionInput, None).await;

    let mut not_json = request(pass.clone(), json!({}));
    not_json.definition = "not a definition".into();
    check(not_json, ErrorCode::InvalidDefinition, None).await;

    check(
        request(json!({"Type": "Pass"}), json!({})),
        ErrorCode::InvalidDefinition,
        None,
    )
    .await;

    let mut bad_role = request(pass, json!({}));
    bad_role.role_arn = Some("role".into());
    check(
        bad_role,
        ErrorCode::InvalidArn,
        Some("Invalid Role Arn: 'role'"),
    )
    .await;
}
