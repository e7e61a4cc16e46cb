//! One request to the verb that answers it, and its output encoded as AWS's JSON body.

use estado_api::shapes::Request;

use super::{ApiResult, Ctx, Service};

macro_rules! route {
    ($svc:ident, $ctx:ident, $req:ident; $($variant:ident => $method:ident),* $(,)?) => {
        match $req {
            $(Request::$variant(r) => Ok(estado_api::encode(&$svc.$method($ctx, r).await?)),)*
            #[allow(unreachable_patterns)]
            other => Err(estado_api::ApiError::new(
                estado_api::ErrorCode::UnknownOperationException,
                format!("{} is not available yet", other.operation().name()),
            )),
        }
    };
}

/// Answer one decoded request.
pub async fn dispatch(svc: &Service, ctx: &Ctx, req: Request) -> ApiResult<Vec<u8>> {
    route!(svc, ctx, req;
        StartExecution => start_execution,
        StartSyncExecution => start_sync_execution,
        DescribeExecution => describe_execution,
        DescribeStateMachineForExecution => describe_state_machine_for_execution,
        ListExecutions => list_executions,
        StopExecution => stop_execution,
        GetExecutionHistory => get_execution_history,
        RedriveExecution => redrive_execution,
        GetActivityTask => get_activity_task,
        SendTaskSuccess => send_task_success,
        SendTaskFailure => send_task_failure,
        SendTaskHeartbeat => send_task_heartbeat,
    )
}
