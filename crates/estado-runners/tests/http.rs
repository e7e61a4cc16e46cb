//! The HTTP Task runner against a local server: what goes out (method, query, headers, body
//! encodings), what comes back (AWS's result shape), and the failures (status codes, the time
//! limit, forbidden headers, https without TLS).

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::any;
use axum::Router;
use estado_interp::{Delivery, ExecInfo, MachineType, TaskRequest};
use estado_runners::{HttpRunner, TaskRunner};
use serde_json::{json, Value};

/// Serves `/echo` (the request back as JSON), `/text`, `/missing` (404 with a JSON body) and
/// `/slow` (answers after 3 s).
async fn server() -> String {
    let echo = |method: Method, headers: HeaderMap, RawQuery(q): RawQuery, body: Bytes| async move {
        let headers: serde_json::Map<String, Value> = headers
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or_default())))
            .collect();
        let answer = json!({
            "method": method.as_str(),
            "query": q,
            "headers": headers,
            "body": String::from_utf8_lossy(&body),
        });
        (
            [("content-type", "application/json"), ("x-extra", "1")],
            answer.to_string(),
        )
    };
    let app = Router::new()
        .route("/echo", any(echo))
        .route("/text", any(|| async { "plain words" }))
        .route(
            "/missing",
            any(|| async {
                (
                    StatusCode::NOT_FOUND,
                    [("content-type", "application/json")],
                    r#"{"message":"no such thing"}"#,
                )
            }),
        )
        .route(
            "/slow",
            any(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                "late"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn info() -> ExecInfo {
    ExecInfo {
        execution_arn: "arn:aws:states:eu-west-1:123456789012:execution:sm:e".into(),
        name: "e".into(),
        state_machine_arn: "arn:aws:states:eu-west-1:123456789012:stateMachine:sm".into(),
        state_machine_name: "sm".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        start_millis: 0,
        input: Arc::new(json!({})),
        machine_type: MachineType::Standard,
        seed: 1,
        redrive_count: 0,
        test_case: None,
    }
}

async fn call(runner: &HttpRunner, params: Value) -> Delivery {
    let req = TaskRequest {
        id: 7,
        resource: "arn:aws:states:::http:invoke".into(),
        input: Arc::new(params),
        state_name: "Call".into(),
        timeout_seconds: None,
        heartbeat_seconds: None,
        task_token: None,
    };
    runner.run(&info(), &req).await
}

fn succeeded(d: Delivery) -> Value {
    match d {
        Delivery::TaskSucceeded { id: 7, output } => output,
        other => panic!("expected success, got {other:?}"),
    }
}

fn failed(d: Delivery) -> (String, String) {
    match d {
        Delivery::TaskFailed {
            id: 7,
            error,
            cause,
        } => (error, cause),
        other => panic!("expected failure, got {other:?}"),
    }
}

#[tokio::test]
async fn a_json_call_goes_out_and_comes_back_in_aws_shape() {
    let base = server().await;
    let runner = HttpRunner::new();
    let out = succeeded(
        call(
            &runner,
            json!({
                "ApiEndpoint": format!("{base}/echo?fixed=1"),
                "Method": "POST",
                "Authentication": {"ConnectionArn": "arn:aws:events:eu-west-1:123456789012:connection/c/x"},
                "Headers": {"X-Custom": "yes", "Multi": ["a", 1]},
                "QueryParameters": {"q": "two words", "list": ["x", "y"]},
                "RequestBody": {"order": 42, "items": ["a"]},
            }),
        )
        .await,
    );
    assert_eq!(out["StatusCode"], 200);
    assert_eq!(out["StatusText"], "OK");
    assert_eq!(out["Headers"]["x-extra"], json!(["1"]));
    let echoed = &out["ResponseBody"];
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["query"], "fixed=1&q=two+words&list=x&list=y");
    assert_eq!(echoed["headers"]["x-custom"], "yes");
    assert_eq!(echoed["headers"]["multi"], "a,1");
    assert_eq!(
        echoed["headers"]["content-type"],
        "application/json; charset=UTF-8"
    );
    assert_eq!(
        echoed["headers"]["user-agent"],
        "Amazon|StepFunctions|HttpInvoke|eu-west-1"
    );
    assert_eq!(
        serde_json::from_str::<Value>(echoed["body"].as_str().unwrap()).unwrap(),
        json!({"order": 42, "items": ["a"]})
    );
}

#[tokio::test]
async fn url_encoded_bodies_and_text_answers() {
    let base = server().await;
    let runner = HttpRunner::new();
    let out = succeeded(
        call(
            &runner,
            json!({
                "ApiEndpoint": format!("{base}/echo"),
                "Method": "PUT",
                "RequestBody": {"tags": ["a", "b"], "name": "x y"},
                "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                              "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}},
            }),
        )
        .await,
    );
    let echoed = &out["ResponseBody"];
    assert_eq!(echoed["body"], "tags%5B%5D=a&tags%5B%5D=b&name=x+y");
    assert_eq!(
        echoed["headers"]["content-type"],
        "application/x-www-form-urlencoded"
    );

    let text = succeeded(
        call(
            &runner,
            json!({"ApiEndpoint": format!("{base}/text"), "Method": "GET"}),
        )
        .await,
    );
    assert_eq!(
        text["ResponseBody"], "plain words",
        "not JSON: kept as text"
    );
}

