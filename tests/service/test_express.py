"""EXPRESS state machines: StartSyncExecution, express execution ARNs, and the APIs that refuse
express executions, as AWS answers them."""

import datetime as dt
import json
import re

import pytest

from sfn_helpers import (
    ACCOUNT,
    REGION,
    ROLE_ARN,
    activity_arn,
    create_sm,
    definition,
    fail_definition,
    pass_definition,
    raises_aws,
    unique,
)

EXPRESS_NOT_VALID = "Invalid Arn: 'Resource type not valid in this context: express'"
NOT_SUPPORTED = "This operation is not supported by this type of state machine"


def express_arn_pattern(sm_name: str, name: str | None = None) -> re.Pattern:
    exec_name = re.escape(name) if name else r"[0-9a-f-]{36}"
    return re.compile(
        rf"^arn:aws:states:{REGION}:{ACCOUNT}:express:{re.escape(sm_name)}:{exec_name}:"
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    )


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement StartSyncExecution")
def test_start_sync_execution_succeeds_with_output(sfn):
    sm_name, sm = create_sm(sfn, "xp-sync", pass_definition({"Arg1": "argument1"}), type="EXPRESS")
    name = unique("sync")
    out = sfn.start_sync_execution(stateMachineArn=sm, name=name, input='{"x": 1}')
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert out["status"] == "SUCCEEDED"
    assert express_arn_pattern(sm_name, name).match(out["executionArn"]), out["executionArn"]
    assert out["stateMachineArn"] == sm
    assert out["name"] == name
    assert json.loads(out["input"]) == {"x": 1}
    assert json.loads(out["output"]) == {"Arg1": "argument1"}
    assert out["inputDetails"] == {"included": True}
    assert out["outputDetails"] == {"included": True}
    assert isinstance(out["startDate"], dt.datetime)
    assert isinstance(out["stopDate"], dt.datetime)
    assert out["stopDate"] >= out["startDate"]
    assert "error" not in out


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement StartSyncExecution")
def test_start_sync_execution_reports_billing(sfn):
    _, sm = create_sm(sfn, "xp-billing", type="EXPRESS")
    out = sfn.start_sync_execution(stateMachineArn=sm)
    assert out["billingDetails"]["billedDurationInMilliseconds"] >= 100
    assert out["billingDetails"]["billedMemoryUsedInMB"] >= 64


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement StartSyncExecution")
def test_start_sync_execution_that_fails_is_still_a_200(sfn):
    _, sm = create_sm(sfn, "xp-sync-fail", fail_definition("Nope", "sync failure"), type="EXPRESS")
    out = sfn.start_sync_execution(stateMachineArn=sm, input="{}")
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert out["status"] == "FAILED"
    assert out["error"] == "Nope"
    assert out["cause"] == "sync failure"
    assert "output" not in out


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement StartSyncExecution")
def test_start_sync_execution_runs_a_wait(sfn):
    text = definition(
        {
            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
            "Done": {"Type": "Pass", "Parameters": {"ok.$": "$.ok"}, "End": True},
        }
    )
    _, sm = create_sm(sfn, "xp-sync-wait", text, type="EXPRESS")
    out = sfn.start_sync_execution(stateMachineArn=sm, input='{"ok": "yes"}')
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == {"ok": "yes"}
    assert (out["stopDate"] - out["startDate"]).total_seconds() >= 0.9


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement StartSyncExecution")
def test_express_input_that_is_not_json_is_refused(sfn):
    _, sm = create_sm(sfn, "xp-badinput", pass_definition({}), type="EXPRESS")
    prefix = "Invalid State Machine Execution Input: '"
    with raises_aws("InvalidExecutionInput", message_prefix=prefix):
        sfn.start_sync_execution(stateMachineArn=sm, input="not json")
    with raises_aws("InvalidExecutionInput", message_prefix=prefix):
        sfn.start_execution(stateMachineArn=sm, input="{")


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement StartSyncExecution")
def test_start_sync_execution_on_a_standard_machine(sfn):
    _, sm = create_sm(sfn, "xp-sync-std")
    with raises_aws("StateMachineTypeNotSupported", message=NOT_SUPPORTED):
        sfn.start_sync_execution(stateMachineArn=sm)


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement StartSyncExecution")
def test_start_sync_execution_on_an_unknown_machine(sfn):
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{unique('xp-missing')}"
    with raises_aws("StateMachineDoesNotExist", message=f"State Machine Does Not Exist: '{arn}'"):
        sfn.start_sync_execution(stateMachineArn=arn)


@pytest.mark.xfail_on_moto("moto gives express executions standard execution ARNs")
def test_start_execution_on_express_returns_an_express_arn(sfn):
    sm_name, sm = create_sm(sfn, "xp-async", type="EXPRESS")
    name = unique("async")
    out = sfn.start_execution(stateMachineArn=sm, name=name)
    assert express_arn_pattern(sm_name, name).match(out["executionArn"]), out["executionArn"]
    unnamed = sfn.start_execution(stateMachineArn=sm)
    assert express_arn_pattern(sm_name).match(unnamed["executionArn"]), unnamed["executionArn"]


@pytest.mark.xfail_on_moto("moto keeps express executions like standard ones")
def test_history_describe_and_stop_refuse_express_executions(sfn):
    _, sm = create_sm(sfn, "xp-refuse", type="EXPRESS")
    arn = sfn.start_execution(stateMachineArn=sm)["executionArn"]
    with raises_aws("InvalidArn", message=EXPRESS_NOT_VALID):
        sfn.get_execution_history(executionArn=arn)
    with raises_aws("InvalidArn", message=EXPRESS_NOT_VALID):
        sfn.describe_execution(executionArn=arn)
    with raises_aws("InvalidArn", message=EXPRESS_NOT_VALID):
        sfn.stop_execution(executionArn=arn)


@pytest.mark.xfail_on_moto("moto lists express executions")
def test_list_executions_refuses_an_express_machine(sfn):
    _, sm = create_sm(sfn, "xp-list", type="EXPRESS")
    with raises_aws("StateMachineTypeNotSupported", message=NOT_SUPPORTED):
        sfn.list_executions(stateMachineArn=sm)


@pytest.mark.xfail_on_moto("moto does not validate definitions against the machine type")
def test_express_refuses_activities(sfn):
    text = definition(
        {"ActivityTask": {"Type": "Task", "Resource": activity_arn(unique("act")), "End": True}}
    )
    with raises_aws(
        "InvalidDefinition",
        message="Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
        "Express state machine does not support Activity ARN at /States/ActivityTask/Resource'",
    ):
        sfn.create_state_machine(
            name=unique("xp-act"), definition=text, roleArn=ROLE_ARN, type="EXPRESS"
        )


@pytest.mark.xfail_on_moto("moto does not validate definitions against the machine type")
def test_express_refuses_wait_for_task_token(sfn):
    text = definition(
        {
            "Publish": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {
                    "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                    "MessageBody": {"token.$": "$$.Task.Token"},
                },
                "End": True,
            }
        }
    )
    with raises_aws(
        "InvalidDefinition",
        message="Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: "
        "Express state machine does not support '.waitForTaskToken' service integration  "
        "at /States/Publish/Resource'",
    ):
        sfn.create_state_machine(
            name=unique("xp-wftt"), definition=text, roleArn=ROLE_ARN, type="EXPRESS"
        )
