//! `GET /health`: answers `200 {"status":"ok"}` while the server accepts requests. It says
//! nothing about the store; a liveness probe, not a readiness check of every dependency.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// The body of a healthy answer.
pub const HEALTHY: &str = r#"{"status":"ok"}"#;

pub async fn health() -> Response {
    let mut response = (StatusCode::OK, HEALTHY).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}
