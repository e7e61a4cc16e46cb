//! The web console next to the API: the page at `GET /`, and its live stream of executions
//! advancing.

mod common;

use std::time::Duration;

use common::TestServer;
use estado_server::{AccessKey, Auth};

const DEFINITION: &str = r#"{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}"#;

#[tokio::test]
async fn the_page_is_served_at_the_root_beside_the_api() {
    let s = TestServer::start(Auth::open()).await;
    let page = s
        .client
        .get(format!("{}/", s.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(page.status().as_u16(), 200);
    assert_eq!(
        page.headers()["content-type"].to_str().unwrap_or(""),
        "text/html; charset=utf-8"
    );
    assert!(page
        .text()
        .await
        .unwrap_or_default()
        .contains("Estado console"));
    let api = s.call("ListStateMachines", "{}").await;
    assert_eq!(api.status, 200);
    s.stop().await;
}

#[tokio::test]
async fn the_stream_reports_the_watched_execution_and_ends_at_shutdown() {
    let s = TestServer::start(Auth::open()).await;
    let created = s
        .call(
            "CreateStateMachine",
            &serde_json::json!({"name": "m", "definition": DEFINITION,
                "roleArn": "arn:aws:iam::123456789012:role/r"})
            .to_string(),
        )
        .await;
    let machine = created.body["stateMachineArn"].as_str().unwrap_or("");
    let execution = machine.replace(":stateMachine:", ":execution:") + ":e1";
    let mut stream = s
        .client
        .get(format!(
            "{}/console/stream?executionArn={}",
            s.base,
            execution.replace(':', "%3A")
        ))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(stream.status().as_u16(), 200);
    assert_eq!(
        stream.headers()["content-type"].to_str().unwrap_or(""),
        "text/event-stream"
    );
    let started = s
        .call(
            "StartExecution",
            &serde_json::json!({"stateMachineArn": machine, "name": "e1"}).to_string(),
        )
        .await;
    assert_eq!(started.status, 200, "{}", started.body);
    let mut seen = String::new();
    while !seen.contains("event: progress") {
        let chunk = tokio::time::timeout(Duration::from_secs(10), stream.chunk())
            .await
            .unwrap_or_else(|_| panic!("no progress event; got {seen:?}"))
            .unwrap_or_else(|e| panic!("{e}"))
            .unwrap_or_else(|| panic!("stream ended; got {seen:?}"));
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains(&format!("data: {execution}")), "{seen}");
    // An open stream does not hold up a graceful stop.
    tokio::time::timeout(Duration::from_secs(5), s.stop())
        .await
        .unwrap_or_else(|_| panic!("shutdown waited for the stream"));
}

#[tokio::test]
async fn the_stream_is_closed_when_requests_must_be_signed() {
    let s = TestServer::start(Auth::with_keys([AccessKey {
        id: "AKID".into(),
        secret: "secret".into(),
    }]))
    .await;
    let res = s
        .client
        .get(format!("{}/console/stream", s.base))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 403);
    s.stop().await;
}
