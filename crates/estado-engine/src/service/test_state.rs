//! TestState: one state run in isolation (`estado_interp::test_state`), with AWS's request
//! checks and its answer shape.
//!
//! The test pretends to be an express execution of a state machine named after a fresh UUID,
//! as AWS's context objects show. `inspectionLevel` `INFO` (the default) answers without
//! `inspectionData`; `DEBUG` and `TRACE` include it (TRACE adds HTTP request and response data
//! for HTTP Tasks, which are never called here, so both show the same).

use estado_api::shapes::{
    InspectionData, InspectionErrorDetails, MockInput, TestStateInput, TestStateOutput,
};
use estado_asl::validate;
use estado_interp::test_state::{self as ts, Mock, TestStateError, TestStateRequest};
use estado_json::{Map, Value};

use super::state_machines::{check_role_arn, invalid_definition};
use super::{ApiError, ApiResult, Ctx, ErrorCode, Service};

impl Service {
    /// Evaluates `definition` (one state, or a whole machine with `stateName`) against
    /// `input` and `variables`, with the task's result taken from `mock`.
    pub async fn test_state(&self, ctx: &Ctx, req: TestStateInput) -> ApiResult<TestStateOutput> {
        let definition = parse_definition(&req.definition)?;
        if let Some(role) = &req.role_arn {
            check_role_arn(role)?;
        }
        let input = match req.input.as_deref() {
            None => Value::Object(Map::new()),
            Some(text) => estado_json::from_str(text).map_err(|e| {
                ApiError::new(
                    ErrorCode::InvalidExecutionInput,
                    format!("Invalid State Machine Execution Input: '{e}'"),
                )
            })?,
        };
        let variables = match req.variables.as_deref() {
            None => Map::new(),
            Some(text) => match estado_json::from_str(text) {
                Ok(Value::Object(vars)) => vars,
                _ => {
                    return Err(ApiError::new(
                        ErrorCode::ValidationException,
                        "Variables must be a JSON object literal",
                    ))
                }
            },
        };
        let mock = match &req.mock {
            Some(m) => Some(mock(m, req.reveal_secrets == Some(true))?),
            None => None,
        };
        if req.context.is_some() && mock.is_none() {
            return Err(ApiError::new(
                ErrorCode::ValidationException,
                "Context can only be specified when a mock is specified",
            ));
        }
        let config = req.state_configuration.as_ref();
        let count = |n: Option<i32>| n.map(|n| u32::try_from(n).unwrap_or(0));
        let machine = uuid::Uuid::new_v4().to_string();
        let execution = uuid::Uuid::new_v4().to_string();
        let now = self.now_ms();
        let result = ts::test_state(TestStateRequest {
            definition,
            state_name: req.state_name.clone(),
            input,
            variables,
            mock,
            role_arn: req.role_arn.clone(),
            retrier_retry_count: count(config.and_then(|c| c.retrier_retry_count)).unwrap_or(0),
            map_iteration_failure_count: count(config.and_then(|c| c.map_iteration_failure_count)),
            execution_arn: ctx.arn("express", &format!("{machine}:{execution}:{execution}")),
            execution_name: execution,
            state_machine_arn: ctx.arn("stateMachine", &machine),
            state_machine_name: machine,
            now_millis: now,
            seed: u64::try_from(now).unwrap_or(0) ^ 0x5EED_7E57,
        })
        .map_err(|e| match e {
            TestStateError::Diagnostics(d) => invalid_definition(&d),
            TestStateError::Unsupported(m) => ApiError::new(ErrorCode::InvalidDefinition, m),
            TestStateError::Validation(m) => ApiError::new(ErrorCode::ValidationException, m),
        })?;

        let inspect = matches!(req.inspection_level.as_deref(), Some("DEBUG" | "TRACE"));
        Ok(TestStateOutput {
            output: result.output.as_ref().map(Value::to_string),
            error: result.error,
            cause: result.cause,
            inspection_data: inspect.then(|| inspection_data(result.inspection)),
            next_state: result.next_state,
            status: Some(result.status.as_str().to_owned()),
        })
    }
}

/// The definition as JSON; text that is not JSON is `InvalidDefinition` with the
/// validator's own diagnostic.
fn parse_definition(text: &str) -> ApiResult<Value> {
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        Err(_) => Err(invalid_definition(&validate::validate_text(
            text,
            &validate::Options::default(),
        ))),
    }
}

/// The mock, checked as AWS checks it.
fn mock(m: &MockInput, reveal_secrets: bool) -> ApiResult<Mock> {
    let invalid = |message: &str| ApiError::new(ErrorCode::ValidationException, message);
    if reveal_secrets {
        return Err(invalid(
            "TestState does not support RevealSecrets when a mock is specified.",
        ));
    }
    match (&m.result, &m.error_output) {
        (Some(_), Some(_)) | (None, None) => Err(invalid(
            "A test mock should have only one of the following fields: [result, errorOutput].",
        )),
        (Some(result), None) => serde_json::from_str(result)
            .map(Mock::Result)
            .map_err(|_| invalid("Mocked result must be valid JSON")),
        (None, Some(e)) => match &e.error {
            Some(error) => Ok(Mock::Error {
                error: error.clone(),
                cause: e.cause.clone(),
            }),
            None => Err(invalid("Mocked errorOutput must contain an error field.")),
        },
    }
}

fn inspection_data(i: ts::Inspection) -> InspectionData {
    let text = |v: Option<Value>| v.map(|v| v.to_string());
    InspectionData {
        input: Some(i.input.to_string()),
        after_arguments: text(i.after_arguments),
        after_input_path: text(i.after_input_path),
        after_parameters: text(i.after_parameters),
        result: text(i.result),
        after_result_selector: text(i.after_result_selector),
        after_result_path: text(i.after_result_path),
        request: None,
        response: None,
        variables: text(i.variables),
        error_details: i.error_details.map(|d| InspectionErrorDetails {
            catch_index: d.catch_index.map(saturate),
            retry_index: d.retry_index.map(saturate),
            retry_backoff_interval_seconds: d
                .retry_backoff_interval_seconds
                .map(|s| i32::try_from(s).unwrap_or(i32::MAX)),
        }),
        after_items_path: None,
        after_item_selector: None,
        after_item_batcher: None,
        after_items_pointer: None,
        tolerated_failure_count: i
            .tolerated_failure_count
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
        tolerated_failure_percentage: i.tolerated_failure_percentage,
        max_concurrency: i
            .max_concurrency
            .map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
    }
}

fn saturate(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}
