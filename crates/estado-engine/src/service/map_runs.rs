//! DescribeMapRun, ListMapRuns, UpdateMapRun.
//!
//! Map Runs are the child workflow groups of Distributed Map states. This engine runs every
//! Map inline within its execution, so no execution has Map Runs: the verbs answer as AWS does
//! for executions without them (an empty list; `ResourceNotFound` for any Map Run ARN).

use estado_api::arn::{ExecutionArn, MapRunArn};
use estado_api::paging;
use estado_api::shapes::{
    DescribeMapRunInput, DescribeMapRunOutput, ListMapRunsInput, ListMapRunsOutput,
    UpdateMapRunInput, UpdateMapRunOutput,
};

use super::tags::resource_not_found;
use super::{internal, ApiError, ApiResult, Ctx, ErrorCode, Service};

impl Service {
    /// `InvalidArn` for a malformed Map Run ARN, else `ResourceNotFound`.
    pub async fn describe_map_run(
        &self,
        _ctx: &Ctx,
        req: DescribeMapRunInput,
    ) -> ApiResult<DescribeMapRunOutput> {
        let arn = MapRunArn::parse(&req.map_run_arn)?;
        Err(resource_not_found(&arn.to_string()))
    }

    /// The Map Runs of an existing execution: none. `ExecutionDoesNotExist` for an unknown
    /// execution; a page token must have been issued for this listing.
    pub async fn list_map_runs(
        &self,
        _ctx: &Ctx,
        req: ListMapRunsInput,
    ) -> ApiResult<ListMapRunsOutput> {
        let arn = ExecutionArn::parse(&req.execution_arn)?.to_string();
        if let Some(token) = &req.next_token {
            paging::decode_token::<usize>(&format!("ListMapRuns:{arn}"), token)?;
        }
        if self
            .store
            .get_execution(&arn)
            .await
            .map_err(internal)?
            .is_none()
        {
            return Err(ApiError::new(
                ErrorCode::ExecutionDoesNotExist,
                format!("Execution Does Not Exist: '{arn}'"),
            ));
        }
        Ok(ListMapRunsOutput {
            map_runs: Vec::new(),
            next_token: None,
        })
    }

    /// `InvalidArn` for a malformed ARN, `ValidationException` when nothing is to change,
    /// else `ResourceNotFound`.
    pub async fn update_map_run(
        &self,
        _ctx: &Ctx,
        req: UpdateMapRunInput,
    ) -> ApiResult<UpdateMapRunOutput> {
        let arn = MapRunArn::parse(&req.map_run_arn)?;
        if req.max_concurrency.is_none()
            && req.tolerated_failure_count.is_none()
            && req.tolerated_failure_percentage.is_none()
        {
            return Err(ApiError::validation(
                "Must specify at least one of maxConcurrency, toleratedFailureCount or toleratedFailurePercentage",
                "MISSING_REQUIRED_PARAMETER",
            ));
        }
        Err(resource_not_found(&arn.to_string()))
    }
}
