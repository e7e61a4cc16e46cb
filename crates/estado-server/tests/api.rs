//! The wire protocol over real HTTP: targets, bodies, errors, headers, a full round trip.

mod common;

use std::time::Duration;

use common::{TestServer, ACCOUNT, REGION};
use estado_server::Auth;
use serde_json::{json, Value};

async fn server() -> TestServer {
    TestServer::start(Auth::open()).await
}

#[tokio::test]
async fn an_unknown_target_is_an_unknown_operation() {
    let s = server().await;
    for target in [
        "AWSStepFunctions.NoSuchThing",
        "AWSStepFunctions.startExecution",
        "DynamoDB_20120810.ListTables",
        "",
    ] {
        let a = s
            .send(
                s.client
                    .post(format!("{}/", s.base))
                    .header("X-Amz-Target", target)
                    .body("{}"),
            )
            .await;
        assert_eq!(a.status, 400, "{target}");
        assert_eq!(
            a.body,
            json!({"__type": "com.amazon.coral.service#UnknownOperationException"})
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn a_missing_target_is_an_unknown_operation() {
    let s = server().await;
    let a = s
        .send(s.client.post(format!("{}/", s.base)).body("{}"))
        .await;
    assert_eq!(
        (a.status, a.error_code()),
        (400, "UnknownOperationException")
    );
    s.stop().await;
}

#[tokio::test]
async fn the_target_header_name_is_matched_in_any_case() {
    let s = server().await;
    for name in ["x-amz-target", "X-AMZ-TARGET", "X-Amz-Target"] {
        let a = s
            .send(
                s.client
                    .post(format!("{}/", s.base))
                    .header(name, "AWSStepFunctions.ListStateMachines")
                    .body("{}"),
            )
            .await;
        assert_eq!(a.status, 200, "{name}: {}", a.body);
        assert_eq!(a.body, json!({"stateMachines": []}));
    }
    s.stop().await;
}

#[tokio::test]
async fn a_body_that_is_not_a_json_object_is_a_serialization_error() {
    let s = server().await;
    for body in ["{", "not json", "[]", "42", "\"x\""] {
        let a = s.call("ListStateMachines", body).await;
        assert_eq!(a.status, 400, "{body}");
        assert_eq!(
            a.body,
            json!({"__type": "com.amazon.coral.service#SerializationException"}),
            "{body}"
        );
    }
    s.stop().await;
}

#[tokio::test]
async fn an_empty_body_is_an_empty_input() {
    let s = server().await;
    let a = s.call("ListStateMachines", "").await;
    assert_eq!(
        (a.status, a.body.clone()),
        (200, json!({"stateMachines": []}))
    );
    s.stop().await;
}

#[tokio::test]
async fn a_missing_required_member_is_a_validation_error() {
    let s = server().await;
    let a = s.call("DescribeStateMachine", "{}").await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.body,
        json!({
            "__type": "com.amazon.coral.validate#ValidationException",
            "message": "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy constraint: Member must not be null"
        })
    );
    s.stop().await;
}

#[tokio::test]
async fn every_answer_has_the_json_content_type_and_a_request_id() {
    let s = server().await;
    let ok = s.call("ListStateMachines", "{}").await;
    let err = s.call("NoSuchThing", "{}").await;
    let mut ids = Vec::new();
    for a in [&ok, &err] {
        assert_eq!(a.header("content-type"), "application/x-amz-json-1.0");
        let id = a.header("x-amzn-requestid");
        assert!(uuid::Uuid::parse_str(id).is_ok(), "request id {id:?}");
        ids.push(id.to_owned());
    }
    assert_ne!(ids[0], ids[1], "request ids are unique");
    s.stop().await;
}

#[tokio::test]
async fn any_host_is_accepted() {
    let s = server().await;
    let a = s
        .send(
            s.client
                .post(format!("{}/", s.base))
                .header("Host", "sync-states.example.test:8083")
                .header("X-Amz-Target", "AWSStepFunctions.ListActivities")
                .body("{}"),
        )
        .await;
    assert_eq!((a.status, a.body.clone()), (200, json!({"activities": []})));
    s.stop().await;
}

#[tokio::test]
async fn health_answers_ok() {
    let s = server().await;
    let res = s
        .client
        .get(format!("{}/health", s.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(res.text().await.unwrap_or_default(), r#"{"status":"ok"}"#);
    s.stop().await;
}

#[tokio::test]
async fn other_methods_and_paths_are_client_errors() {
    let s = server().await;
    let put = s.send(s.client.put(format!("{}/", s.base))).await;
    assert_eq!(put.status, 405);
    let elsewhere = s
        .send(s.client.post(format!("{}/elsewhere", s.base)).body("{}"))
        .await;
    assert_eq!(elsewhere.status, 404);
    s.stop().await;
}

#[tokio::test]
async fn an_oversized_body_is_refused_before_decoding() {
    let s = TestServer::start_with(Auth::open(), 1024).await;
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(2048));
    let a = s.call("CreateActivity", &big).await;
    assert_eq!((a.status, a.error_code()), (400, "ValidationException"));
    assert_eq!(
        a.message(),
        "Request body exceeds the maximum size of 1024 bytes"
    );
    let small = s.call("ListActivities", "{}").await;
    assert_eq!(small.status, 200);
    s.stop().await;
}

#[tokio::test]
async fn the_default_limit_takes_a_definition_of_a_mebibyte() {
    let s = server().await;
    // A 1 MiB definition is a model-constraint question (answered by the API), not a transport one.
    let definition = "x".repeat(1024 * 1024 + 1);
    let body = json!({"name": "big", "definition": definition, "roleArn": "arn:aws:iam::123456789012:role/r"});
    let a = s.call("CreateStateMachine", &body.to_string()).await;
    assert_eq!(a.status, 400);
    assert!(
        a.message()
            .contains("'definition' failed to satisfy constraint"),
        "{}",
        a.body
    );
    s.stop().await;
}

const ROLE: &str = "arn:aws:iam::123456789012:role/estado";

#[tokio::test]
async fn a_state_machine_is_created_started_and_described_to_its_end() {
    let s = server().await;
    let definition = json!({"StartAt": "Hello", "States": {
        "Hello": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hello {}', $.who)"}, "End": true}}});
    let created = s
        .call(
            "CreateStateMachine",
            &json!({"name": "Hello", "definition": definition.to_string(), "roleArn": ROLE})
                .to_string(),
        )
        .await;
    assert_eq!(created.status, 200, "{}", created.body);
    let sm_arn = created.body["stateMachineArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        sm_arn,
        format!("arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:Hello")
    );
    assert!(created.body["creationDate"].is_number(), "{}", created.body);

    let started = s
        .call(
            "StartExecution",
            &json!({"stateMachineArn": sm_arn, "name": "run-1", "input": r#"{"who": "world"}"#})
                .to_string(),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let exec_arn = started.body["executionArn"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        exec_arn,
        format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:Hello:run-1")
    );

    let described = eventually_closed(&s, &exec_arn).await;
    assert_eq!(described["status"], "SUCCEEDED", "{described}");
    let output: Value =
        serde_json::from_str(described["output"].as_str().unwrap_or("null")).unwrap_or(Value::Null);
    assert_eq!(output, json!({"greeting": "hello world"}));
    assert_eq!(described["stateMachineArn"], sm_arn);

    let missing = s
        .call(
            "DescribeExecution",
            &json!({"executionArn": format!("arn:aws:states:{REGION}:{ACCOUNT}:execution:Hello:nope")}).to_string(),
        )
        .await;
    assert_eq!(
        (missing.status, missing.error_code()),
        (400, "ExecutionDoesNotExist")
    );
    assert!(missing.body["__type"]
        .as_str()
        .unwrap_or("")
        .starts_with("com.amazonaws.swf.service.v2.model#"));
    s.stop().await;
}

/// DescribeExecution until the execution is no longer RUNNING (at most 10 s).
async fn eventually_closed(s: &TestServer, exec_arn: &str) -> Value {
    let body = json!({"executionArn": exec_arn}).to_string();
    for _ in 0..200 {
        let a = s.call("DescribeExecution", &body).await;
        assert_eq!(a.status, 200, "{}", a.body);
        if a.body["status"] != "RUNNING" {
            return a.body;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{exec_arn} still running after 10 s");
}
