//! Express executions: run in memory from start to end, as AWS runs them (at most once, no
//! history kept). `StartSyncExecution` waits for the end; `StartExecution` on an express
//! machine answers at once and lets it run.

use std::sync::Arc;

use estado_interp::{Env, ExecInfo, Execution, MachineType, Status};
use estado_json::Value;

use super::executions::Target;
use super::{ApiResult, Ctx, Service};
use crate::runtime::Runtime;
use estado_api::{ApiError, ErrorCode};

/// How an express execution ended.
pub(crate) struct ExpressRun {
    pub execution_arn: String,
    pub name: String,
    pub start_ms: i64,
    pub stop_ms: i64,
    pub status: &'static str,
    pub input: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub trace_header: Option<String>,
}

struct Prepared {
    program: Arc<estado_asl::model::Program>,
    exec: Execution,
    run: ExpressRun,
}

impl Service {
    /// `sync`: started with StartSyncExecution (else StartExecution), which AWS's context
    /// object tells apart: only an asynchronous one has `$$.Execution.RedriveCount` (0).
    fn prepare_express(
        &self,
        ctx: &Ctx,
        target: &Target,
        name: String,
        (input, value): (String, Value),
        trace_header: Option<String>,
        sync: bool,
    ) -> ApiResult<Prepared> {
        let program = self.runtime.program(&target.definition).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidDefinition,
                format!("Invalid State Machine Definition: '{e}'"),
            )
        })?;
        let now = self.now_ms();
        let execution_arn = ctx.arn(
            "express",
            &format!("{}:{}:{}", target.machine.name, name, uuid::Uuid::new_v4()),
        );
        let info = ExecInfo {
            execution_arn: execution_arn.as_str().into(),
            name: name.as_str().into(),
            state_machine_arn: target.machine.arn.as_str().into(),
            state_machine_name: target.machine.name.as_str().into(),
            role_arn: target.role_arn.as_str().into(),
            start_millis: now,
            input: Arc::new(value),
            machine_type: MachineType::Express,
            seed: uuid::Uuid::new_v4().as_u64_pair().0,
            redrive_count: MachineType::Express.first_redrive_count(sync),
            test_case: target.test_case.clone(),
        };
        let exec = Execution::start(&program, info, Env { now_millis: now });
        Ok(Prepared {
            program,
            exec,
            run: ExpressRun {
                execution_arn,
                name,
                start_ms: now,
                stop_ms: now,
                status: "RUNNING",
                input,
                output: None,
                error: None,
                cause: None,
                trace_header,
            },
        })
    }

    /// `StartSyncExecution`: run to the end and answer with the outcome.
    pub(crate) async fn run_express(
        &self,
        ctx: &Ctx,
        target: &Target,
        name: String,
        input: (String, Value),
        trace_header: Option<String>,
    ) -> ApiResult<ExpressRun> {
        let p = self.prepare_express(ctx, target, name, input, trace_header, true)?;
        Ok(drive(self.runtime.clone(), p).await)
    }

    /// `StartExecution` on an express machine: answer now, run in the background.
    pub(crate) async fn start_express(
        &self,
        ctx: &Ctx,
        target: &Target,
        name: String,
        input: (String, Value),
        trace_header: Option<String>,
    ) -> ApiResult<ExpressRun> {
        let p = self.prepare_express(ctx, target, name, input, trace_header, false)?;
        let answer = ExpressRun {
            execution_arn: p.run.execution_arn.clone(),
            name: p.run.name.clone(),
            start_ms: p.run.start_ms,
            stop_ms: p.run.stop_ms,
            status: "RUNNING",
            input: String::new(),
            output: None,
            error: None,
            cause: None,
            trace_header: None,
        };
        let rt = self.runtime.clone();
        tokio::spawn(async move {
            drive(rt, p).await;
        });
        Ok(answer)
    }
}

/// Run an express execution to its end: timers sleep (scaled), tasks go to the runners.
async fn drive(rt: Arc<Runtime>, mut p: Prepared) -> ExpressRun {
    let runner = rt.clone();
    crate::local::drive(
        &p.program,
        &mut p.exec,
        rt.clock.as_ref(),
        rt.config.time_scale,
        move |info, req| {
            let rt = runner.clone();
            async move { rt.run_task(&info, &req).await }
        },
        // Express executions keep no history.
        None::<fn(_)>,
    )
    .await;
    let mut run = p.run;
    run.stop_ms = rt.clock.now_ms().max(p.exec.now_millis());
    match p.exec.status().clone() {
        Status::Succeeded { output } => {
            run.status = "SUCCEEDED";
            run.output = serde_json::to_string(&*output).ok();
        }
        Status::Failed { error, cause } => {
            run.status = "FAILED";
            (run.error, run.cause) = (error, cause);
        }
        Status::TimedOut { error, cause } => {
            run.status = "TIMED_OUT";
            (run.error, run.cause) = (error, cause);
        }
        Status::Aborted { error, cause } => {
            run.status = "ABORTED";
            (run.error, run.cause) = (error, cause);
        }
        Status::Running => {
            run.status = "FAILED";
            run.error = Some("States.Runtime".into());
            run.cause =
                Some("The execution stopped making progress with nothing left to wait for.".into());
        }
    }
    run
}
