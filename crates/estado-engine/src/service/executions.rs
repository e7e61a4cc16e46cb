//! StartExecution, StartSyncExecution, DescribeExecution, DescribeStateMachineForExecution,
//! ListExecutions, StopExecution, GetExecutionHistory, RedriveExecution.

use std::time::Duration;

use estado_api::arn::{AnyExecutionArn, StateMachineArn, StateMachineTarget};
use estado_api::shapes::*;
use estado_api::{names, paging, ApiError, ErrorCode};
use estado_interp::Delivery;
use estado_store::{ExecutionQuery, StateMachine};
use estado_types::history::{HistoryEvent, Timestamp};
use serde::{Deserialize, Serialize};

use super::{internal, ApiResult, Ctx, Service};
use crate::runtime::{StartError, StartRequest};

/// How long StopExecution waits for the abort to be recorded before answering.
const STOP_WAIT: Duration = Duration::from_secs(10);

/// What an execution runs: the machine and the definition of the version it goes through.
pub(crate) struct Target {
    pub machine: StateMachine,
    pub definition: String,
    pub role_arn: String,
    pub version_arn: Option<String>,
    pub alias_arn: Option<String>,
    /// The mock test case the ARN named (`…#TestCase`).
    pub test_case: Option<String>,
}

pub(crate) fn machine_missing(arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::StateMachineDoesNotExist,
        format!("State Machine Does Not Exist: '{arn}'"),
    )
}

pub(crate) fn execution_missing(arn: &str) -> ApiError {
    ApiError::new(
        ErrorCode::ExecutionDoesNotExist,
        format!("Execution Does Not Exist: '{arn}'"),
    )
}

fn ts(ms: i64) -> Timestamp {
    Timestamp(ms)
}

fn included() -> Option<CloudWatchEventsExecutionDataDetails> {
    Some(CloudWatchEventsExecutionDataDetails {
        included: Some(true),
    })
}

