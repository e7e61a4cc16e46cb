//! Runs one execution in-process to its end: the interpreter, timers, and the task runners of
//! [`RunOptions::runners`] (a Task whose resource none of them runs fails with an error that
//! names it), driven by [`estado_engine::local::drive`] as express executions are.

use std::sync::Arc;

use estado_asl::validate::{self, Diagnostic, MachineType as VMachineType, Options};
use estado_engine::{Clock as _, Registry, SystemClock};
use estado_interp::{Env, ExecInfo, Execution, MachineType, Status};
use estado_json::{json, Value};
use estado_types::history::HistoryEvent;

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

pub struct RunOptions {
    pub state_machine_name: String,
    pub execution_name: String,
    pub role_arn: String,
    pub express: bool,
    /// An EXPRESS execution started with StartExecution rather than StartSyncExecution.
    pub express_async: bool,
    /// Real time spent per unit of Wait and retry time (0 = none; the execution's clock still
    /// advances as if it had waited).
    pub time_scale: f64,
    pub runners: Registry,
}

pub enum RunError {
    Invalid(Vec<String>),
    Input(String),
}

pub struct Outcome {
    pub status: &'static str,
    pub output: Option<Arc<Value>>,
    pub error: Option<String>,
    pub cause: Option<String>,
    pub history: Vec<HistoryEvent>,
}

impl Outcome {
    pub fn result_json(&self) -> Value {
        json!({
            "status": self.status,
            "output": self.output.as_deref().cloned().unwrap_or(Value::Null),
            "error": self.error,
            "cause": self.cause,
        })
    }
}

pub fn format_diagnostic(d: &Diagnostic) -> String {
    format!(
        "{:?} {} {}: {}",
        d.severity,
        d.code,
        d.location.as_deref().unwrap_or("/"),
        d.message
    )
    .replacen("Error ", "ERROR ", 1)
    .replacen("Warning ", "WARNING ", 1)
}

/// Validate, compile and run a definition with `input`.
pub async fn run_definition(
    text: &str,
    input: Value,
    opts: RunOptions,
) -> Result<Outcome, RunError> {
    let vopts = Options {
        machine_type: if opts.express {
            VMachineType::Express
        } else {
            VMachineType::Standard
        },
    };
    let diags = validate::validate_text(text, &vopts);
    if !validate::is_valid(&diags) {
        return Err(RunError::Invalid(
            diags.iter().map(format_diagnostic).collect(),
        ));
    }
    let def: Value = serde_json::from_str(text).map_err(|e| RunError::Input(e.to_string()))?;
    let program = estado_asl::compile(&def).map_err(|e| {
        RunError::Invalid(vec![format!(
            "ERROR SCHEMA_VALIDATION_FAILED {}: {}",
            e.location, e.message
        )])
    })?;
    let sm_arn = format!(
        "arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{}",
        opts.state_machine_name
    );
    let exec_arn = if opts.express {
        format!(
            "arn:aws:states:{REGION}:{ACCOUNT}:express:{}:{}:{}",
            opts.state_machine_name,
            opts.execution_name,
            uuid::Uuid::new_v4()
        )
    } else {
        format!(
            "arn:aws:states:{REGION}:{ACCOUNT}:execution:{}:{}",
            opts.state_machine_name, opts.execution_name
        )
    };
    let now = SystemClock.now_ms();
    let machine_type = if opts.express {
        MachineType::Express
    } else {
        MachineType::Standard
    };
    let info = ExecInfo {
        execution_arn: exec_arn.into(),
        name: opts.execution_name.as_str().into(),
        state_machine_arn: sm_arn.into(),
        state_machine_name: opts.state_machine_name.as_str().into(),
        role_arn: opts.role_arn.as_str().into(),
        start_millis: now,
        input: Arc::new(input),
        machine_type,
        seed: u64::from_le_bytes(
            uuid::Uuid::new_v4().as_bytes()[..8]
                .try_into()
                .unwrap_or([7; 8]),
        ),
        redrive_count: machine_type.first_redrive_count(!opts.express_async),
        test_case: None,
    };
    let mut exec = Execution::start(&program, info, Env { now_millis: now });
    let runners = opts.runners.clone();
    let mut history = Vec::new();
    estado_engine::local::drive(
        &program,
        &mut exec,
        &SystemClock,
        opts.time_scale,
        move |info, req| {
            let runners = runners.clone();
            async move { runners.run(&info, &req).await }
        },
        Some(|events| history.extend(events)),
    )
    .await;
    let (status, output, error, cause) = match exec.status().clone() {
        Status::Succeeded { output } => ("SUCCEEDED", Some(output), None, None),
        Status::Failed { error, cause } => ("FAILED", None, error, cause),
        Status::TimedOut { error, cause } => ("TIMED_OUT", None, error, cause),
        Status::Aborted { error, cause } => ("ABORTED", None, error, cause),
        Status::Running => (
            "FAILED",
            None,
            Some("States.Runtime".into()),
            Some("The execution stopped making progress with nothing left to wait for.".into()),
        ),
    };
    Ok(Outcome {
        status,
        output,
        error,
        cause,
        history,
    })
}
