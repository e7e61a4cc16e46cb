//! Responses as AWS sends them: the JSON body, `Content-Type: application/x-amz-json-1.0` and
//! `x-amzn-RequestId` on every answer, success or error; and the errors the HTTP layer itself
//! raises before an operation runs.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use estado_api::{ApiError, ErrorCode, CONTENT_TYPE};

/// The header clients read the request id from.
pub const REQUEST_ID_HEADER: &str = "x-amzn-requestid";

/// A 200 answer carrying an operation's encoded output.
pub fn success(request_id: &str, body: Vec<u8>) -> Response {
    with_headers(StatusCode::OK, request_id, body)
}

/// `err` with its HTTP status and `{"__type", "message", ...}` body.
pub fn failure(request_id: &str, err: &ApiError) -> Response {
    // `ApiError::status` only yields 400, 500 and 503, all valid; fall back to 500 anyway.
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    with_headers(status, request_id, err.body().to_string().into_bytes())
}

fn with_headers(status: StatusCode, request_id: &str, body: Vec<u8>) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    // A UUID is always a valid header value; a request without one is still answered.
    if let Ok(id) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID_HEADER, id);
    }
    response
}

/// No `X-Amz-Target`, or one naming no Step Functions operation. AWS sends no message.
pub fn unknown_operation() -> ApiError {
    ApiError::bare(ErrorCode::UnknownOperationException)
}

/// A body larger than the server accepts.
pub fn body_too_large(limit: usize) -> ApiError {
    ApiError::new(
        ErrorCode::ValidationException,
        format!("Request body exceeds the maximum size of {limit} bytes"),
    )
}

/// A body that could not be read to its end (the client went away or broke the framing).
pub fn unreadable_body() -> ApiError {
    ApiError::bare(ErrorCode::SerializationException)
}

/// A failure of the server itself (a panic in a handler): never the caller's fault, never
/// details of the server's internals.
pub fn internal_failure() -> ApiError {
    ApiError::new(
        ErrorCode::InternalFailure,
        "The request processing has failed because of an unknown error, exception or failure.",
    )
}
