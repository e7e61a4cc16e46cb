//! The deterministic ASL interpreter.
//!
//! [`Execution`] holds everything needed to continue an execution: frames (one per running
//! state list: the top level, each Parallel branch, each Map iteration), variable scopes, the
//! effects it is waiting for, and the history it has produced. It is driven from outside:
//!
//! 1. [`Execution::start`] records `ExecutionStarted` and makes the first state runnable;
//! 2. [`Execution::run`] runs every runnable frame until each is finished or blocked on a
//!    timer, a task or its children, and returns the [`Effect`]s the driver must carry out;
//! 3. the driver reports what happened with [`Execution::deliver`] and calls `run` again.
//!
//! No clock, no randomness, no I/O: "now" comes in through [`Env`] on every call and
//! randomness from a seed in [`ExecInfo`], so the same inputs always give the same history.

mod choice;
mod context;
mod events;
mod exec;
mod fanout;
mod flow;
mod frames;
mod limits;
mod running;
pub mod test_state;
mod vars;

pub use context::iso_millis;
pub use exec::Execution;

use std::sync::Arc;

use estado_json::Value;
use serde::{Deserialize, Serialize};

/// The execution-level facts the context object (`$$`) and the history expose.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExecInfo {
    pub execution_arn: Arc<str>,
    pub name: Arc<str>,
    /// The machine's facts are shared by all its executions (`Arc`), not copied into each.
    pub state_machine_arn: Arc<str>,
    pub state_machine_name: Arc<str>,
    pub role_arn: Arc<str>,
    pub start_millis: i64,
    pub input: Arc<Value>,
    pub machine_type: MachineType,
    /// Seed of the execution's deterministic randomness (UUIDs, jitter).
    pub seed: u64,
    /// Times the execution was redriven, as `$$.Execution.RedriveCount` gives it. `None` for an
    /// EXPRESS execution started with StartSyncExecution, whose context on AWS has no
    /// `RedriveCount` (one started with StartExecution has `0`).
    pub redrive_count: Option<u32>,
    /// The mock test case the execution was started with (`StateMachineArn#TestCase`, Step
    /// Functions Local's mocked service integrations); not part of the context object.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_case: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MachineType {
    Standard,
    Express,
}

impl MachineType {
    /// [`ExecInfo::redrive_count`] of a new execution of this type: `0`, except for an EXPRESS
    /// one started with StartSyncExecution (`sync`), which AWS's context object shows without
    /// one. A STANDARD execution is always started with StartExecution.
    pub fn first_redrive_count(self, sync: bool) -> Option<u32> {
        (self == MachineType::Standard || !sync).then_some(0)
    }
}

/// What the interpreter needs from the outside world at each call.
#[derive(Debug, Clone, Copy)]
pub struct Env {
    /// The current time, milliseconds since the Unix epoch.
    pub now_millis: i64,
}

/// Work the driver must do for the execution. Ids are unique within one execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Effect {
    /// Run a Task state's resource with `input` (the effective parameters).
    RunTask(TaskRequest),
    /// Deliver [`Delivery::TimerFired`] with this id at `due_millis`.
    StartTimer { id: u64, due_millis: i64 },
    /// Forget a timer that is no longer wanted.
    CancelTimer { id: u64 },
    /// Abandon a task that is no longer wanted.
    CancelTask { id: u64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRequest {
    pub id: u64,
    pub resource: String,
    pub input: Arc<Value>,
    pub state_name: String,
    pub timeout_seconds: Option<u64>,
    pub heartbeat_seconds: Option<u64>,
    /// For `.waitForTaskToken` resources: the token the callback must present.
    pub task_token: Option<String>,
}

/// What happened outside, reported back to the execution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Delivery {
    TimerFired {
        id: u64,
    },
    /// The task ran and returned `output`.
    TaskSucceeded {
        id: u64,
        output: Value,
    },
    /// The task ran and failed.
    TaskFailed {
        id: u64,
        error: String,
        cause: String,
    },
    /// A worker took the task (`GetActivityTask`): records `ActivityStarted`/`TaskStarted` now
    /// rather than with the result.
    TaskStarted {
        id: u64,
        worker: Option<String>,
    },
    /// The integration's call went out and answered `output`; the task now waits (for its
    /// token, or for the job it started to end). Records `TaskStarted` (unless recorded) and
    /// `TaskSubmitted` (service integrations only).
    TaskSubmitted {
        id: u64,
        output: Value,
    },
    /// The task is still alive (`SendTaskHeartbeat`): restarts its `HeartbeatSeconds` clock.
    TaskHeartbeat {
        id: u64,
    },
    /// The task could not be started (no runner for the resource, ...).
    TaskStartFailed {
        id: u64,
        error: String,
        cause: String,
    },
    /// `StopExecution`.
    Stop {
        error: Option<String>,
        cause: Option<String>,
    },
}

/// Where an execution stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Status {
    Running,
    Succeeded {
        output: Arc<Value>,
    },
    Failed {
        error: Option<String>,
        cause: Option<String>,
    },
    TimedOut {
        error: Option<String>,
        cause: Option<String>,
    },
    Aborted {
        error: Option<String>,
        cause: Option<String>,
    },
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::Running => "RUNNING",
            Status::Succeeded { .. } => "SUCCEEDED",
            Status::Failed { .. } => "FAILED",
            Status::TimedOut { .. } => "TIMED_OUT",
            Status::Aborted { .. } => "ABORTED",
        }
    }
    pub fn is_terminal(&self) -> bool {
        !matches!(self, Status::Running)
    }
}
