"""RedriveExecution, and `.waitForTaskToken` service integrations that Estado cannot call."""

import json

import pytest

from sfn_helpers import (
    activity_machine,
    create_sm,
    definition,
    execution_arn,
    history,
    poll_task,
    raises_aws,
    run_to_end,
    unique,
    wait_for_execution,
    wait_for_status,
)


@pytest.mark.xfail_on_moto("moto does not implement RedriveExecution")
def test_redrive_a_failed_execution_resumes_at_the_failed_state(sfn, sfn_long_poll):
    act = sfn.create_activity(name=unique("redrive-act"))["activityArn"]
    _, sm = create_sm(sfn, "redrive", activity_machine(act))
    arn = sfn.start_execution(stateMachineArn=sm, input='{"job": "again"}')["executionArn"]

    first = poll_task(sfn_long_poll, act)
    sfn.send_task_failure(taskToken=first["taskToken"], error="Flaky", cause="first try")
    failed = wait_for_execution(sfn, arn)
    assert failed["status"] == "FAILED"
    assert failed["redriveStatus"] == "REDRIVABLE"

    redriven = sfn.redrive_execution(executionArn=arn)
    assert redriven["redriveDate"] >= failed["stopDate"]

    second = poll_task(sfn_long_poll, act)
    assert json.loads(second["input"]) == {"job": "again"}
    sfn.send_task_success(taskToken=second["taskToken"], output='{"ok": true}')
    done = wait_for_status(sfn, arn, "SUCCEEDED")
    assert done["redriveCount"] == 1
    assert done["redriveDate"] == redriven["redriveDate"]
    assert json.loads(done["output"]) == {"job": "again", "result": {"ok": True}}

    types = [e["type"] for e in history(sfn, arn)]
    assert types.count("ExecutionRedriven") == 1
    assert types.count("ExecutionFailed") == 1
    assert types[-1] == "ExecutionSucceeded"
    # The Pass state before the failed Task ran once: the redrive resumed at the Task.
    assert types.count("PassStateEntered") == 1
    assert types.count("ActivityScheduled") == 2


@pytest.mark.xfail_on_moto("moto does not implement RedriveExecution")
def test_redrive_a_succeeded_execution_is_refused(sfn):
    _, sm = create_sm(sfn, "redrive-ok")
    arn = run_to_end(sfn, sm)["executionArn"]
    with raises_aws("ExecutionNotRedrivable"):
        sfn.redrive_execution(executionArn=arn)


@pytest.mark.xfail_on_moto("moto does not implement RedriveExecution")
def test_redrive_an_unknown_execution(sfn):
    arn = execution_arn(unique("sm"), unique("run"))
    with raises_aws("ExecutionDoesNotExist", message=f"Execution Does Not Exist: '{arn}'"):
        sfn.redrive_execution(executionArn=arn)


SQS_CALLBACK = "arn:aws:states:::sqs:sendMessage.waitForTaskToken"


@pytest.mark.xfail_on_moto("moto calls its own SQS instead")
def test_wait_for_task_token_on_an_unsupported_integration_fails_naming_the_resource(sfn):
    """Estado runs no service integrations (yet): the Task fails with States.TaskFailed and a
    cause that names the resource, and Retry/Catch see that error as usual."""
    text = definition(
        {
            "Send": {
                "Type": "Task",
                "Resource": SQS_CALLBACK,
                "Parameters": {
                    "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/jobs",
                    "MessageBody": {"token.$": "$$.Task.Token"},
                },
                "End": True,
            }
        }
    )
    _, sm = create_sm(sfn, "callback", text)
    described = run_to_end(sfn, sm, {})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.TaskFailed"
    assert SQS_CALLBACK in described["cause"]

    events = history(sfn, described["executionArn"])
    types = [e["type"] for e in events]
    assert types[:3] == ["ExecutionStarted", "TaskStateEntered", "TaskScheduled"]
    assert types[-1] == "ExecutionFailed"
    scheduled = events[2]["taskScheduledEventDetails"]
    assert (scheduled["resourceType"], scheduled["resource"]) == (
        "sqs",
        "sendMessage.waitForTaskToken",
    )
    failed = [e for e in events if e["type"] == "TaskFailed"][0]["taskFailedEventDetails"]
    assert failed["error"] == "States.TaskFailed"
    assert (failed["resourceType"], failed["resource"]) == ("sqs", "sendMessage.waitForTaskToken")


@pytest.mark.xfail_on_moto("moto calls its own SQS instead")
def test_catch_sees_the_unsupported_integration_error(sfn):
    text = definition(
        {
            "Send": {
                "Type": "Task",
                "Resource": SQS_CALLBACK,
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "Catch": [
                    {
                        "ErrorEquals": ["States.TaskFailed"],
                        "ResultPath": "$.caught",
                        "Next": "Recovered",
                    }
                ],
                "End": True,
            },
            "Recovered": {"Type": "Pass", "End": True},
        }
    )
    _, sm = create_sm(sfn, "callback-catch", text)
    described = run_to_end(sfn, sm, {"keep": 1})
    assert described["status"] == "SUCCEEDED"
    out = json.loads(described["output"])
    assert out["keep"] == 1
    assert out["caught"]["Error"] == "States.TaskFailed"
    assert SQS_CALLBACK in out["caught"]["Cause"]
