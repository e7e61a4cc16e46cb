//! What Step Functions makes of Lambda's answers: results, function errors, exceptions.

use estado_functions::{InvokeError, InvokeOutput};
use estado_json::{json, Map, Value};

/// Step Functions' limit on a task's result.
pub const MAX_RESULT_BYTES: usize = 256 * 1024;

/// `(error, cause)` of a failed task.
pub type Failure = (String, String);

/// The cause Step Functions gives when a function failed without an `errorType`.
pub const UNKNOWN_CAUSE: &str =
    "The cause could not be determined because Lambda did not return an error type.";

/// A payload as JSON, or as a string when it is not JSON.
pub fn payload_value(payload: &[u8]) -> Value {
    estado_json::from_slice(payload)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(payload).into_owned()))
}

/// The task result a payload over 256 KiB gets instead.
pub fn data_limit(task: &str) -> Failure {
    (
        "States.DataLimitExceeded".into(),
        format!("The state/task '{task}' returned a result with a size exceeding the maximum number of bytes service limit."),
    )
}

/// A function error: the error is the function's `errorType` (`Lambda.Unknown` without one);
/// the cause is Lambda's error document, as the function wrote it for a function ARN resource
/// (`raw`), re-serialised compactly by the `lambda:invoke` integration.
pub fn function_error(payload: &[u8], raw: bool) -> Failure {
    let doc: Option<Value> = estado_json::from_slice(payload).ok();
    let error_type = doc
        .as_ref()
        .and_then(|d| d.get("errorType"))
        .and_then(Value::as_str)
        .filter(|t| !t.is_empty());
    match error_type {
        None => ("Lambda.Unknown".into(), UNKNOWN_CAUSE.into()),
        Some(t) => {
            let cause = match (&doc, raw) {
                (Some(d), false) => d.to_string(),
                _ => String::from_utf8_lossy(payload).into_owned(),
            };
            (t.to_owned(), cause)
        }
    }
}

/// A call Lambda refused (`Lambda.ResourceNotFoundException`, ...), in the AWS SDK for Java's
/// words, which Step Functions reports.
pub fn exception(e: &InvokeError) -> Failure {
    let error = format!("Lambda.{}", e.code);
    if e.status == 0 {
        return (error, e.message.clone());
    }
    (
        error,
        format!(
            "{} (Service: AWSLambda; Status Code: {}; Error Code: {}; Request ID: {}; Proxy: null)",
            e.message,
            e.status,
            e.code,
            uuid::Uuid::new_v4()
        ),
    )
}

/// The `lambda:invoke` result: `{ExecutedVersion, [LogResult], Payload, SdkHttpMetadata,
/// SdkResponseMetadata, StatusCode}` as AWS's SDK for Java reports the Invoke response.
pub fn invoke_result(out: &InvokeOutput, status: u16, now_http_date: &str) -> Value {
    let length = out.payload.len().to_string();
    let trace = format!(
        "Root=1-{:08x}-{};Sampled=0",
        jiff::Timestamp::now().as_second(),
        &out.request_id.replace('-', "")[..24.min(out.request_id.replace('-', "").len())]
    );
    let executed = (status == 200).then_some(out.executed_version.as_str());
    let mut all = Map::new();
    let mut one = Map::new();
    if let Some(log) = &out.log_result {
        all.insert("X-Amz-Log-Result", json!([log]));
    }
    if let Some(v) = executed {
        all.insert("X-Amz-Executed-Version", json!([v]));
    }
    all.insert("x-amzn-Remapped-Content-Length", json!(["0"]));
    all.insert("Connection", json!(["keep-alive"]));
    all.insert("x-amzn-RequestId", json!([out.request_id]));
    all.insert("Content-Length", json!([length]));
    all.insert("Date", json!([now_http_date]));
    all.insert("X-Amzn-Trace-Id", json!([trace]));
    all.insert("Content-Type", json!(["application/json"]));
    one.insert("Connection", json!("keep-alive"));
    one.insert("Content-Length", json!(length));
    one.insert("Content-Type", json!("application/json"));
    one.insert("Date", json!(now_http_date));
    if let Some(v) = executed {
        one.insert("X-Amz-Executed-Version", json!(v));
    }
    if let Some(log) = &out.log_result {
        one.insert("X-Amz-Log-Result", json!(log));
    }
    one.insert("x-amzn-Remapped-Content-Length", json!("0"));
    one.insert("x-amzn-RequestId", json!(out.request_id));
    one.insert("X-Amzn-Trace-Id", json!(trace));
    let mut result = Map::new();
    if let Some(v) = executed {
        result.insert("ExecutedVersion", json!(v));
    }
    if let Some(log) = &out.log_result {
        result.insert("LogResult", json!(log));
    }
    result.insert(
        "Payload",
        if out.payload.is_empty() {
            json!("")
        } else {
            payload_value(&out.payload)
        },
    );
    result.insert(
        "SdkHttpMetadata",
        json!({"AllHttpHeaders": all, "HttpHeaders": one, "HttpStatusCode": status}),
    );
    result.insert("SdkResponseMetadata", json!({"RequestId": out.request_id}));
    result.insert("StatusCode", json!(status));
    Value::Object(result)
}

