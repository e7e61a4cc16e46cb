//! Task states that call Lambda functions, run by a [`FunctionHost`].
//!
//! - `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`: the effective input is the
//!   event; the result is the function's payload; a function error fails the task with the
//!   function's `errorType` and Lambda's error document as the cause.
//! - `arn:aws:states:::lambda:invoke`: the parameters are the Invoke request (`FunctionName`,
//!   `Payload` — a string is sent as it is —, `Qualifier`, `InvocationType`, `LogType`,
//!   `ClientContext`); the result is `{ExecutedVersion, Payload, SdkHttpMetadata,
//!   SdkResponseMetadata, StatusCode}`.
//! - `arn:aws:states:::lambda:invoke.waitForTaskToken`: the same call; its success only means
//!   the call went out (the task's result comes with the token), its failure fails the task.
//!
//! Functions are found by name: the region and account of an ARN are not checked. A function
//! the host does not have fails as Lambda's `ResourceNotFoundException` does; payloads over
//! 256 KiB fail with `States.DataLimitExceeded`.

use std::sync::Arc;

use async_trait::async_trait;
use estado_functions::{FunctionHost, Invocation, InvokeOutput};
use estado_interp::{Delivery, ExecInfo, TaskRequest};
use estado_json::Value;

use crate::TaskRunner;

pub mod resource;
pub mod shape;

use resource::{parse_function_name, parse_resource, FunctionRef, LambdaResource};
use shape::Failure;

/// Runs every Lambda resource with the functions of `host`.
pub struct LambdaRunner {
    host: Arc<FunctionHost>,
}

impl LambdaRunner {
    pub fn new(host: Arc<FunctionHost>) -> Self {
        LambdaRunner { host }
    }
}

#[async_trait]
impl TaskRunner for LambdaRunner {
    fn handles(&self, resource: &str) -> bool {
        parse_resource(resource).is_some()
    }

    async fn run(&self, info: &ExecInfo, req: &TaskRequest) -> Delivery {
        let outcome = match parse_resource(&req.resource) {
            Some(LambdaResource::Function(f)) => self.call_function(info, req, &f).await,
            Some(LambdaResource::Invoke { .. }) => self.call_invoke(info, req).await,
            None => Err((
                "States.Runtime".into(),
                format!("'{}' is not a Lambda resource", req.resource),
            )),
        };
        match outcome {
            Ok(output) => Delivery::TaskSucceeded { id: req.id, output },
            Err((error, cause)) => Delivery::TaskFailed {
                id: req.id,
                error,
                cause,
            },
        }
    }
}

/// The execution's region and account, from its state machine's ARN.
fn region_account(info: &ExecInfo) -> (String, String) {
    let mut parts = info.state_machine_arn.split(':').skip(3);
    let region = parts
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("us-east-1");
    let account = parts
        .next()
        .filter(|s| !s.is_empty())
        .unwrap_or("123456789012");
    (region.to_owned(), account.to_owned())
}

impl LambdaRunner {
    async fn invoke(
        &self,
        info: &ExecInfo,
        f: &FunctionRef,
        mut inv: Invocation,
    ) -> Result<InvokeOutput, Failure> {
        let (region, account) = region_account(info);
        let arn = f.arn(&region, &account);
        inv.qualifier = f.qualifier.clone();
        inv.invoked_arn = arn.clone();
        self.host
            .invoke(&f.name, &arn, inv)
            .await
            .map_err(|e| shape::exception(&e))
    }

    async fn call_function(
        &self,
        info: &ExecInfo,
        req: &TaskRequest,
        f: &FunctionRef,
    ) -> Result<Value, Failure> {
        let inv = Invocation {
            payload: serde_json::to_vec(&*req.input).unwrap_or_default(),
            ..Default::default()
        };
        let out = self.invoke(info, f, inv).await?;
        if out.function_error.is_some() {
            return Err(shape::function_error(&out.payload, true));
        }
        if out.payload.len() > shape::MAX_RESULT_BYTES {
            return Err(shape::data_limit(&req.resource));
        }
        Ok(shape::payload_value(&out.payload))
    }

    async fn call_invoke(&self, info: &ExecInfo, req: &TaskRequest) -> Result<Value, Failure> {
        let params = req.input.as_object();
        let param = |name: &str| params.and_then(|p| p.get(name));
        let text = |name: &str| -> Result<Option<String>, Failure> {
            match param(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(other) => Err(invalid(format!(
                    "The field '{name}' must be a string, but was: {other}"
                ))),
            }
        };
        let name = text("FunctionName")?.ok_or_else(|| {
            invalid("The field 'FunctionName' is required but was missing".into())
        })?;
        let mut f = parse_function_name(&name).ok_or_else(|| {
            invalid(format!(
                "1 validation error detected: Value '{name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{{2}}(-gov)?-[a-z]+-\\d{{1}}:)?(\\d{{12}}:)?(function:)?([a-zA-Z0-9-_\\.]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?"
            ))
        })?;
        if let Some(q) = text("Qualifier")? {
            f.qualifier = Some(q);
        }
        let payload = match param("Payload") {
            // No payload (null is none): Lambda's event is then `{}`.
            None | Some(Value::Null) => b"{}".to_vec(),
            // A string is the request body itself.
            Some(Value::String(s)) => s.clone().into_bytes(),
            Some(v) => serde_json::to_vec(v).unwrap_or_default(),
        };
        let invocation_type = text("InvocationType")?.unwrap_or_else(|| "RequestResponse".into());
        let tail_log = match text("LogType")?.as_deref() {
            None | Some("None") => false,
            Some("Tail") => true,
            Some(other) => {
                return Err(invalid(format!(
                    "1 validation error detected: Value '{other}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [None, Tail]"
                )))
            }
        };
        let inv = Invocation {
            payload,
            client_context: text("ClientContext")?,
            tail_log,
            ..Default::default()
        };
        match invocation_type.as_str() {
            "RequestResponse" => {
                let out = self.invoke(info, &f, inv).await?;
                if out.function_error.is_some() {
                    return Err(shape::function_error(&out.payload, false));
                }
                if out.payload.len() > shape::MAX_RESULT_BYTES {
                    return Err(shape::data_limit("lambda"));
                }
                Ok(shape::invoke_result(&out, 200, &shape::http_date_now()))
            }
            "Event" | "DryRun" => {
                let (region, account) = region_account(info);
                let arn = f.arn(&region, &account);
                if !self.host.contains(&f.name) {
                    return Err(shape::exception(
                        &estado_functions::InvokeError::not_found(&arn),
                    ));
                }
                let status = if invocation_type == "Event" {
                    // Queued: the function runs on its own; its answer goes nowhere.
                    let host = self.host.clone();
                    let mut inv = inv;
                    inv.qualifier = f.qualifier.clone();
                    inv.invoked_arn = arn.clone();
                    let name = f.name.clone();
                    tokio::spawn(async move {
                        let _ = host.invoke(&name, &arn, inv).await;
                    });
                    202
                } else {
                    204
                };
                let out = InvokeOutput {
                    request_id: uuid::Uuid::new_v4().to_string(),
                    payload: Vec::new(),
                    function_error: None,
                    executed_version: String::new(),
                    log_result: None,
                };
                Ok(shape::invoke_result(&out, status, &shape::http_date_now()))
            }
            other => Err(invalid(format!(
                "1 validation error detected: Value '{other}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]"
            ))),
        }
    }
}

/// Parameters Lambda's Invoke rejects.
fn invalid(message: String) -> Failure {
    shape::exception(&estado_functions::InvokeError {
        code: "AWSLambdaException".into(),
        message,
        status: 400,
    })
}
