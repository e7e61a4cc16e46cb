//! One call to a function and what came back, in the Lambda Invoke API's terms.

/// A synchronous (`RequestResponse`) call.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    /// The event, JSON text.
    pub payload: Vec<u8>,
    /// `Qualifier` (version or alias); every qualifier runs the one local version.
    pub qualifier: Option<String>,
    /// Base64 JSON passed to the function as `Lambda-Runtime-Client-Context`.
    pub client_context: Option<String>,
    /// `LogType: Tail`: return the last 4 KB of the invocation's log.
    pub tail_log: bool,
    /// ARN the function sees as `invoked_function_arn`.
    pub invoked_arn: String,
}

/// The function ran (successfully or not).
#[derive(Debug, Clone, PartialEq)]
pub struct InvokeOutput {
    pub request_id: String,
    /// The result, or for a function error Lambda's error document
    /// (`{"errorMessage", "errorType", "requestId", "stackTrace"}`).
    pub payload: Vec<u8>,
    /// `X-Amz-Function-Error`: `Some("Unhandled")` when the function failed.
    pub function_error: Option<String>,
    pub executed_version: String,
    /// Base64 of the log's last 4 KB, when asked.
    pub log_result: Option<String>,
}

/// The call did not reach the function: Lambda answers with an exception, not a payload.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct InvokeError {
    /// Lambda's exception name: `ResourceNotFoundException`, `InvalidRequestContentException`,
    /// `ServiceException`, `SdkClientException` (no answer at all), ...
    pub code: String,
    pub message: String,
    /// The HTTP status Lambda answers with (0 when none came).
    pub status: u16,
}

impl InvokeError {
    pub fn not_found(function_arn: &str) -> Self {
        InvokeError {
            code: "ResourceNotFoundException".into(),
            message: format!("Function not found: {function_arn}"),
            status: 404,
        }
    }
}

/// Lambda's error document for a failure outside the handler (timeout, crash, bad runtime).
pub(crate) fn runtime_error(request_id: &str, error_type: &str, message: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "errorMessage": format!("RequestId: {request_id} Error: {message}"),
        "errorType": error_type,
    }))
    .unwrap_or_default()
}
