//! Constructors that build details the way AWS fills them in, for the interpreter's hot path.
//!
//! AWS always sends `inputDetails`/`outputDetails` as `{"truncated": false}` next to execution
//! data in `GetExecutionHistory` (the model: "Always false for API calls"), and
//! `assignedVariablesDetails` likewise next to non-empty `assignedVariables`; these constructors
//! set them so callers cannot forget. Optional context that only some events carry (role ARN
//! aliases, timeouts, task credentials) is left `None` for the caller to set on the public field.

use super::generated::*;
use super::Payload;
use crate::StatesError;
use std::sync::Arc;

impl HistoryEventExecutionDataDetails {
    /// `{"truncated": false}`, what AWS sends next to every input and output.
    pub const NOT_TRUNCATED: Self = HistoryEventExecutionDataDetails {
        truncated: Some(false),
    };
}

impl AssignedVariablesDetails {
    /// `{"truncated": false}`, what AWS sends next to assigned variables.
    pub const NOT_TRUNCATED: Self = AssignedVariablesDetails {
        truncated: Some(false),
    };
}

impl AssignedVariables {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl StateEnteredEventDetails {
    pub fn new(name: impl Into<Arc<str>>, input: Payload) -> Self {
        StateEnteredEventDetails {
            name: name.into(),
            input: Some(input),
            input_details: Some(HistoryEventExecutionDataDetails::NOT_TRUNCATED),
        }
    }
}

impl StateExitedEventDetails {
    pub fn new(name: impl Into<Arc<str>>, output: Payload) -> Self {
        StateExitedEventDetails {
            name: name.into(),
            output: Some(output),
            output_details: Some(HistoryEventExecutionDataDetails::NOT_TRUNCATED),
            assigned_variables: None,
            assigned_variables_details: None,
        }
    }

