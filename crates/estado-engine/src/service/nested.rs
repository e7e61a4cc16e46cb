//! Nested executions: `arn:aws:states:::states:startExecution` as a Task resource, with the
//! request-response, `.sync`, `.sync:2` and `.waitForTaskToken` patterns and AWS's output shapes.
//!
//! The child is started through the service's own `StartExecution`, named (when the state
//! gives no `Name`) from the parent's ARN and the task's effect id, so that a task run again
//! after a crash finds the child it started instead of starting another. `.sync` tasks record
//! `TaskSubmitted` (the StartExecution answer) and then wait for the child to close; the child's
//! `DescribeExecution` becomes the task's result (or, unless it succeeded, the cause of a
//! `States.TaskFailed`). A `.sync` task that its execution cancels (a stop, a timeout, a failed
//! branch) stops its child.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use estado_api::shapes::{StartExecutionInput, StopExecutionInput};
use estado_api::ApiError;
use estado_interp::{Delivery, ExecInfo, TaskRequest};
use estado_json::{json, Map, Value};

use super::{Ctx, Service};

const PREFIX: &str = "arn:aws:states:::states:startExecution";

/// How the parent waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pattern {
    RequestResponse,
    /// `.sync`: the child's input and output as JSON text.
    Sync,
    /// `.sync:2`: the child's input and output as JSON values.
    Sync2,
    Callback,
}

fn pattern(resource: &str) -> Option<Pattern> {
    match resource.strip_prefix(PREFIX)? {
        "" => Some(Pattern::RequestResponse),
        ".sync" => Some(Pattern::Sync),
        ".sync:2" => Some(Pattern::Sync2),
        ".waitForTaskToken" => Some(Pattern::Callback),
        _ => None,
    }
}

/// Whether `resource` starts a nested execution.
pub fn handles(resource: &str) -> bool {
    pattern(resource).is_some()
}

/// How often a `.sync` task looks at its child besides being told it finished (a backstop
/// for a missed notice).
const CHILD_POLL: Duration = Duration::from_secs(1);

impl Service {
    /// Runs a `states:startExecution` task to its outcome. For `.sync` tasks of a stored
    /// execution, `TaskSubmitted` is delivered to the parent on the way. Boxed: starting an
    /// express child runs its tasks, which may start children in turn.
    pub(crate) fn run_nested<'a>(
        &'a self,
        info: &'a ExecInfo,
        req: &'a TaskRequest,
    ) -> Pin<Box<dyn Future<Output = Delivery> + Send + 'a>> {
        Box::pin(self.nested(info, req))
    }

    async fn nested(&self, info: &ExecInfo, req: &TaskRequest) -> Delivery {
        let Some(pattern) = pattern(&req.resource) else {
            return failed(req.id, "States.Runtime", "Unknown startExecution pattern");
        };
        let params = match req.input.as_object() {
            Some(p) => p,
            None => {
                return failed(
                    req.id,
                    "States.Runtime",
                    "The parameters of states:startExecution must be an object",
                )
            }
        };
        let Some(machine) = params.get("StateMachineArn").and_then(Value::as_str) else {
            return failed(
                req.id,
                "States.Runtime",
                "The field 'StateMachineArn' is required by states:startExecution",
            );
        };
        let input = match params.get("Input") {
            None | Some(Value::Null) => "{}".to_owned(),
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
        };
        let name = match params.get("Name") {
            Some(Value::String(n)) => n.clone(),
            _ => child_name(&info.execution_arn, req.id),
        };
        let ctx = ctx_of(&info.execution_arn, self);
        if matches!(pattern, Pattern::Sync | Pattern::Sync2) {
            if let Ok(target) = self.resolve_target(machine).await {
                if target.machine.kind == "EXPRESS" {
                    // An express child runs to its end right here, as StartSyncExecution does.
                    let run = match Self::parsed_execution_input(Some(input)) {
                        Ok(input) => self.run_express(&ctx, &target, name, input, None).await,
                        Err(e) => Err(e),
                    };
                    return match run {
                        Ok(run) => {
                            let now = self.now_ms();
                            let submitted = start_response(&run.execution_arn, run.start_ms, now);
                            self.submitted(info, req.id, submitted).await;
                            child_outcome(&express_record(&target, run), req.id, pattern)
                        }
                        Err(e) => api_failure(req.id, &e, self.now_ms()),
                    };
                }
            }
        }
        let started = self
            .start_execution(
                &ctx,
                StartExecutionInput {
                    state_machine_arn: machine.to_owned(),
                    name: Some(name.clone()),
                    input: Some(input.clone()),
                    trace_header: params
                        .get("TraceHeader")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                },
            )
            .await;
        let (child_arn, start_ms) = match started {
            Ok(out) => (out.execution_arn, out.start_date.0),
            Err(e) => match self.our_child(&ctx, machine, &name, &input, &e).await {
                // Run again after a crash: the child this task started has closed meanwhile.
                Some(found) => found,
                None => return api_failure(req.id, &e, self.now_ms()),
            },
        };
        let response = start_response(&child_arn, start_ms, self.now_ms());
        match pattern {
            Pattern::RequestResponse => Delivery::TaskSucceeded {
                id: req.id,
                output: response,
            },
            // The dispatcher turns a callback's success into TaskSubmitted and waits.
            Pattern::Callback => Delivery::TaskSucceeded {
                id: req.id,
                output: response,
            },
            Pattern::Sync | Pattern::Sync2 => {
                self.submitted(info, req.id, response).await;
                let key = (info.execution_arn.to_string(), req.id);
                self.runtime.children_insert(key.clone(), child_arn.clone());
                let outcome = self.wait_for_child(&child_arn, req.id, pattern).await;
                self.runtime.children_remove(&key);
                outcome
            }
        }
    }

    /// When starting failed with `ExecutionAlreadyExists` for the same input: the child a
    /// previous run of this task started.
    /// Record `TaskSubmitted` (the child was started) on the parent while it waits for it.
    async fn submitted(&self, info: &ExecInfo, id: u64, output: Value) {
        let _ = self
            .runtime
            .deliver(
                &info.execution_arn,
                None,
                Delivery::TaskSubmitted { id, output },
            )
            .await;
    }

    async fn our_child(
        &self,
        ctx: &Ctx,
        machine: &str,
        name: &str,
        input: &str,
        e: &ApiError,
    ) -> Option<(String, i64)> {
        if e.code() != estado_api::ErrorCode::ExecutionAlreadyExists {
            return None;
        }
        let machine_name = machine.rsplit(':').next()?;
        let arn = ctx.arn("execution", &format!("{machine_name}:{name}"));
        let existing = self.store.get_execution(&arn).await.ok()??;
        let same =
            estado_json::from_str(&existing.input).ok()? == estado_json::from_str(input).ok()?;
        same.then_some((existing.arn, existing.start_ms))
    }

    async fn wait_for_child(&self, child_arn: &str, id: u64, pattern: Pattern) -> Delivery {
        let mut finished = self.runtime.subscribe();
        loop {
            match self.store.get_execution(child_arn).await {
                Ok(Some(e)) if !e.is_open() => return child_outcome(&e, id, pattern),
                Ok(Some(_)) => {}
                Ok(None) => {
                    return failed(
                        id,
                        "States.TaskFailed",
                        &format!("The execution {child_arn} does not exist"),
                    )
                }
                Err(e) => tracing::debug!("reading the child {child_arn} failed: {e}"),
            }
            let _ = tokio::time::timeout(CHILD_POLL, finished.recv()).await;
        }
    }

    /// Stops the child of a cancelled `.sync` task.
    pub(crate) async fn stop_child(&self, child_arn: &str) {
        let ctx = ctx_of(child_arn, self);
        let _ = self
            .stop_execution(
                &ctx,
                StopExecutionInput {
                    execution_arn: child_arn.to_owned(),
                    error: None,
                    cause: None,
                },
            )
            .await;
    }
}

