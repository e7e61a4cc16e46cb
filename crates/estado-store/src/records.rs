//! What the store keeps. Plain data; times are milliseconds since the Unix epoch.

use estado_types::history::HistoryEvent;
use serde::{Deserialize, Serialize};

use crate::chunks::HistoryChunk;
use estado_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateMachine {
    pub arn: String,
    pub name: String,
    /// `STANDARD` or `EXPRESS`.
    pub kind: String,
    pub definition: String,
    pub role_arn: String,
    pub created_ms: i64,
    pub updated_ms: i64,
    pub revision_id: String,
    pub description: Option<String>,
    /// `loggingConfiguration`, `tracingConfiguration`, `encryptionConfiguration` as given.
    pub logging: Option<Value>,
    pub tracing: Option<Value>,
    pub encryption: Option<Value>,
    /// The number the next published version gets.
    pub next_version: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub arn: String,
    pub state_machine_arn: String,
    pub number: u32,
    pub definition: String,
    pub role_arn: String,
    pub revision_id: String,
    pub description: Option<String>,
    pub created_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alias {
    pub arn: String,
    pub state_machine_arn: String,
    pub name: String,
    pub description: Option<String>,
    /// (version ARN, weight in percent).
    pub routing: Vec<(String, u32)>,
    pub created_ms: i64,
    pub updated_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Activity {
    pub arn: String,
    pub name: String,
    pub created_ms: i64,
    pub encryption: Option<Value>,
}

/// The summary of an execution that reads (Describe/List) need, kept up to date by steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    pub arn: String,
    pub state_machine_arn: String,
    pub name: String,
    /// `STANDARD` or `EXPRESS`.
    pub kind: String,
    /// `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED`, `PENDING_REDRIVE`.
    pub status: String,
    pub start_ms: i64,
    pub stop_ms: Option<i64>,
    pub input: String,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
    /// The definition and role this execution runs (a copy: the machine may change).
    pub definition: String,
    pub role_arn: String,
    pub version_arn: Option<String>,
    pub alias_arn: Option<String>,
    pub trace_header: Option<String>,
    pub redrive_count: u32,
    pub redrive_ms: Option<i64>,
    /// Bumped by every commit; steps are checked against it.
    pub version: u64,
}

impl Execution {
    pub fn is_open(&self) -> bool {
        self.status == "RUNNING"
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewExecution {
    pub execution: Execution,
    pub snapshot: Vec<u8>,
    /// The first events already in chunk form (see [`StepCommit::chunks`]); before `events`.
    #[serde(skip)]
    pub chunks: Vec<HistoryChunk>,
    pub events: Vec<HistoryEvent>,
    pub inbox: Vec<NewInbox>,
    /// `execution.input` as this store's [`Store::document_packer`] packed it, when the caller
    /// did that already (beside the execution's first step); `None`: the store does what it
    /// does with any input.
    #[serde(skip)]
    pub packed_input: Option<Vec<u8>>,
}

/// Something that happened (or will happen at `due_ms`) to an execution; `payload` is the
/// engine's serialized delivery. `key` identifies timers (to cancel them) and makes task
/// results idempotent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewInbox {
    pub due_ms: i64,
    pub key: Option<u64>,
    pub payload: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InboxRow {
    /// Assigned by the store, increasing.
    pub id: u64,
    pub due_ms: i64,
    pub key: Option<u64>,
    pub payload: Vec<u8>,
}

/// An execution handed to one step worker.
#[derive(Debug, Clone, PartialEq)]
pub struct Claim {
    pub execution: Execution,
    pub snapshot: Vec<u8>,
    pub inbox: Vec<InboxRow>,
}

/// A task waiting for a worker or a callback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Task {
    /// The token `SendTask*` present.
    pub token: String,
    pub execution_arn: String,
    /// The interpreter's effect id of the task.
    pub effect_id: u64,
    /// For activity tasks: the activity ARN (claimed by `GetActivityTask`).
    pub activity_arn: Option<String>,
    pub input: String,
    pub created_ms: i64,
    /// Set when a worker took it.
    pub worker: Option<String>,
}

/// A task for a runner (a Lambda function, an HTTP call, a nested execution, a mock): the
/// outbox row a step commits together with the task's `TaskScheduled` event. A dispatcher runs
/// it and hands the outcome back with [`crate::Store::complete_dispatch`]; until then it stays
/// here, so a crash re-runs it rather than losing it. Keyed by `(execution_arn, effect_id)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dispatch {
    pub execution_arn: String,
    /// The interpreter's effect id of the task.
    pub effect_id: u64,
    /// The engine's encoding of what to run.
    pub payload: Vec<u8>,
    pub created_ms: i64,
    /// The node running it and the end of its lease; `None` while queued. A dispatch whose
    /// lease has ended can be claimed again.
    pub lease: Option<(String, i64)>,
}

/// The summary fields a step changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExecutionUpdate {
    pub status: String,
    pub stop_ms: Option<i64>,
    pub output: Option<String>,
    pub error: Option<String>,
    pub cause: Option<String>,
}

/// One step of one execution, saved atomically by [`crate::Store::commit_step`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StepCommit {
    pub execution_arn: String,
    pub expected_version: u64,
    pub snapshot: Vec<u8>,
    /// New events already cut into chunks ([`crate::chunks`]) by the caller, which can do it
    /// while a long step still runs when the store keeps chunks ([`crate::Store::keeps_chunks`]);
    /// they come before `events`. Any store takes them.
    pub chunks: Vec<HistoryChunk>,
    pub events: Vec<HistoryEvent>,
    /// Inbox row ids the step consumed.
    pub consumed: Vec<u64>,
    /// Timers and other future inbox rows.
    pub new_inbox: Vec<NewInbox>,
    /// Inbox rows to drop by key (cancelled timers).
    pub cancel_keys: Vec<u64>,
    pub new_tasks: Vec<Task>,
    /// Effect ids (of this execution's tasks) no longer wanted: their tasks and dispatches go.
    pub cancel_tasks: Vec<u64>,
    /// Runner tasks to dispatch (added after the cancellations).
    pub new_dispatches: Vec<Dispatch>,
    pub update: Option<ExecutionUpdate>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExecutionQuery {
    pub state_machine_arn: Option<String>,
    /// Match the version or alias ARN the execution started through instead.
    pub version_or_alias_arn: Option<String>,
    pub status: Option<String>,
    pub after: Option<String>,
    pub limit: usize,
}
