//! HTTP Tasks: `arn:aws:states:::http:invoke`.
//!
//! The parameters are AWS's: `ApiEndpoint` and `Method` (required), `Headers`,
//! `QueryParameters`, `RequestBody`, and `Transform` (`RequestBodyEncoding: URL_ENCODED` with
//! `RequestEncodingOptions.ArrayFormat` `INDICES` (the default), `BRACKETS`, `REPEAT` or
//! `COMMAS`). The result is `{Headers, ResponseBody, StatusCode, StatusText}`, the body parsed
//! when the response says it is JSON. A status outside 2xx fails the task with
//! `States.Http.StatusCode.NNN` and that result (as JSON) as the cause; a call that does not
//! answer within 60 seconds fails with `States.Http.Socket`.
//!
//! `https://` endpoints are verified against the system's certificate store (on Linux,
//! `SSL_CERT_FILE`/`SSL_CERT_DIR` name other roots, e.g. a local test CA). Differences from
//! AWS, by design of a local engine: `Authentication.ConnectionArn` (an EventBridge
//! connection) is accepted and not used; `http://` endpoints are allowed.

use std::time::Duration;

use async_trait::async_trait;
use estado_interp::{Delivery, ExecInfo, TaskRequest};
use estado_json::{json, Map, Value};

use crate::TaskRunner;

pub const RESOURCE: &str = "arn:aws:states:::http:invoke";

/// AWS's limit on one HTTP Task call.
pub const LIMIT: Duration = Duration::from_secs(60);

/// The most response body read: more than any result can be (256 KiB).
const MAX_BODY: usize = 1 << 20;

const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];

/// Headers an HTTP Task may not set (AWS's list), compared lower-case; plus every header
/// starting with `x-forwarded`, `x-amz` or `x-amzn`.
const FORBIDDEN: &[&str] = &[
    "a-im",
    "accept-charset",
    "accept-datetime",
    "accept-encoding",
    "authorization",
    "cache-control",
    "connection",
    "content-encoding",
    "content-md5",
    "date",
    "expect",
    "forwarded",
    "from",
    "host",
    "http2-settings",
    "if-match",
    "if-modified-since",
    "if-none-match",
    "if-range",
    "if-unmodified-since",
    "max-forwards",
    "origin",
    "pragma",
    "proxy-authorization",
    "referer",
    "server",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
    "warning",
];

/// Runs `http:invoke` tasks.
pub struct HttpRunner {
    client: reqwest::Client,
    limit: Duration,
}

impl Default for HttpRunner {
    fn default() -> Self {
        Self::with_limit(LIMIT)
    }
}

impl HttpRunner {
    pub fn new() -> Self {
        Self::default()
    }

    /// A runner whose calls give up after `limit` instead of 60 seconds (tests).
    pub fn with_limit(limit: Duration) -> Self {
        estado_functions::install_tls();
        let client = reqwest::Client::builder()
            .timeout(limit)
            .redirect(reqwest::redirect::Policy::limited(10))
            .build()
            .unwrap_or_default();
        HttpRunner { client, limit }
    }
}

/// A failed task.
struct Failure {
    error: String,
    cause: String,
}

fn runtime(cause: impl Into<String>) -> Failure {
    Failure {
        error: "States.Runtime".into(),
        cause: cause.into(),
    }
}

#[async_trait]
impl TaskRunner for HttpRunner {
    fn handles(&self, resource: &str) -> bool {
        resource == RESOURCE
    }

    async fn run(&self, info: &ExecInfo, req: &TaskRequest) -> Delivery {
        match self.call(info, &req.input).await {
            Ok(output) => Delivery::TaskSucceeded { id: req.id, output },
            Err(f) => Delivery::TaskFailed {
                id: req.id,
                error: f.error,
                cause: f.cause,
            },
        }
    }
}

