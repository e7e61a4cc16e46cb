//! The AWS Step Functions wire API (awsJson1_0), without an HTTP server or an engine.
//!
//! - [`Operation`]: the 37 operations, selected by the `X-Amz-Target` header
//!   ([`Operation::from_target`]).
//! - [`shapes`]: request and response structs of every operation, generated from the AWS
//!   service model by `tools/gen_api.py`, and [`Request`], one variant per operation.
//! - [`decode`]: a request body to a typed request, with AWS's `SerializationException` and
//!   model-constraint `ValidationException` errors.
//! - [`ApiError`]: every error code with its `__type` namespace, HTTP status and body.
//! - [`arn`], [`names`], [`paging`]: ARN parsing and formatting, name rules, page tokens.
//!
//! Protocol facts (verified with real clients, `shared/aws/NOTES.md` section 1): every request
//! is `POST /` with a JSON object body; responses are JSON objects of the output members with
//! timestamps as epoch-second numbers; errors are HTTP 400/500 with `{"__type", "message"}`.

pub mod arn;
mod decode;
mod error;
pub mod names;
mod operation;
pub mod paging;
mod patterns;
mod schema;
pub mod shapes;
mod validate;

pub use decode::{decode, decode_as};
pub use error::{
    ApiError, ErrorCode, MAX_REPORTED_VIOLATIONS, SERVICE_NAMESPACE, VALIDATOR_NAMESPACE,
};
pub use shapes::{Input, Operation, Output, Request};

/// The content type of every request and response body.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// A response body: the output serialised as JSON.
pub fn encode<T: Output>(output: &T) -> Vec<u8> {
    // Output shapes are plain data with string keys: serialising them into a Vec cannot fail.
    serde_json::to_vec(output).expect("output shapes serialise to JSON")
}