    /// Records the state's `Assign` results (each value is the variable's JSON). AWS omits both
    /// members when a state assigns nothing, so an empty list leaves them unset.
    pub fn with_assigned_variables(mut self, variables: AssignedVariables) -> Self {
        if variables.is_empty() {
            self.assigned_variables = None;
            self.assigned_variables_details = None;
        } else {
            self.assigned_variables = Some(variables);
            self.assigned_variables_details = Some(AssignedVariablesDetails::NOT_TRUNCATED);
        }
        self
    }
}

impl ExecutionStartedEventDetails {
    /// AWS always records the execution role; alias and version ARNs only when the execution
    /// was started through one (set those fields directly).
    pub fn new(input: Payload, role_arn: impl Into<Arc<str>>) -> Self {
        ExecutionStartedEventDetails {
            input: Some(input),
            input_details: Some(HistoryEventExecutionDataDetails::NOT_TRUNCATED),
            role_arn: Some(role_arn.into()),
            state_machine_alias_arn: None,
            state_machine_version_arn: None,
        }
    }
}

/// Details that carry only an output and its `outputDetails`.
macro_rules! output_details {
    ($($ty:ident),*) => {$(
        impl $ty {
            pub fn new(output: Payload) -> Self {
                $ty {
                    output: Some(output),
                    output_details: Some(HistoryEventExecutionDataDetails::NOT_TRUNCATED),
                }
            }
        }
    )*};
}

output_details!(
    ExecutionSucceededEventDetails,
    ActivitySucceededEventDetails,
    LambdaFunctionSucceededEventDetails
);

/// Details that carry only `error` and `cause`, each omitted when absent (a `Fail` state without
/// `Error`/`Cause` gives `"executionFailedEventDetails": {}`).
macro_rules! error_cause_details {
    ($($ty:ident),*) => {$(
        impl $ty {
            pub fn new(error: Option<String>, cause: Option<String>) -> Self {
                $ty { error, cause }
            }
        }

        impl From<StatesError> for $ty {
            fn from(e: StatesError) -> Self {
                $ty { error: Some(e.error), cause: Some(e.cause) }
            }
        }
    )*};
}

error_cause_details!(
    ExecutionFailedEventDetails,
    ExecutionAbortedEventDetails,
    ExecutionTimedOutEventDetails,
    ActivityFailedEventDetails,
    ActivityScheduleFailedEventDetails,
    ActivityTimedOutEventDetails,
    LambdaFunctionFailedEventDetails,
    LambdaFunctionScheduleFailedEventDetails,
    LambdaFunctionStartFailedEventDetails,
    LambdaFunctionTimedOutEventDetails,
    MapRunFailedEventDetails
);

/// Task (service integration) failures: the resource plus `error` and `cause`.
macro_rules! task_error_details {
    ($($ty:ident),*) => {$(
        impl $ty {
            pub fn new(
                resource_type: impl Into<Arc<str>>,
                resource: impl Into<Arc<str>>,
                error: Option<String>,
                cause: Option<String>,
            ) -> Self {
                $ty { resource_type: resource_type.into(), resource: resource.into(), error, cause }
            }

            pub fn from_error(
                resource_type: impl Into<Arc<str>>,
                resource: impl Into<Arc<str>>,
                e: StatesError,
            ) -> Self {
                Self::new(resource_type, resource, Some(e.error), Some(e.cause))
            }
        }
    )*};
}

task_error_details!(
    TaskFailedEventDetails,
    TaskStartFailedEventDetails,
    TaskSubmitFailedEventDetails,
    TaskTimedOutEventDetails
);

/// Task results: the resource plus the output.
macro_rules! task_output_details {
    ($($ty:ident),*) => {$(
        impl $ty {
            pub fn new(resource_type: impl Into<Arc<str>>, resource: impl Into<Arc<str>>, output: Payload) -> Self {
                $ty {
                    resource_type: resource_type.into(),
                    resource: resource.into(),
                    output: Some(output),
                    output_details: Some(HistoryEventExecutionDataDetails::NOT_TRUNCATED),
                }
            }
        }
    )*};
}

task_output_details!(TaskSucceededEventDetails, TaskSubmittedEventDetails);

impl TaskScheduledEventDetails {
    /// `resource_type`/`resource` as AWS splits the integration ARN: for
    /// `arn:aws:states:::lambda:invoke` they are `lambda` and `invoke`.
    pub fn new(
        resource_type: impl Into<Arc<str>>,
        resource: impl Into<Arc<str>>,
        region: impl Into<Arc<str>>,
        parameters: Payload,
    ) -> Self {
        TaskScheduledEventDetails {
            resource_type: resource_type.into(),
            resource: resource.into(),
            region: region.into(),
            parameters,
            timeout_in_seconds: None,
            heartbeat_in_seconds: None,
            task_credentials: None,
        }
    }
}

impl TaskStartedEventDetails {
    pub fn new(resource_type: impl Into<Arc<str>>, resource: impl Into<Arc<str>>) -> Self {
        TaskStartedEventDetails {
            resource_type: resource_type.into(),
            resource: resource.into(),
        }
    }
}

impl LambdaFunctionScheduledEventDetails {
    /// A Task whose `Resource` is a Lambda function ARN (the pre-integration form).
    pub fn new(resource: impl Into<Arc<str>>, input: Payload) -> Self {
        LambdaFunctionScheduledEventDetails {
            resource: resource.into(),
            input: Some(input),
            input_details: Some(HistoryEventExecutionDataDetails::NOT_TRUNCATED),
            timeout_in_seconds: None,
            task_credentials: None,
        }
    }
}

impl ActivityScheduledEventDetails {
    pub fn new(resource: impl Into<Arc<str>>, input: Payload) -> Self {
        ActivityScheduledEventDetails {
            resource: resource.into(),
            input: Some(input),
            input_details: Some(HistoryEventExecutionDataDetails::NOT_TRUNCATED),
            timeout_in_seconds: None,
            heartbeat_in_seconds: None,
        }
    }
}

impl ActivityStartedEventDetails {
    pub fn new(worker_name: impl Into<String>) -> Self {
        ActivityStartedEventDetails {
            worker_name: Some(worker_name.into()),
        }
    }
}

impl MapStateStartedEventDetails {
    /// `length` is the number of items the Map state iterates over.
    pub fn new(length: u32) -> Self {
        MapStateStartedEventDetails {
            length: Some(length),
        }
    }
}

impl MapIterationEventDetails {
    /// `name` is the Map state's name (not the iteration's first state); `index` the item's.
    pub fn new(name: impl Into<Arc<str>>, index: u32) -> Self {
        MapIterationEventDetails {
            name: Some(name.into()),
            index: Some(index),
        }
    }
}

impl MapRunStartedEventDetails {
    pub fn new(map_run_arn: impl Into<String>) -> Self {
        MapRunStartedEventDetails {
            map_run_arn: Some(map_run_arn.into()),
        }
    }
}

impl ExecutionRedrivenEventDetails {
    pub fn new(redrive_count: i32) -> Self {
        ExecutionRedrivenEventDetails {
            redrive_count: Some(redrive_count),
        }
    }
}

impl EvaluationFailedEventDetails {
    /// `state` is the state whose evaluation failed; `location` the field that failed.
    pub fn new(
        state: impl Into<String>,
        error: Option<String>,
        cause: Option<String>,
        location: Option<String>,
    ) -> Self {
        EvaluationFailedEventDetails {
            error,
            cause,
            location,
            state: state.into(),
        }
    }
}
