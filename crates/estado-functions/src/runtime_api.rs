//! The AWS Lambda Runtime API (2018-06-01) as one worker process sees it.
//!
//! Every worker gets its own listener on 127.0.0.1, so whatever arrives on it is that worker's:
//! a crash or a timeout is pinned on the invocation it held without any bookkeeping.
//!
//! - `GET  /2018-06-01/runtime/invocation/next` waits for the worker's next event;
//! - `POST /2018-06-01/runtime/invocation/{id}/response` the result (202);
//! - `POST /2018-06-01/runtime/invocation/{id}/error` Lambda's error document (202);
//! - `POST /2018-06-01/runtime/init/error` the runtime could not start the handler (202).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tokio::sync::{mpsc, Mutex};

/// An event handed to the worker.
#[derive(Debug)]
pub(crate) struct Event {
    pub request_id: String,
    pub body: Vec<u8>,
    pub deadline_ms: i64,
    pub invoked_arn: String,
    pub client_context: Option<String>,
}

/// What the worker said about an invocation.
#[derive(Debug)]
pub(crate) enum Reply {
    Response(Vec<u8>),
    Error(Vec<u8>),
    /// `/init/error`: no invocation can succeed.
    InitError(Vec<u8>),
}

pub(crate) struct Api {
    next: Mutex<mpsc::Receiver<Event>>,
    replies: mpsc::UnboundedSender<(String, Reply)>,
}

pub(crate) fn router(
    next: mpsc::Receiver<Event>,
    replies: mpsc::UnboundedSender<(String, Reply)>,
) -> Router {
    let api = Arc::new(Api {
        next: Mutex::new(next),
        replies,
    });
    Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next_invocation))
        .route(
            "/2018-06-01/runtime/invocation/{id}/response",
            post(invocation_response),
        )
        .route(
            "/2018-06-01/runtime/invocation/{id}/error",
            post(invocation_error),
        )
        .route("/2018-06-01/runtime/init/error", post(init_error))
        .with_state(api)
}

async fn next_invocation(State(api): State<Arc<Api>>) -> Response {
    let Some(ev) = api.next.lock().await.recv().await else {
        // The worker is being retired.
        return StatusCode::GONE.into_response();
    };
    let mut h = HeaderMap::new();
    let mut put = |name: &'static str, value: &str| {
        if let Ok(v) = HeaderValue::from_str(value) {
            h.insert(name, v);
        }
    };
    put("lambda-runtime-aws-request-id", &ev.request_id);
    put("lambda-runtime-deadline-ms", &ev.deadline_ms.to_string());
    put("lambda-runtime-invoked-function-arn", &ev.invoked_arn);
    put(
        "lambda-runtime-trace-id",
        &format!(
            "Root=1-{:08x}-{};Sampled=0",
            ev.deadline_ms / 1000,
            &ev.request_id.replace('-', "")[..24]
        ),
    );
    if let Some(cc) = &ev.client_context {
        put("lambda-runtime-client-context", cc);
    }
    put("content-type", "application/json");
    (StatusCode::OK, h, ev.body).into_response()
}

fn accepted() -> Response {
    (StatusCode::ACCEPTED, "{\"status\":\"OK\"}").into_response()
}

async fn invocation_response(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let _ = api.replies.send((id, Reply::Response(body.to_vec())));
    accepted()
}

async fn invocation_error(
    State(api): State<Arc<Api>>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let _ = api.replies.send((id, Reply::Error(body.to_vec())));
    accepted()
}

async fn init_error(State(api): State<Arc<Api>>, body: Bytes) -> Response {
    let _ = api
        .replies
        .send((String::new(), Reply::InitError(body.to_vec())));
    accepted()
}