#[tokio::test]
async fn a_status_outside_2xx_fails_with_its_code_and_the_response_as_cause() {
    let base = server().await;
    let (error, cause) = failed(
        call(
            &HttpRunner::new(),
            json!({"ApiEndpoint": format!("{base}/missing"), "Method": "GET"}),
        )
        .await,
    );
    assert_eq!(error, "States.Http.StatusCode.404");
    let cause: Value = serde_json::from_str(&cause).unwrap();
    assert_eq!(cause["StatusCode"], 404);
    assert_eq!(cause["StatusText"], "Not Found");
    assert_eq!(cause["ResponseBody"], json!({"message": "no such thing"}));
}

#[tokio::test]
async fn a_call_past_the_time_limit_fails_with_a_socket_error() {
    let base = server().await;
    let runner = HttpRunner::with_limit(Duration::from_millis(500));
    let began = Instant::now();
    let (error, cause) = failed(
        call(
            &runner,
            json!({"ApiEndpoint": format!("{base}/slow"), "Method": "GET"}),
        )
        .await,
    );
    assert!(began.elapsed() < Duration::from_secs(2));
    assert_eq!(error, "States.Http.Socket");
    assert!(cause.contains("timed out"), "{cause}");
    assert_eq!(estado_runners::http::LIMIT, Duration::from_secs(60));
}

#[tokio::test]
async fn bad_parameters_fail_before_anything_goes_out() {
    let runner = HttpRunner::new();
    let cases = [
        (json!({"Method": "GET"}), "ApiEndpoint"),
        (
            json!({"ApiEndpoint": "http://127.0.0.1:9/", "Method": "FETCH"}),
            "FETCH",
        ),
        (
            json!({"ApiEndpoint": "http://127.0.0.1:9/", "Method": "GET", "Headers": {"Authorization": "x"}}),
            "Authorization",
        ),
        (
            json!({"ApiEndpoint": "http://127.0.0.1:9/", "Method": "GET", "Headers": {"X-Amz-Date": "x"}}),
            "X-Amz-Date",
        ),
    ];
    for (params, named) in cases {
        let (error, cause) = failed(call(&runner, params).await);
        assert_eq!(error, "States.Runtime");
        assert!(cause.contains(named), "{cause}");
    }
    let (error, cause) = failed(
        call(
            &runner,
            json!({"ApiEndpoint": "https://api.example.com/x", "Method": "GET"}),
        )
        .await,
    );
    assert_eq!(error, "States.TaskFailed");
    assert!(cause.contains("http:// endpoints only"), "{cause}");
}