impl Service {
    /// Resolve a state machine, version or alias ARN to what an execution runs.
    pub(crate) async fn resolve_target(&self, arn: &str) -> ApiResult<Target> {
        let target = StateMachineTarget::parse(arn)?;
        match target {
            StateMachineTarget::StateMachine(sm) => {
                let machine = self.machine_to_start(&sm).await?;
                Ok(Target {
                    definition: machine.definition.clone(),
                    role_arn: machine.role_arn.clone(),
                    machine,
                    version_arn: None,
                    alias_arn: None,
                    test_case: None,
                })
            }
            StateMachineTarget::Version(v) => {
                let version = self
                    .store
                    .get_version(arn)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| machine_missing(arn))?;
                let machine = self.machine_to_start(&v.state_machine).await?;
                Ok(Target {
                    definition: version.definition,
                    role_arn: version.role_arn,
                    machine,
                    version_arn: Some(version.arn),
                    alias_arn: None,
                    test_case: None,
                })
            }
            StateMachineTarget::Alias(a) => {
                let alias = self
                    .store
                    .get_alias(arn)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| machine_missing(arn))?;
                let machine = self.machine_to_start(&a.state_machine).await?;
                // Route by weight: a uniform draw over the percentages.
                let draw = (uuid::Uuid::new_v4().as_u128() % 100) as u32;
                let mut acc = 0;
                let mut chosen = alias.routing.first().map(|r| r.0.clone());
                for (version_arn, weight) in &alias.routing {
                    acc += weight;
                    if draw < acc {
                        chosen = Some(version_arn.clone());
                        break;
                    }
                }
                let version_arn = chosen.ok_or_else(|| machine_missing(arn))?;
                let version = self
                    .store
                    .get_version(&version_arn)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| machine_missing(&version_arn))?;
                Ok(Target {
                    definition: version.definition,
                    role_arn: version.role_arn,
                    machine,
                    version_arn: Some(version.arn),
                    alias_arn: Some(alias.arn),
                    test_case: None,
                })
            }
        }
    }

    /// [`Service::resolve_target`] for starting an execution: the ARN may end in `#TestCase`,
    /// a test case of the mock config (Step Functions Local's mocked service integrations).
    pub(crate) async fn resolve_start_target(&self, arn: &str) -> ApiResult<Target> {
        let Some((arn, case)) = arn.split_once('#') else {
            return self.resolve_target(arn).await;
        };
        let mut target = self.resolve_target(arn).await?;
        let known = self
            .runtime
            .runners()
            .mocks()
            .is_some_and(|m| m.config().has_case(&target.machine.name, case));
        if !known {
            return Err(ApiError::validation(
                format!(
                    "Test case '{case}' of state machine '{}' is not in the mock config (set SFN_MOCK_CONFIG or put MockConfigFile.json in the working directory)",
                    target.machine.name
                ),
                "MISSING_REQUIRED_PARAMETER",
            ));
        }
        target.test_case = Some(case.to_owned());
        Ok(target)
    }

    async fn machine(&self, arn: &StateMachineArn) -> ApiResult<StateMachine> {
        let text = Self::unlabeled(arn)?;
        self.store
            .get_state_machine(&text)
            .await
            .map_err(internal)?
            .ok_or_else(|| machine_missing(&text))
    }

    /// [`Service::machine`] to start an execution of: the store may answer from its cache
    /// (see [`estado_store::Store::state_machine_to_start`]).
    async fn machine_to_start(&self, arn: &StateMachineArn) -> ApiResult<StateMachine> {
        let text = Self::unlabeled(arn)?;
        self.store
            .state_machine_to_start(&text)
            .await
            .map_err(internal)?
            .ok_or_else(|| machine_missing(&text))
    }

    fn unlabeled(arn: &StateMachineArn) -> ApiResult<String> {
        if arn.label.is_some() {
            return Err(ApiError::validation(
                "This API does not support labeled ARNs.",
                "API_DOES_NOT_SUPPORT_LABELED_ARNS",
            ));
        }
        Ok(arn.to_string())
    }

    /// The input as given and as parsed (which checks it).
    pub(super) fn parsed_execution_input(
        input: Option<String>,
    ) -> ApiResult<(String, estado_json::Value)> {
        let input = input.unwrap_or_else(|| "{}".into());
        match estado_json::from_str(&input) {
            Ok(value) => Ok((input, value)),
            Err(e) => Err(ApiError::new(
                ErrorCode::InvalidExecutionInput,
                format!("Invalid State Machine Execution Input: '{e}'"),
            )),
        }
    }

    fn execution_name(name: Option<String>) -> ApiResult<String> {
        match name {
            Some(n) => {
                names::check_name(&n)?;
                Ok(n)
            }
            None => Ok(uuid::Uuid::new_v4().to_string()),
        }
    }

    pub async fn start_execution(
        &self,
        ctx: &Ctx,
        req: StartExecutionInput,
    ) -> ApiResult<StartExecutionOutput> {
        let target = self.resolve_start_target(&req.state_machine_arn).await?;
        let (input, input_value) = Self::parsed_execution_input(req.input)?;
        let name = Self::execution_name(req.name)?;
        if target.machine.kind == "EXPRESS" {
            let run = self
                .start_express(ctx, &target, name, (input, input_value), req.trace_header)
                .await?;
            return Ok(StartExecutionOutput {
                execution_arn: run.execution_arn,
                start_date: ts(run.start_ms),
            });
        }
        let arn = ctx.arn("execution", &format!("{}:{}", target.machine.name, name));
        // Name idempotency (the same name and input while running answers as the first call)
        // is answered by the insert: a name in use fails it with `AlreadyExists`, and only then
        // is the existing execution read. A repeated start runs the first step in vain (it is
        // not saved), which costs less than a read before every start.
        let started = self
            .runtime
            .start_parsed(
                StartRequest {
                    execution_arn: arn.clone(),
                    state_machine_arn: target.machine.arn.clone(),
                    state_machine_name: target.machine.name.clone(),
                    name,
                    definition: target.definition,
                    role_arn: target.role_arn,
                    input: input.clone(),
                    express: false,
                    version_arn: target.version_arn,
                    alias_arn: target.alias_arn,
                    trace_header: req.trace_header,
                    test_case: target.test_case,
                },
                input_value,
            )
            .await;
        match started {
            Ok(record) => Ok(StartExecutionOutput {
                execution_arn: record.arn,
                start_date: ts(record.start_ms),
            }),
            Err(StartError::Store(estado_store::StoreError::AlreadyExists(_))) => {
                let existing = self
                    .store
                    .get_execution(&arn)
                    .await
                    .map_err(internal)?
                    .ok_or_else(|| execution_missing(&arn))?;
                Self::idempotent(existing, &input)
            }
            Err(StartError::Input(e)) => Err(ApiError::new(
                ErrorCode::InvalidExecutionInput,
                format!("Invalid State Machine Execution Input: '{e}'"),
            )),
            Err(StartError::Definition(e)) => Err(ApiError::new(
                ErrorCode::InvalidDefinition,
                format!("Invalid State Machine Definition: '{e}'"),
            )),
            Err(StartError::Store(e)) => Err(internal(e)),
        }
    }

    fn idempotent(
        existing: estado_store::Execution,
        input: &str,
    ) -> ApiResult<StartExecutionOutput> {
        if existing.is_open() && same_json(&existing.input, input) {
            Ok(StartExecutionOutput {
                execution_arn: existing.arn,
                start_date: ts(existing.start_ms),
            })
        } else {
            Err(ApiError::new(
                ErrorCode::ExecutionAlreadyExists,
                format!("Execution Already Exists: '{}'", existing.arn),
            ))
        }
    }

    pub async fn start_sync_execution(
        &self,
        ctx: &Ctx,
        req: StartSyncExecutionInput,
    ) -> ApiResult<StartSyncExecutionOutput> {
        let target = self.resolve_start_target(&req.state_machine_arn).await?;
        if target.machine.kind != "EXPRESS" {
            return Err(ApiError::new(
                ErrorCode::StateMachineTypeNotSupported,
                "This operation is not supported by this type of state machine",
            ));
        }
        let input = Self::parsed_execution_input(req.input)?;
        let name = Self::execution_name(req.name)?;
        let metadata_only = req.included_data.as_deref() == Some("METADATA_ONLY");
        let run = self
            .run_express(ctx, &target, name, input, req.trace_header)
            .await?;
        Ok(StartSyncExecutionOutput {
            execution_arn: run.execution_arn,
            state_machine_arn: Some(target.machine.arn),
            name: Some(run.name),
            start_date: ts(run.start_ms),
            stop_date: ts(run.stop_ms),
            status: run.status.into(),
            error: run.error,
            cause: run.cause,
            input: (!metadata_only).then_some(run.input),
            input_details: included(),
            output: if metadata_only { None } else { run.output },
            output_details: included(),
            trace_header: run.trace_header,
            billing_details: Some(BillingDetails {
                billed_memory_used_in_m_b: Some(64),
                billed_duration_in_milliseconds: Some(
                    (((run.stop_ms - run.start_ms).max(0) + 99) / 100 * 100).max(100),
                ),
            }),
        })
    }

    /// A standard execution's record, or AWS's errors for malformed, express or unknown ARNs.
    async fn standard_execution(&self, arn: &str) -> ApiResult<estado_store::Execution> {
        self.standard_record(arn, false).await
    }

    /// [`Service::standard_execution`]; with `metadata_only`, its documents may be left out
    /// (see `Store::get_execution_metadata`).
    async fn standard_record(
        &self,
        arn: &str,
        metadata_only: bool,
    ) -> ApiResult<estado_store::Execution> {
        if let AnyExecutionArn::Express(_) = AnyExecutionArn::parse(arn)? {
            return Err(ApiError::invalid_arn(
                "Resource type not valid in this context: express",
            ));
        }
        let record = if metadata_only {
            self.store.get_execution_metadata(arn).await
        } else {
            self.store.get_execution(arn).await
        };
        record
            .map_err(internal)?
            .ok_or_else(|| execution_missing(arn))
    }

    pub async fn describe_execution(
        &self,
        _ctx: &Ctx,
        req: DescribeExecutionInput,
    ) -> ApiResult<DescribeExecutionOutput> {
        let metadata_only = req.included_data.as_deref() == Some("METADATA_ONLY");
        let e = self
            .standard_record(&req.execution_arn, metadata_only)
            .await?;
        let (redrive_status, reason) = redrive_status(&e);
        Ok(DescribeExecutionOutput {
            execution_arn: e.arn.clone(),
            state_machine_arn: e.state_machine_arn.clone(),
            name: Some(e.name.clone()),
            status: e.status.clone(),
            start_date: ts(e.start_ms),
            stop_date: e.stop_ms.map(ts),
            input: (!metadata_only).then(|| e.input.clone()),
            input_details: included(),
            output: if metadata_only {
                None
            } else {
                e.output.clone()
            },
            output_details: e
                .output
                .as_ref()
                .map(|_| CloudWatchEventsExecutionDataDetails {
                    included: Some(true),
                }),
            trace_header: e.trace_header.clone(),
            map_run_arn: None,
            error: e.error.clone(),
            cause: e.cause.clone(),
            state_machine_version_arn: e.version_arn.clone(),
            state_machine_alias_arn: e.alias_arn.clone(),
            redrive_count: Some(e.redrive_count as i32),
            redrive_date: e.redrive_ms.map(ts),
            redrive_status: Some(redrive_status.into()),
            redrive_status_reason: reason,
        })
    }

    pub async fn describe_state_machine_for_execution(
        &self,
        _ctx: &Ctx,
        req: DescribeStateMachineForExecutionInput,
    ) -> ApiResult<DescribeStateMachineForExecutionOutput> {
        let e = self.standard_execution(&req.execution_arn).await?;
        let machine = self
            .store
            .get_state_machine(&e.state_machine_arn)
            .await
            .map_err(internal)?;
        // The machine as this execution ran it: its current record only while the definition
        // is unchanged (the execution keeps the definition it started with).
        let current = machine.as_ref().filter(|m| m.definition == e.definition);
        let name = match &machine {
            Some(m) => m.name.clone(),
            None => e
                .state_machine_arn
                .rsplit(':')
                .next()
                .unwrap_or_default()
                .to_owned(),
        };
        let update_ms = current.map(|m| m.updated_ms).unwrap_or(e.start_ms);
        Ok(DescribeStateMachineForExecutionOutput {
            state_machine_arn: e.state_machine_arn.clone(),
            name,
            definition: e.definition.clone(),
            role_arn: e.role_arn.clone(),
            update_date: ts(update_ms),
            logging_configuration: Some(super::state_machines::logging_or_default(
                machine.as_ref().and_then(|m| m.logging.as_ref()),
            )),
            tracing_configuration: Some(super::state_machines::tracing_or_default(
                machine.as_ref().and_then(|m| m.tracing.as_ref()),
            )),
            map_run_arn: None,
            label: None,
            revision_id: current
                .map(|m| m.revision_id.clone())
                .filter(|r| !r.is_empty()),
            encryption_configuration: machine
                .as_ref()
                .and_then(|m| m.encryption.clone())
                .and_then(|v| estado_json::from_value(v).ok()),
            variable_references: None,
        })
    }

    pub async fn list_executions(
        &self,
        _ctx: &Ctx,
        req: ListExecutionsInput,
    ) -> ApiResult<ListExecutionsOutput> {
        if req.map_run_arn.is_some() && req.state_machine_arn.is_some() {
            return Err(ApiError::validation(
                "Only one of stateMachineArn or mapRunArn can be specified.",
                "MISSING_REQUIRED_PARAMETER",
            ));
        }
        if let Some(map_run) = &req.map_run_arn {
            estado_api::arn::MapRunArn::parse(map_run)?;
            return Err(ApiError::new(
                ErrorCode::ResourceNotFound,
                format!("Resource not found: '{map_run}'"),
            )
            .with_resource_name(map_run.clone()));
        }
        let Some(sm_arn) = req.state_machine_arn.clone() else {
            return Err(ApiError::validation(
                "Must provide a StateMachine ARN or MapRun ARN",
                "MISSING_REQUIRED_PARAMETER",
            ));
        };
        let target = StateMachineTarget::parse(&sm_arn)?;
        let machine = self.machine(target.state_machine()).await?;
        if machine.kind == "EXPRESS" {
            return Err(ApiError::new(
                ErrorCode::StateMachineTypeNotSupported,
                "This operation is not supported by this type of state machine",
            ));
        }
        let limit = paging::page_size(req.max_results);
        let scope = format!("executions:{sm_arn}");
        let after = super::page_cursor::<Cursor>(&scope, &req.next_token)?.map(|c| c.after);
        let mut query = ExecutionQuery {
            status: req.status_filter.clone(),
            after,
            limit: limit + 1,
            ..Default::default()
        };
        match target {
            StateMachineTarget::StateMachine(_) => {
                query.state_machine_arn = Some(machine.arn.clone())
            }
            _ => query.version_or_alias_arn = Some(sm_arn.clone()),
        }
        let rows = self.store.list_executions(&query).await.map_err(internal)?;
        let (rows, next_token) = super::page_out(rows, limit, &scope, |r| Cursor {
            after: r.arn.clone(),
        });
        let executions = rows
            .into_iter()
            .map(|e| ExecutionListItem {
                execution_arn: e.arn,
                state_machine_arn: e.state_machine_arn,
                name: e.name,
                status: e.status,
                start_date: ts(e.start_ms),
                stop_date: e.stop_ms.map(ts),
                map_run_arn: None,
                item_count: None,
                state_machine_version_arn: e.version_arn,
                state_machine_alias_arn: e.alias_arn,
                redrive_count: Some(e.redrive_count as i32),
                redrive_date: e.redrive_ms.map(ts),
            })
            .collect();
        Ok(ListExecutionsOutput {
            executions,
            next_token,
        })
    }

    pub async fn stop_execution(
        &self,
        _ctx: &Ctx,
        req: StopExecutionInput,
    ) -> ApiResult<StopExecutionOutput> {
        let e = self.standard_execution(&req.execution_arn).await?;
        if !e.is_open() {
            return Ok(StopExecutionOutput {
                stop_date: ts(e.stop_ms.unwrap_or(e.start_ms)),
            });
        }
        let mut finished = self.runtime.subscribe();
        self.runtime
            .deliver(
                &e.arn,
                None,
                Delivery::Stop {
                    error: req.error,
                    cause: req.cause,
                },
            )
            .await
            .map_err(internal)?;
        // Answer once the abort is recorded, so that a Describe right after sees ABORTED.
        let deadline = tokio::time::Instant::now() + STOP_WAIT;
        loop {
            let current = self
                .store
                .get_execution(&e.arn)
                .await
                .map_err(internal)?
                .ok_or_else(|| execution_missing(&e.arn))?;
            if !current.is_open() {
                return Ok(StopExecutionOutput {
                    stop_date: ts(current.stop_ms.unwrap_or_else(|| self.now_ms())),
                });
            }
            let wait = tokio::time::timeout_at(deadline, finished.recv()).await;
            if wait.is_err() {
                return Ok(StopExecutionOutput {
                    stop_date: ts(self.now_ms()),
                });
            }
        }
    }

    pub async fn get_execution_history(
        &self,
        _ctx: &Ctx,
        req: GetExecutionHistoryInput,
    ) -> ApiResult<GetExecutionHistoryOutput> {
        let e = self.standard_execution(&req.execution_arn).await?;
        let reverse = req.reverse_order.unwrap_or(false);
        let limit = paging::page_size(req.max_results);
        let scope = format!("history:{}:{reverse}", e.arn);
        let from = match super::page_cursor::<HistoryCursor>(&scope, &req.next_token)? {
            Some(c) => c.from,
            None if reverse => i64::MAX,
            None => 0,
        };
        let events = self
            .store
            .history(&e.arn, from, reverse, limit + 1)
            .await
            .map_err(internal)?;
        let (mut events, next_token) =
            super::page_out(events, limit, &scope, |ev| HistoryCursor { from: ev.id });
        if req.include_execution_data == Some(false) {
            events = events.into_iter().map(without_data).collect();
        }
        Ok(GetExecutionHistoryOutput { events, next_token })
    }

    pub async fn redrive_execution(
        &self,
        _ctx: &Ctx,
        req: RedriveExecutionInput,
    ) -> ApiResult<RedriveExecutionOutput> {
        let e = self.standard_execution(&req.execution_arn).await?;
        let (status, reason) = redrive_status(&e);
        if status != "REDRIVABLE" {
            return Err(ApiError::new(
                ErrorCode::ExecutionNotRedrivable,
                reason
                    .unwrap_or_else(|| format!("Execution is {} and cannot be redriven", e.status)),
            ));
        }
        self.runtime
            .redrive(&e.arn)
            .await
            .map_err(|err| match err {
                crate::runtime::RedriveError::NotRedrivable(why) => {
                    ApiError::new(ErrorCode::ExecutionNotRedrivable, why)
                }
                crate::runtime::RedriveError::Store(s) => internal(s),
            })?;
        let now = self
            .store
            .get_execution(&e.arn)
            .await
            .map_err(internal)?
            .and_then(|r| r.redrive_ms)
            .unwrap_or_else(|| self.now_ms());
        Ok(RedriveExecutionOutput {
            redrive_date: ts(now),
        })
    }
}

