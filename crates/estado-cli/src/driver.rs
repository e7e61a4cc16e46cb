//! Runs one execution in-process to its end: the interpreter plus a clock, timers, and the
//! task runners available without a server (none yet: a Task whose resource cannot be run
//! fails with an error that names it).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use estado_asl::validate::{self, Diagnostic, MachineType as VMachineType, Options};
use estado_interp::{Delivery, Effect, Env, ExecInfo, Execution, MachineType, Status};
use estado_types::history::HistoryEvent;
use serde_json::{json, Value};

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

pub struct RunOptions {
    pub state_machine_name: String,
    pub execution_name: String,
    pub role_arn: String,
    pub express: bool,
    pub clock: Clock,
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

/// The execution's clock. Virtual time advances with real time and jumps to each timer's due
/// time when it fires; real sleeping before a timer is `scale` times the virtual wait.
pub struct Clock {
    scale: f64,
    base_virtual: i64,
    base_real: Instant,
}

impl Clock {
    pub fn new(scale: f64) -> Self {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        Clock {
            scale: scale.abs(),
            base_virtual: now,
            base_real: Instant::now(),
        }
    }
    pub fn now(&self) -> i64 {
        self.base_virtual + self.base_real.elapsed().as_millis() as i64
    }
    /// Wait (scaled) until `due`, then make it the current virtual time.
    fn advance_to(&mut self, due: i64) {
        let now = self.now();
        if due > now {
            if self.scale > 0.0 {
                let ms = ((due - now) as f64 * self.scale) as u64;
                std::thread::sleep(Duration::from_millis(ms));
            }
            self.base_virtual = due;
            self.base_real = Instant::now();
        }
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
pub fn run_definition(text: &str, input: Value, mut opts: RunOptions) -> Result<Outcome, RunError> {
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
    let now = opts.clock.now();
    let info = ExecInfo {
        execution_arn: exec_arn,
        name: opts.execution_name.clone(),
        state_machine_arn: sm_arn,
        state_machine_name: opts.state_machine_name.clone(),
        role_arn: opts.role_arn.clone(),
        start_millis: now,
        input: Arc::new(input),
        machine_type: if opts.express {
            MachineType::Express
        } else {
            MachineType::Standard
        },
        seed: u64::from_le_bytes(
            uuid::Uuid::new_v4().as_bytes()[..8]
                .try_into()
                .unwrap_or([7; 8]),
        ),
        redrive_count: 0,
    };
    let mut exec = Execution::start(&program, info, Env { now_millis: now });
    let mut timers: BinaryHeap<Reverse<(i64, u64)>> = BinaryHeap::new();
    let mut cancelled: HashSet<u64> = HashSet::new();
    let mut deliveries: Vec<Delivery> = Vec::new();
    loop {
        let effects = exec.run(
            &program,
            Env {
                now_millis: opts.clock.now(),
            },
        );
        for e in effects {
            match e {
                Effect::StartTimer { id, due_millis } => timers.push(Reverse((due_millis, id))),
                Effect::CancelTimer { id } => {
                    cancelled.insert(id);
                }
                Effect::RunTask(req) => deliveries.push(Delivery::TaskFailed {
                    id: req.id,
                    error: "States.TaskFailed".into(),
                    cause: format!(
                        "Estado cannot run the resource '{}' of state '{}': `estado run` has no runner for it (Lambda functions, activities and service integrations are not supported yet).",
                        req.resource, req.state_name
                    ),
                }),
                Effect::CancelTask { .. } => {}
            }
        }
        if exec.status().is_terminal() {
            break;
        }
        if !deliveries.is_empty() {
            for d in deliveries.drain(..) {
                exec.deliver(
                    &program,
                    d,
                    Env {
                        now_millis: opts.clock.now(),
                    },
                );
            }
            continue;
        }
        let Some(Reverse((due, id))) = timers.pop() else {
            break;
        };
        if cancelled.remove(&id) {
            continue;
        }
        opts.clock.advance_to(due);
        exec.deliver(
            &program,
            Delivery::TimerFired { id },
            Env {
                now_millis: opts.clock.now().max(due),
            },
        );
    }
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
        history: exec.history(),
    })
}