impl HttpRunner {
    async fn call(&self, info: &ExecInfo, params: &Value) -> Result<Value, Failure> {
        let p = params
            .as_object()
            .ok_or_else(|| runtime("The parameters of an HTTP Task must be an object"))?;
        let endpoint = p
            .get("ApiEndpoint")
            .and_then(Value::as_str)
            .ok_or_else(|| runtime("The field 'ApiEndpoint' is required and must be a string"))?;
        let method = p
            .get("Method")
            .and_then(Value::as_str)
            .ok_or_else(|| runtime("The field 'Method' is required and must be a string"))?;
        if !METHODS.contains(&method) {
            return Err(runtime(format!(
                "The Method '{method}' is not supported: use one of {}",
                METHODS.join(", ")
            )));
        }
        let mut url = reqwest::Url::parse(endpoint)
            .map_err(|e| runtime(format!("The ApiEndpoint '{endpoint}' is not a URL: {e}")))?;
        match url.scheme() {
            "http" => {}
            "https" => {}
            other => {
                return Err(runtime(format!(
                    "The ApiEndpoint '{endpoint}' must be an https:// URL, not {other}://"
                )))
            }
        }
        if let Some(q) = p.get("QueryParameters").filter(|q| !q.is_null()) {
            let q = q
                .as_object()
                .ok_or_else(|| runtime("QueryParameters must be an object"))?;
            let mut pairs = url.query_pairs_mut();
            for (k, v) in q {
                match v {
                    Value::Array(items) => {
                        for item in items {
                            pairs.append_pair(k, &scalar(item));
                        }
                    }
                    v => {
                        pairs.append_pair(k, &scalar(v));
                    }
                }
            }
        }
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| runtime(format!("The Method '{method}' is not supported")))?;
        let mut request = self.client.request(method, url);
        let mut content_type = None;
        if let Some(h) = p.get("Headers").filter(|h| !h.is_null()) {
            let h = h
                .as_object()
                .ok_or_else(|| runtime("Headers must be an object"))?;
            for (name, value) in h {
                let lower = name.to_ascii_lowercase();
                if FORBIDDEN.contains(&lower.as_str())
                    || lower.starts_with("x-forwarded")
                    || lower.starts_with("x-amz")
                {
                    return Err(runtime(format!(
                        "The header '{name}' cannot be set by an HTTP Task"
                    )));
                }
                let value = match value {
                    Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(","),
                    v => scalar(v),
                };
                if lower == "content-type" {
                    content_type = Some(value.clone());
                }
                request = request.header(name.as_str(), value);
            }
        }
        let form = transform(p.get("Transform"))?;
        match p.get("RequestBody") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => request = request.body(s.clone()),
            Some(body) => {
                let (text, default_type) = match (&form, body) {
                    (Some(format), Value::Object(fields)) => (
                        url_encode(fields, *format),
                        "application/x-www-form-urlencoded",
                    ),
                    _ => (body.to_string(), "application/json; charset=UTF-8"),
                };
                if content_type.is_none() {
                    request = request.header("Content-Type", default_type);
                }
                request = request.body(text);
            }
        }
        let region = info.state_machine_arn.split(':').nth(3).unwrap_or_default();
        request = request
            .header(
                "User-Agent",
                format!("Amazon|StepFunctions|HttpInvoke|{region}"),
            )
            .header("Range", "bytes=0-262144");

        let mut response = request.send().await.map_err(|e| self.socket(e))?;
        let status = response.status();
        let mut headers = Map::new();
        for (name, value) in response.headers() {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            match headers
                .entry(name.as_str())
                .or_insert_with(|| Value::Array(Vec::new()))
            {
                Value::Array(values) => values.push(Value::String(value)),
                _ => unreachable!("every entry is an array"),
            }
        }
        let media = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        if media == "application/octet-stream"
            || ["image/", "audio/", "video/"]
                .iter()
                .any(|p| media.starts_with(p))
        {
            return Err(runtime(format!(
                "The HTTP Task response has a content type Step Functions does not support: {media}"
            )));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| self.socket(e))? {
            body.extend_from_slice(&chunk);
            if body.len() > MAX_BODY {
                return Err(Failure {
                    error: "States.DataLimitExceeded".into(),
                    cause: "The HTTP Task response body exceeds the maximum size of a state's result (256 KiB).".into(),
                });
            }
        }
        let text = String::from_utf8(body)
            .map_err(|_| runtime("The HTTP Task response body is not UTF-8 text"))?;
        let json_type = media == "application/json" || media.ends_with("+json");
        let response_body = match json_type {
            true => estado_json::from_str(&text).unwrap_or(Value::String(text)),
            false => Value::String(text),
        };
        let output = json!({
            "Headers": Value::Object(headers),
            "ResponseBody": response_body,
            "StatusCode": status.as_u16(),
            "StatusText": status.canonical_reason().unwrap_or_default(),
        });
        if status.is_success() {
            Ok(output)
        } else {
            Err(Failure {
                error: format!("States.Http.StatusCode.{}", status.as_u16()),
                cause: output.to_string(),
            })
        }
    }

    fn socket(&self, e: reqwest::Error) -> Failure {
        let cause = if e.is_timeout() {
            format!(
                "The HTTP request timed out after {} seconds.",
                self.limit.as_secs_f64()
            )
        } else {
            let mut cause = e.to_string();
            let mut source = std::error::Error::source(&e);
            while let Some(s) = source {
                cause = format!("{cause}: {s}");
                source = s.source();
            }
            cause
        };
        Failure {
            error: "States.Http.Socket".into(),
            cause,
        }
    }
}

