//! One request to the verb that answers it, and its output encoded as AWS's JSON body.

use estado_api::shapes::Request;

use super::{ApiResult, Ctx, Service};

macro_rules! route {
    ($svc:ident, $ctx:ident, $req:ident; $($variant:ident => $method:ident),* $(,)?) => {
        match $req {
            $(Request::$variant(r) => Ok(estado_api::encode(&$svc.$method($ctx, r).await?)),)*
        }
    };
}

/// Answer one decoded request.
pub async fn dispatch(svc: &Service, ctx: &Ctx, req: Request) -> ApiResult<Vec<u8>> {
    route!(svc, ctx, req;
        CreateActivity => create_activity,
        CreateStateMachine => create_state_machine,
        CreateStateMachineAlias => create_state_machine_alias,
        DeleteActivity => delete_activity,
        DeleteStateMachine => delete_state_machine,
        DeleteStateMachineAlias => delete_state_machine_alias,
        DeleteStateMachineVersion => delete_state_machine_version,
        DescribeActivity => describe_activity,
        DescribeExecution => describe_execution,
        DescribeMapRun => describe_map_run,
        DescribeStateMachine => describe_state_machine,
        DescribeStateMachineAlias => describe_state_machine_alias,
        DescribeStateMachineForExecution => describe_state_machine_for_execution,
        GetActivityTask => get_activity_task,
        GetExecutionHistory => get_execution_history,
        ListActivities => list_activities,
        ListExecutions => list_executions,
        ListMapRuns => list_map_runs,
        ListStateMachineAliases => list_state_machine_aliases,
        ListStateMachineVersions => list_state_machine_versions,
        ListStateMachines => list_state_machines,
        ListTagsForResource => list_tags_for_resource,
        PublishStateMachineVersion => publish_state_machine_version,
        RedriveExecution => redrive_execution,
        SendTaskFailure => send_task_failure,
        SendTaskHeartbeat => send_task_heartbeat,
        SendTaskSuccess => send_task_success,
        StartExecution => start_execution,
        StartSyncExecution => start_sync_execution,
        StopExecution => stop_execution,
        TagResource => tag_resource,
        TestState => test_state,
        UntagResource => untag_resource,
        UpdateMapRun => update_map_run,
        UpdateStateMachine => update_state_machine,
        UpdateStateMachineAlias => update_state_machine_alias,
        ValidateStateMachineDefinition => validate_state_machine_definition,
    )
}