/// AWS's redrive status of an execution: only unsuccessful executions closed less than 14
/// days ago can be redriven.
fn redrive_status(e: &estado_store::Execution) -> (&'static str, Option<String>) {
    match e.status.as_str() {
        "FAILED" | "TIMED_OUT" | "ABORTED" => ("REDRIVABLE", None),
        "SUCCEEDED" => (
            "NOT_REDRIVABLE",
            Some("Execution is SUCCEEDED and cannot be redriven".into()),
        ),
        other => (
            "NOT_REDRIVABLE",
            Some(format!("Execution is {other} and cannot be redriven")),
        ),
    }
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    after: String,
}

#[derive(Serialize, Deserialize)]
struct HistoryCursor {
    from: i64,
}

fn same_json(a: &str, b: &str) -> bool {
    a == b
        || matches!(
            (estado_json::from_str(a), estado_json::from_str(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

/// `includeExecutionData: false`: the event without its input, output and parameters.
fn without_data(ev: HistoryEvent) -> HistoryEvent {
    let Ok(mut v) = estado_json::to_value(&ev) else {
        return ev;
    };
    if let Some(obj) = v.as_object_mut() {
        for (k, details) in obj.iter_mut() {
            if k.ends_with("EventDetails") {
                if let Some(d) = details.as_object_mut() {
                    for field in ["input", "output", "parameters", "result"] {
                        d.remove(field);
                    }
                }
            }
        }
    }
    estado_json::from_value(v).unwrap_or(ev)
}
