//! The Lambda runner against real Python workers: what a Task state gets back.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use estado_functions::{FunctionConfig, FunctionHost, HostSettings};
use estado_interp::{Delivery, ExecInfo, MachineType, TaskRequest};
use estado_json::{json, Value};
use estado_runners::{LambdaRunner, TaskRunner};

const HANDLERS: &str = r#"
import os

def echo(event, context):
    return {"event": event, "arn": context.invoked_function_arn}

def big(event, context):
    return "x" * (257 * 1024)

def chatty(event, context):
    print("working on it")
    return 1

def touch(event, context):
    with open(event["path"], "w") as f:
        f.write("called")
    return None
"#;

struct Fixture {
    runner: LambdaRunner,
    dir: PathBuf,
}

fn fixture() -> Fixture {
    let dir = std::env::temp_dir().join(format!("estado-lambda-runner-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("app.py"), HANDLERS).unwrap();
    let specs = ["echo", "big", "chatty", "touch"]
        .iter()
        .map(|name| {
            FunctionConfig {
                handler: Some(format!("app.py:{name}")),
                ..Default::default()
            }
            .resolve(name, &dir)
            .unwrap()
        })
        .collect();
    let host = FunctionHost::new(
        specs,
        HostSettings {
            log_sink: Arc::new(|_, _| {}),
            ..Default::default()
        },
    );
    Fixture {
        runner: LambdaRunner::new(Arc::new(host)),
        dir,
    }
}

fn info() -> ExecInfo {
    ExecInfo {
        execution_arn: "arn:aws:states:eu-west-1:123456789012:execution:m:e".into(),
        name: "e".into(),
        state_machine_arn: "arn:aws:states:eu-west-1:123456789012:stateMachine:m".into(),
        state_machine_name: "m".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        start_millis: 0,
        input: Arc::new(json!({})),
        machine_type: MachineType::Standard,
        seed: 1,
        redrive_count: Some(0),
        test_case: None,
    }
}

async fn run(f: &Fixture, resource: &str, input: Value) -> Result<Value, (String, String)> {
    let req = TaskRequest {
        id: 7,
        resource: resource.into(),
        input: Arc::new(input),
        state_name: "Call".into(),
        timeout_seconds: None,
        heartbeat_seconds: None,
        task_token: None,
    };
    match f.runner.run(&info(), &req).await {
        Delivery::TaskSucceeded { id: 7, output } => Ok(output),
        Delivery::TaskFailed {
            id: 7,
            error,
            cause,
        } => Err((error, cause)),
        other => panic!("{other:?}"),
    }
}

const INVOKE: &str = "arn:aws:states:::lambda:invoke";

#[tokio::test]
async fn a_function_arn_with_a_qualifier_runs_the_function() {
    let f = fixture();
    let out = run(
        &f,
        "arn:aws:lambda:us-west-2:111111111111:function:echo:live",
        json!({"a": 1}),
    )
    .await
    .unwrap();
    assert_eq!(
        out,
        json!({"event": {"a": 1}, "arn": "arn:aws:lambda:us-west-2:111111111111:function:echo:live"})
    );
}

#[tokio::test]
async fn invoke_parameters_as_lambdas_invoke_takes_them() {
    let f = fixture();
    // A string Payload is the request body itself; the function name may be an ARN.
    let out = run(
        &f,
        INVOKE,
        json!({"FunctionName": "123456789012:function:echo", "Payload": "[1, 2]", "Qualifier": "$LATEST"}),
    )
    .await
    .unwrap();
    assert_eq!(out["Payload"]["event"], json!([1, 2]));
    assert_eq!(
        out["Payload"]["arn"],
        "arn:aws:lambda:eu-west-1:123456789012:function:echo:$LATEST"
    );
    assert_eq!(out["StatusCode"], 200);
    // No payload (or null) is the event {}.
    let out = run(&f, INVOKE, json!({"FunctionName": "echo", "Payload": null}))
        .await
        .unwrap();
    assert_eq!(out["Payload"]["event"], json!({}));
    // LogType Tail returns the log.
    let out = run(
        &f,
        INVOKE,
        json!({"FunctionName": "chatty", "LogType": "Tail"}),
    )
    .await
    .unwrap();
    let log = base64::engine::general_purpose::STANDARD
        .decode(out["LogResult"].as_str().unwrap())
        .unwrap();
    assert!(String::from_utf8(log).unwrap().contains("working on it\n"));
    assert_eq!(
        out["SdkHttpMetadata"]["HttpHeaders"]["X-Amz-Log-Result"],
        out["LogResult"]
    );
}

#[tokio::test]
async fn event_invocations_return_at_once_and_run_the_function() {
    let f = fixture();
    let path = f.dir.join("touched");
    let out = run(
        &f,
        INVOKE,
        json!({"FunctionName": "touch", "InvocationType": "Event", "Payload": {"path": path}}),
    )
    .await
    .unwrap();
    assert_eq!(out["StatusCode"], 202);
    assert_eq!(out["Payload"], "");
    assert!(out.get("ExecutedVersion").is_none());
    let deadline = Instant::now() + Duration::from_secs(10);
    while !path.exists() {
        assert!(Instant::now() < deadline, "the function did not run");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let out = run(
        &f,
        INVOKE,
        json!({"FunctionName": "echo", "InvocationType": "DryRun"}),
    )
    .await
    .unwrap();
    assert_eq!(out["StatusCode"], 204);
}

#[tokio::test]
async fn results_over_256_kib_fail_naming_the_task() {
    let f = fixture();
    let (error, cause) = run(&f, INVOKE, json!({"FunctionName": "big"}))
        .await
        .unwrap_err();
    assert_eq!(error, "States.DataLimitExceeded");
    assert_eq!(cause, "The state/task 'lambda' returned a result with a size exceeding the maximum number of bytes service limit.");
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:big";
    let (error, cause) = run(&f, arn, json!({})).await.unwrap_err();
    assert_eq!(error, "States.DataLimitExceeded");
    assert!(cause.starts_with(&format!("The state/task '{arn}' returned")));
}

#[tokio::test]
async fn bad_parameters_and_unknown_functions_fail_as_lambdas_exceptions() {
    let f = fixture();
    for (input, error, text) in [
        (json!({}), "Lambda.AWSLambdaException", "'FunctionName' is required"),
        (json!({"FunctionName": 3}), "Lambda.AWSLambdaException", "must be a string"),
        (json!({"FunctionName": "a b"}), "Lambda.AWSLambdaException", "at 'functionName'"),
        (json!({"FunctionName": "echo", "LogType": "All"}), "Lambda.AWSLambdaException", "at 'logType'"),
        (json!({"FunctionName": "echo", "InvocationType": "Later"}), "Lambda.AWSLambdaException", "at 'invocationType'"),
        (json!({"FunctionName": "echo", "Payload": "not json"}), "Lambda.InvalidRequestContentException", "Could not parse request body into json"),
        (json!({"FunctionName": "ghost"}), "Lambda.ResourceNotFoundException", "Function not found: arn:aws:lambda:eu-west-1:123456789012:function:ghost (Service: AWSLambda; Status Code: 404;"),
        (json!({"FunctionName": "ghost", "InvocationType": "Event"}), "Lambda.ResourceNotFoundException", "Function not found"),
    ] {
        let (e, cause) = run(&f, INVOKE, input.clone()).await.unwrap_err();
        assert_eq!(e, error, "{input}: {cause}");
        assert!(cause.contains(text), "{input}: {cause}");
    }
}
