//! Authentication over HTTP: open by default with the region from the credential scope; with
//! access keys, SigV4 or AWS's errors.

mod common;

use common::{TestServer, ACCOUNT};
use estado_server::sigv4::{authorization_header, SignedRequest};
use estado_server::{AccessKey, Auth};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::json;

const KEY_ID: &str = "AKIDESTADO";
const SECRET: &str = "estado-secret";

fn keys() -> Auth {
    Auth::with_keys([AccessKey {
        id: KEY_ID.into(),
        secret: SECRET.into(),
    }])
}

/// The headers of a signed `POST /` for `op`, as a client on `base` sends them.
fn signed(base: &str, op: &str, body: &str, key: (&str, &str), region: &str) -> HeaderMap {
    let host = base.trim_start_matches("http://");
    let amz_date = jiff::Timestamp::now()
        .strftime("%Y%m%dT%H%M%SZ")
        .to_string();
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("host", host.to_owned()),
        ("content-type", "application/x-amz-json-1.0".to_owned()),
        ("x-amz-target", format!("AWSStepFunctions.{op}")),
        ("x-amz-date", amz_date.clone()),
    ] {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_str(&value).unwrap_or_else(|e| panic!("{e}")),
        );
    }
    let req = SignedRequest {
        method: "POST",
        path: "/",
        query: None,
        headers: &headers,
        body: body.as_bytes(),
    };
    let auth = authorization_header(&req, key.0, key.1, &amz_date, region, "states");
    headers.insert(
        "authorization",
        HeaderValue::from_str(&auth).unwrap_or_else(|e| panic!("{e}")),
    );
    headers
}

async fn post(s: &TestServer, headers: HeaderMap, body: &str) -> common::Answer {
    s.send(
        s.client
            .post(format!("{}/", s.base))
            .headers(headers)
            .body(body.to_owned()),
    )
    .await
}

#[tokio::test]
async fn open_servers_take_the_region_from_the_credential_scope() {
    let s = TestServer::start(Auth::open()).await;
    let body = json!({"name": "worker"}).to_string();
    let headers = signed(
        &s.base,
        "CreateActivity",
        &body,
        ("anything", "at all"),
        "eu-west-3",
    );
    let a = post(&s, headers, &body).await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        a.body["activityArn"],
        format!("arn:aws:states:eu-west-3:{ACCOUNT}:activity:worker")
    );
    let unsigned = s
        .call("CreateActivity", &json!({"name": "other"}).to_string())
        .await;
    assert_eq!(
        unsigned.body["activityArn"],
        format!("arn:aws:states:us-east-1:{ACCOUNT}:activity:other")
    );
    s.stop().await;
}

#[tokio::test]
async fn with_keys_a_correctly_signed_request_is_served() {
    let s = TestServer::start(keys()).await;
    let headers = signed(
        &s.base,
        "ListStateMachines",
        "{}",
        (KEY_ID, SECRET),
        "ap-south-1",
    );
    let a = post(&s, headers, "{}").await;
    assert_eq!(
        (a.status, a.body.clone()),
        (200, json!({"stateMachines": []}))
    );
    s.stop().await;
}

#[tokio::test]
async fn with_keys_an_unsigned_request_is_missing_its_token() {
    let s = TestServer::start(keys()).await;
    let a = s.call("ListStateMachines", "{}").await;
    assert_eq!(a.status, 400);
    assert_eq!(
        a.body,
        json!({"__type": "com.amazon.coral.service#MissingAuthenticationTokenException", "message": "Missing Authentication Token"})
    );
    s.stop().await;
}

#[tokio::test]
async fn with_keys_an_unknown_key_is_unrecognized() {
    let s = TestServer::start(keys()).await;
    let headers = signed(
        &s.base,
        "ListStateMachines",
        "{}",
        ("AKIDOTHER", SECRET),
        "us-east-1",
    );
    let a = post(&s, headers, "{}").await;
    assert_eq!(
        (a.status, a.error_code()),
        (400, "UnrecognizedClientException")
    );
    assert_eq!(
        a.message(),
        "The security token included in the request is invalid."
    );
    s.stop().await;
}

#[tokio::test]
async fn with_keys_a_wrong_signature_is_invalid() {
    let s = TestServer::start(keys()).await;
    let headers = signed(
        &s.base,
        "ListStateMachines",
        "{}",
        (KEY_ID, "wrong secret"),
        "us-east-1",
    );
    let a = post(&s, headers, "{}").await;
    assert_eq!(
        (a.status, a.error_code()),
        (400, "InvalidSignatureException")
    );
    assert!(
        a.message().starts_with(
            "The request signature we calculated does not match the signature you provided."
        ),
        "{}",
        a.body
    );
    // A body changed after signing fails the same way.
    let headers = signed(
        &s.base,
        "ListStateMachines",
        "{}",
        (KEY_ID, SECRET),
        "us-east-1",
    );
    let a = post(&s, headers, r#"{"maxResults": 1}"#).await;
    assert_eq!(a.error_code(), "InvalidSignatureException");
    s.stop().await;
}

#[tokio::test]
async fn with_keys_authentication_comes_before_the_operation() {
    let s = TestServer::start(keys()).await;
    let a = s.call("NoSuchOperation", "not json").await;
    assert_eq!(a.error_code(), "MissingAuthenticationTokenException");
    s.stop().await;
}
