//! ASL runtime errors (`States.*` and user-defined names).
//!
//! An ASL failure is data (an error name and a cause string), never a Rust panic. Expression
//! crates return the *specific* part of the cause (e.g. `Invalid path '$.x' : No results for
//! path: $['x']`); the interpreter prefixes it with AWS's
//! `An error occurred while executing the state 'S' (entered at the event id #N). `.

use std::fmt;

pub const ALL: &str = "States.ALL";
pub const DATA_LIMIT_EXCEEDED: &str = "States.DataLimitExceeded";
pub const EXCEED_TOLERATED_FAILURE_THRESHOLD: &str = "States.ExceedToleratedFailureThreshold";
pub const HEARTBEAT_TIMEOUT: &str = "States.HeartbeatTimeout";
pub const INTRINSIC_FAILURE: &str = "States.IntrinsicFailure";
pub const ITEM_READER_FAILED: &str = "States.ItemReaderFailed";
pub const NO_CHOICE_MATCHED: &str = "States.NoChoiceMatched";
pub const PARAMETER_PATH_FAILURE: &str = "States.ParameterPathFailure";
pub const PERMISSIONS: &str = "States.Permissions";
pub const QUERY_EVALUATION_ERROR: &str = "States.QueryEvaluationError";
pub const RESULT_PATH_MATCH_FAILURE: &str = "States.ResultPathMatchFailure";
pub const RESULT_WRITER_FAILED: &str = "States.ResultWriterFailed";
pub const RUNTIME: &str = "States.Runtime";
pub const TASK_FAILED: &str = "States.TaskFailed";
pub const TIMEOUT: &str = "States.Timeout";
pub const BRANCH_FAILED: &str = "States.BranchFailed";

/// An ASL error: what `Catch`/`Retry` match on (`error`) and the human text (`cause`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatesError {
    pub error: String,
    pub cause: String,
    /// Reported by a task's integration (a Lambda result too large, ...) rather than raised by
    /// the interpreter: AWS lets `States.ALL` catch such errors even when their name is one of
    /// the terminal ones (`States.DataLimitExceeded`), as its recorded histories show.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_task: bool,
}

impl StatesError {
    pub fn new(error: impl Into<String>, cause: impl Into<String>) -> Self {
        StatesError {
            error: error.into(),
            cause: cause.into(),
            from_task: false,
        }
    }
    /// An error a task reported (see [`StatesError::from_task`]).
    pub fn from_task(error: impl Into<String>, cause: impl Into<String>) -> Self {
        StatesError {
            from_task: true,
            ..Self::new(error, cause)
        }
    }
    /// The error as a state's error output (what a `Catch` passes on, what a failed Map
    /// iteration leaves in the results): `{"Error": ..., "Cause": ...}`.
    pub fn output(&self) -> estado_json::Value {
        estado_json::Value::Object(estado_json::Map::from_iter([
            ("Error", estado_json::Value::String(self.error.clone())),
            ("Cause", estado_json::Value::String(self.cause.clone())),
        ]))
    }
    /// Whether a `Retry`/`Catch` rule's `ErrorEquals` matches this error, as AWS does it: names
    /// match exactly; `States.ALL` matches every error except the terminal `States.Runtime`
    /// and `States.DataLimitExceeded` raised by the interpreter itself; `States.TaskFailed`
    /// additionally excludes `States.Timeout`.
    pub fn matches(&self, errors: &[String]) -> bool {
        let terminal =
            !self.from_task && (self.error == RUNTIME || self.error == DATA_LIMIT_EXCEEDED);
        errors.iter().any(|e| {
            *e == self.error
                || (e == ALL && !terminal)
                || (e == TASK_FAILED && !terminal && self.error != TIMEOUT)
        })
    }
    pub fn runtime(cause: impl Into<String>) -> Self {
        Self::new(RUNTIME, cause)
    }
    pub fn intrinsic(cause: impl Into<String>) -> Self {
        Self::new(INTRINSIC_FAILURE, cause)
    }
    pub fn query(cause: impl Into<String>) -> Self {
        Self::new(QUERY_EVALUATION_ERROR, cause)
    }
}

impl fmt::Display for StatesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.cause)
    }
}

impl std::error::Error for StatesError {}