/// `Thu, 28 Nov 2024 12:40:57 GMT`.
pub fn http_date_now() -> String {
    jiff::Timestamp::now()
        .strftime("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_errors_name_the_exception_class() {
        let body = br#"{"errorMessage": "boom", "errorType": "ValueError", "requestId": "r", "stackTrace": []}"#;
        assert_eq!(
            function_error(body, true),
            (
                "ValueError".into(),
                String::from_utf8(body.to_vec()).unwrap()
            )
        );
        assert_eq!(
            function_error(body, false),
            (
                "ValueError".into(),
                r#"{"errorMessage":"boom","errorType":"ValueError","requestId":"r","stackTrace":[]}"#
                    .into()
            )
        );
        for no_type in [
            &br#"{"errorMessage": "x"}"#[..],
            b"not json",
            b"{\"errorType\": \"\"}",
        ] {
            assert_eq!(
                function_error(no_type, true),
                ("Lambda.Unknown".into(), UNKNOWN_CAUSE.into())
            );
        }
    }

    #[test]
    fn exceptions_read_like_the_java_sdks() {
        let (error, cause) = exception(&InvokeError::not_found(
            "arn:aws:lambda:us-east-1:123456789012:function:f",
        ));
        assert_eq!(error, "Lambda.ResourceNotFoundException");
        assert!(cause.starts_with("Function not found: arn:aws:lambda:us-east-1:123456789012:function:f (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: "), "{cause}");
        assert!(cause.ends_with("; Proxy: null)"));
    }

    #[test]
    fn the_invoke_result_has_the_sdks_shape() {
        let out = InvokeOutput {
            request_id: "0b0f2a4e-6a7e-4a39-9d43-2f1b1c7d0e11".into(),
            payload: b"{\"a\": 1}".to_vec(),
            function_error: None,
            executed_version: "$LATEST".into(),
            log_result: None,
        };
        let v = invoke_result(&out, 200, "Thu, 28 Nov 2024 12:40:57 GMT");
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "ExecutedVersion",
                "Payload",
                "SdkHttpMetadata",
                "SdkResponseMetadata",
                "StatusCode"
            ]
        );
        assert_eq!(v["Payload"], json!({"a": 1}));
        assert_eq!(v["StatusCode"], 200);
        let m = &v["SdkHttpMetadata"];
        assert_eq!(m["HttpStatusCode"], 200);
        assert_eq!(m["AllHttpHeaders"]["Content-Length"], json!(["8"]));
        assert_eq!(m["HttpHeaders"]["Content-Length"], "8");
        assert_eq!(m["HttpHeaders"]["X-Amz-Executed-Version"], "$LATEST");
        assert_eq!(
            m["HttpHeaders"]["x-amzn-RequestId"],
            "0b0f2a4e-6a7e-4a39-9d43-2f1b1c7d0e11"
        );
        assert_eq!(
            v["SdkResponseMetadata"]["RequestId"],
            "0b0f2a4e-6a7e-4a39-9d43-2f1b1c7d0e11"
        );
        assert!(http_date_now().ends_with(" GMT"));
    }

    #[test]
    fn payloads_that_are_not_json_are_strings() {
        assert_eq!(payload_value(b"\"x\""), json!("x"));
        assert_eq!(payload_value(b"0.0"), json!(0.0));
        assert_eq!(payload_value(b"hello"), json!("hello"));
    }
}
