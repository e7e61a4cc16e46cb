//! The routes: `POST /` for every API operation (selected by `X-Amz-Target`),
//! `GET /health`, and the web console (`GET /`, its assets and its live stream). The API handler only reads, authenticates, decodes, calls
//! [`estado_engine::service::dispatch`] and encodes.

use std::future::Future;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use estado_api::{ApiError, Operation};
use estado_engine::service::{self, Ctx};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use jiff::Timestamp;

use crate::errors;
use crate::health::health;
use crate::sigv4::SignedRequest;
use crate::AppState;

/// The application: routes and state, ready for [`axum::serve`]. The console's live streams
/// end only with the connection; [`crate::serve`] ends them when it shuts down.
pub fn router(app: AppState) -> Router {
    let (_never, closing) = tokio::sync::watch::channel(false);
    build(app, closing)
}

/// The routes, with `closing` ending the console's live streams when it becomes `true`.
pub(crate) fn build(app: AppState, closing: tokio::sync::watch::Receiver<bool>) -> Router {
    Router::new()
        .route("/", post(api))
        .route("/health", get(health))
        .with_state(app.clone())
        .merge(estado_console::router(console_stream(&app, closing)))
}

/// The console's live stream, open only while requests need no signature (it names
/// executions).
fn console_stream(
    app: &AppState,
    closing: tokio::sync::watch::Receiver<bool>,
) -> Option<estado_console::Live> {
    if app.auth.requires_signature() {
        return None;
    }
    let runtime = app.service.runtime.clone();
    Some(estado_console::Live {
        subscribe: std::sync::Arc::new(move || runtime.subscribe_progress()),
        closing,
    })
}

/// `POST /`. The work runs in its own task so that a panic anywhere in it becomes a 500
/// `InternalFailure` for this request alone, and so that a client hanging up does not cancel
/// an operation half-way.
async fn api(State(app): State<AppState>, req: Request) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = req.into_parts();
    match isolated(&request_id, handle(app, parts, body)).await {
        Ok(body) => errors::success(&request_id, body),
        Err(err) => {
            tracing::debug!(request_id, "answering {}", err);
            errors::failure(&request_id, &err)
        }
    }
}

/// Runs `work` in a task of its own: a panic in it is logged and becomes `InternalFailure`.
async fn isolated<F>(request_id: &str, work: F) -> Result<Vec<u8>, ApiError>
where
    F: Future<Output = Result<Vec<u8>, ApiError>> + Send + 'static,
{
    tokio::spawn(work).await.unwrap_or_else(|e| {
        tracing::error!(request_id, "request handler failed: {e}");
        Err(errors::internal_failure())
    })
}

/// Body -> authentication -> operation -> decode -> dispatch. Authentication comes first so
/// that an unauthenticated caller learns nothing about operations or shapes.
async fn handle(app: AppState, parts: Parts, body: Body) -> Result<Vec<u8>, ApiError> {
    let body = read_body(body, app.body_limit).await?;
    let signed = SignedRequest {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query(),
        headers: &parts.headers,
        body: &body,
    };
    let region = app.auth.authenticate(&signed, Timestamp::now())?;
    let op = operation(&parts.headers).ok_or_else(errors::unknown_operation)?;
    let request = estado_api::decode(op, &body)?;
    let ctx = Ctx {
        account: app.service.config.account.clone(),
        region: region.unwrap_or_else(|| app.service.config.region.clone()),
    };
    tracing::debug!(operation = %op, region = %ctx.region, "dispatching");
    service::dispatch(&app.service, &ctx, request).await
}

/// The operation `X-Amz-Target` names (header name matched case-insensitively, value exactly).
fn operation(headers: &HeaderMap) -> Option<Operation> {
    let target = headers.get("x-amz-target")?.to_str().ok()?;
    Operation::from_target(target)
}

/// The whole body, in one buffer (not copied again: a 300 KB StartExecution is common).
async fn read_body(body: Body, limit: usize) -> Result<axum::body::Bytes, ApiError> {
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            Err(errors::body_too_large(limit))
        }
        Err(_) => Err(errors::unreadable_body()),
    }
}

#[cfg(test)]
mod tests {
    use estado_api::ErrorCode;

    use super::*;

    #[tokio::test]
    async fn a_panicking_handler_is_an_internal_failure() {
        let result = isolated("id", async { panic!("boom") }).await;
        let err = result
            .err()
            .unwrap_or_else(|| panic!("a panic must not succeed"));
        assert_eq!(err.code(), ErrorCode::InternalFailure);
        let response = errors::failure("id", &err);
        assert_eq!(response.status().as_u16(), 500);
        assert_eq!(
            err.body(),
            serde_json::json!({
                "__type": "com.amazon.coral.service#InternalFailure",
                "message": "The request processing has failed because of an unknown error, exception or failure."
            })
        );
    }

    #[tokio::test]
    async fn a_handler_that_returns_is_answered_as_it_returned() {
        assert_eq!(
            isolated("id", async { Ok(b"{}".to_vec()) }).await,
            Ok(b"{}".to_vec())
        );
    }
}