/// The region and account of an execution ARN (`arn:aws:states:REGION:ACCOUNT:...`).
fn ctx_of(arn: &str, service: &Service) -> Ctx {
    let mut parts = arn.split(':');
    let (region, account) = (parts.nth(3), parts.next());
    let fallback = service.default_ctx();
    Ctx {
        region: region
            .filter(|r| !r.is_empty())
            .map_or(fallback.region, str::to_owned),
        account: account
            .filter(|a| !a.is_empty())
            .map_or(fallback.account, str::to_owned),
    }
}

/// A UUID-shaped name, the same every time for one task of one execution.
fn child_name(parent_arn: &str, effect_id: u64) -> String {
    let hash = |salt: u64| {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ salt;
        for b in parent_arn.bytes().chain(effect_id.to_le_bytes()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h
    };
    let bits = (u128::from(hash(1)) << 64) | u128::from(hash(2));
    // Version 4 and RFC 4122 variant bits, as a random UUID has.
    let bits = (bits & !(0xf << 76) | (0x4 << 76)) & !(0x3 << 62) | (0x2 << 62);
    uuid::Uuid::from_u128(bits).to_string()
}

fn failed(id: u64, error: &str, cause: &str) -> Delivery {
    Delivery::TaskFailed {
        id,
        error: error.into(),
        cause: cause.into(),
    }
}

/// A StartExecution error as a Task failure: `StepFunctions.<Code>Exception` with the AWS
/// SDK's message.
fn api_failure(id: u64, e: &ApiError, _now_ms: i64) -> Delivery {
    let code = e.code().name();
    failed(
        id,
        &format!("StepFunctions.{code}Exception"),
        &format!(
            "{} (Service: AWSStepFunctions; Status Code: {}; Error Code: {code}; Request ID: {}; Proxy: null)",
            e.message().unwrap_or_default(),
            e.status(),
            uuid::Uuid::new_v4()
        ),
    )
}

/// `SdkHttpMetadata` and `SdkResponseMetadata` of a JSON answer of `length` bytes, as the AWS
/// SDK for Java reports them.
fn sdk_metadata(length: usize, now_ms: i64) -> (Value, Value) {
    let request_id = uuid::Uuid::new_v4().to_string();
    let date = jiff::Timestamp::from_millisecond(now_ms)
        .map(|t| t.strftime("%a, %d %b %Y %H:%M:%S GMT").to_string())
        .unwrap_or_default();
    let length = length.to_string();
    let http = json!({
        "AllHttpHeaders": {
            "x-amzn-RequestId": [request_id],
            "connection": ["keep-alive"],
            "Content-Length": [length],
            "Date": [date],
            "Content-Type": ["application/x-amz-json-1.0"],
        },
        "HttpHeaders": {
            "connection": "keep-alive",
            "Content-Length": length,
            "Content-Type": "application/x-amz-json-1.0",
            "Date": date,
            "x-amzn-RequestId": request_id,
        },
        "HttpStatusCode": 200,
    });
    (http, json!({"RequestId": request_id}))
}

/// The task's view of StartExecution's answer.
fn start_response(child_arn: &str, start_ms: i64, now_ms: i64) -> Value {
    // The length of the wire answer `{"executionArn": ..., "startDate": ...}`.
    let length = json!({"executionArn": child_arn, "startDate": start_ms as f64 / 1000.0})
        .to_string()
        .len();
    let (http, response) = sdk_metadata(length, now_ms);
    json!({
        "ExecutionArn": child_arn,
        "SdkHttpMetadata": http,
        "SdkResponseMetadata": response,
        "StartDate": start_ms,
    })
}

/// An express child's end, as the record `child_outcome` reads.
fn express_record(
    target: &super::executions::Target,
    run: super::express::ExpressRun,
) -> estado_store::Execution {
    estado_store::Execution {
        arn: run.execution_arn,
        state_machine_arn: target.machine.arn.clone(),
        name: run.name,
        kind: "EXPRESS".into(),
        status: run.status.into(),
        start_ms: run.start_ms,
        stop_ms: Some(run.stop_ms),
        input: run.input,
        output: run.output,
        error: run.error,
        cause: run.cause,
        definition: String::new(),
        role_arn: target.role_arn.clone(),
        version_arn: None,
        alias_arn: None,
        trace_header: run.trace_header,
        redrive_count: 0,
        redrive_ms: None,
        version: 0,
    }
}

/// The closed child as the task's result (SUCCEEDED) or failure cause (otherwise): its
/// `DescribeExecution`, members in AWS's order.
fn child_outcome(e: &estado_store::Execution, id: u64, pattern: Pattern) -> Delivery {
    let data = |text: &str| match pattern {
        Pattern::Sync2 => {
            estado_json::from_str(text).unwrap_or_else(|_| Value::String(text.into()))
        }
        _ => Value::String(text.into()),
    };
    let mut d = Map::new();
    if e.status != "SUCCEEDED" {
        if let Some(c) = &e.cause {
            d.insert("Cause", Value::String(c.clone()));
        }
        if let Some(err) = &e.error {
            d.insert("Error", Value::String(err.clone()));
        }
    }
    d.insert("ExecutionArn", Value::String(e.arn.clone()));
    d.insert("Input", data(&e.input));
    d.insert("InputDetails", json!({"Included": true}));
    d.insert("Name", Value::String(e.name.clone()));
    if let Some(out) = &e.output {
        d.insert("Output", data(out));
        d.insert("OutputDetails", json!({"Included": true}));
    }
    d.insert("StartDate", json!(e.start_ms));
    d.insert(
        "StateMachineArn",
        Value::String(e.state_machine_arn.clone()),
    );
    d.insert("Status", Value::String(e.status.clone()));
    if let Some(stop) = e.stop_ms {
        d.insert("StopDate", json!(stop));
    }
    let described = Value::Object(d);
    if e.status == "SUCCEEDED" {
        Delivery::TaskSucceeded {
            id,
            output: described,
        }
    } else {
        failed(id, "States.TaskFailed", &described.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns() {
        assert_eq!(pattern(PREFIX), Some(Pattern::RequestResponse));
        assert_eq!(pattern(&format!("{PREFIX}.sync")), Some(Pattern::Sync));
        assert_eq!(pattern(&format!("{PREFIX}.sync:2")), Some(Pattern::Sync2));
        assert_eq!(
            pattern(&format!("{PREFIX}.waitForTaskToken")),
            Some(Pattern::Callback)
        );
        assert_eq!(pattern(&format!("{PREFIX}.sync:3")), None);
        assert_eq!(pattern("arn:aws:states:::lambda:invoke"), None);
    }

    #[test]
    fn child_names_are_stable_uuids() {
        let a = child_name("arn:aws:states:us-east-1:1:execution:m:e", 7);
        assert_eq!(a, child_name("arn:aws:states:us-east-1:1:execution:m:e", 7));
        assert_ne!(a, child_name("arn:aws:states:us-east-1:1:execution:m:e", 8));
        let u = uuid::Uuid::parse_str(&a).expect("a UUID");
        assert_eq!(u.get_version_num(), 4);
    }
}
