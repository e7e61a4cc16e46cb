//! Functions hosted elsewhere, called through the Lambda Invoke API
//! (`POST /2015-03-31/functions/{name}/invocations`), like Step Functions Local's
//! `LAMBDA_ENDPOINT` (e.g. `sam local start-lambda`, LocalStack, another Estado).

use std::time::Duration;

use crate::invoke::{Invocation, InvokeError, InvokeOutput};

pub(crate) async fn invoke(
    client: &reqwest::Client,
    base: &str,
    name: &str,
    timeout: Duration,
    inv: Invocation,
) -> Result<InvokeOutput, InvokeError> {
    let mut url = format!("{base}/2015-03-31/functions/{name}/invocations");
    if let Some(q) = &inv.qualifier {
        url.push_str("?Qualifier=");
        url.push_str(&percent(q));
    }
    let mut req = client
        .post(&url)
        // The function's own timeout, plus time for the other side to say so.
        .timeout(timeout + Duration::from_secs(5))
        .header("Content-Type", "application/json")
        .header("X-Amz-Invocation-Type", "RequestResponse")
        .body(inv.payload);
    if inv.tail_log {
        req = req.header("X-Amz-Log-Type", "Tail");
    }
    if let Some(cc) = &inv.client_context {
        req = req.header("X-Amz-Client-Context", cc);
    }
    let resp = req.send().await.map_err(|e| InvokeError {
        code: "SdkClientException".into(),
        message: format!("Unable to execute HTTP request: {e}"),
        status: 0,
    })?;
    let status = resp.status().as_u16();
    let header = |n: &str| {
        resp.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let request_id = header("x-amzn-requestid").unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let function_error = header("x-amz-function-error");
    let executed_version = header("x-amz-executed-version").unwrap_or_else(|| "$LATEST".into());
    let log_result = header("x-amz-log-result");
    let error_type = header("x-amzn-errortype");
    let body = resp.bytes().await.map_err(|e| InvokeError {
        code: "SdkClientException".into(),
        message: format!("Unable to read the response: {e}"),
        status: 0,
    })?;
    if !(200..300).contains(&status) {
        // `{"Type": "User", "Message": "..."}` (or `message`), the code in x-amzn-ErrorType.
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let message = doc
            .get("Message")
            .or_else(|| doc.get("message"))
            .and_then(|m| m.as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| String::from_utf8_lossy(&body).into_owned());
        let code = error_type
            .map(|t| t.split(':').next().unwrap_or_default().to_owned())
            .or_else(|| {
                doc.get("__type")
                    .and_then(|t| t.as_str())
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "ServiceException".into());
        return Err(InvokeError {
            code,
            message,
            status,
        });
    }
    Ok(InvokeOutput {
        request_id,
        payload: body.to_vec(),
        function_error,
        executed_version,
        log_result,
    })
}

fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}