/// How a URL-encoded body writes arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ArrayFormat {
    /// `a[0]=x&a[1]=y` (the default)
    Indices,
    /// `a[]=x&a[]=y`
    Brackets,
    /// `a=x&a=y`
    Repeat,
    /// `a=x,y`
    Commas,
}

/// `Transform`: `Some(format)` when the body is to be URL-encoded.
fn transform(t: Option<&Value>) -> Result<Option<ArrayFormat>, Failure> {
    let Some(t) = t.filter(|t| !t.is_null()) else {
        return Ok(None);
    };
    let t = t
        .as_object()
        .ok_or_else(|| runtime("Transform must be an object"))?;
    match t.get("RequestBodyEncoding").and_then(Value::as_str) {
        None | Some("NONE") => return Ok(None),
        Some("URL_ENCODED") => {}
        Some(other) => {
            return Err(runtime(format!(
                "The RequestBodyEncoding '{other}' is not supported: use NONE or URL_ENCODED"
            )))
        }
    }
    let format = t
        .get("RequestEncodingOptions")
        .and_then(|o| o.get("ArrayFormat"))
        .and_then(Value::as_str);
    Ok(Some(match format {
        None | Some("INDICES") => ArrayFormat::Indices,
        Some("BRACKETS") => ArrayFormat::Brackets,
        Some("REPEAT") => ArrayFormat::Repeat,
        Some("COMMAS") => ArrayFormat::Commas,
        Some(other) => {
            return Err(runtime(format!(
            "The ArrayFormat '{other}' is not supported: use INDICES, BRACKETS, REPEAT or COMMAS"
        )))
        }
    }))
}

/// A scalar as text: strings as they are, anything else as JSON.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

/// `application/x-www-form-urlencoded` text of an object; nested objects become `a[b]=..`.
fn url_encode(fields: &Map, format: ArrayFormat) -> String {
    fn add(out: &mut Vec<(String, String)>, key: String, v: &Value, format: ArrayFormat) {
        match v {
            Value::Array(items) => match format {
                ArrayFormat::Commas => {
                    out.push((key, items.iter().map(scalar).collect::<Vec<_>>().join(",")))
                }
                ArrayFormat::Repeat => items.iter().for_each(|i| add(out, key.clone(), i, format)),
                ArrayFormat::Brackets => items
                    .iter()
                    .for_each(|i| add(out, format!("{key}[]"), i, format)),
                ArrayFormat::Indices => items
                    .iter()
                    .enumerate()
                    .for_each(|(n, i)| add(out, format!("{key}[{n}]"), i, format)),
            },
            Value::Object(m) => {
                for (k, v) in m {
                    add(out, format!("{key}[{k}]"), v, format);
                }
            }
            v => out.push((key, scalar(v))),
        }
    }
    let mut pairs = Vec::new();
    for (k, v) in fields {
        add(&mut pairs, k.to_string(), v, format);
    }
    // The URL type's query serializer is application/x-www-form-urlencoded.
    let mut url = reqwest::Url::parse("http://form.invalid/").expect("a valid URL");
    url.query_pairs_mut().extend_pairs(pairs);
    url.query().unwrap_or_default().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enc(v: Value, f: ArrayFormat) -> String {
        url_encode(v.as_object().expect("object"), f)
    }

    #[test]
    fn url_encoding_writes_arrays_in_each_format() {
        let body = json!({"a": ["x", "y"], "n": 1, "s": "é &="});
        assert_eq!(
            enc(body.clone(), ArrayFormat::Indices),
            "a%5B0%5D=x&a%5B1%5D=y&n=1&s=%C3%A9+%26%3D"
        );
        assert_eq!(
            enc(body.clone(), ArrayFormat::Brackets),
            "a%5B%5D=x&a%5B%5D=y&n=1&s=%C3%A9+%26%3D"
        );
        assert_eq!(
            enc(body.clone(), ArrayFormat::Repeat),
            "a=x&a=y&n=1&s=%C3%A9+%26%3D"
        );
        assert_eq!(
            enc(body, ArrayFormat::Commas),
            "a=x%2Cy&n=1&s=%C3%A9+%26%3D"
        );
        assert_eq!(
            enc(json!({"o": {"k": true}}), ArrayFormat::Indices),
            "o%5Bk%5D=true"
        );
    }

    #[test]
    fn transform_defaults_and_errors() {
        assert_eq!(transform(None).ok().flatten(), None);
        assert_eq!(
            transform(Some(&json!({"RequestBodyEncoding": "URL_ENCODED"})))
                .ok()
                .flatten(),
            Some(ArrayFormat::Indices)
        );
        assert!(transform(Some(&json!({"RequestBodyEncoding": "GZIP"}))).is_err());
    }
}
