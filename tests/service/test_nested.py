"""Nested executions: `arn:aws:states:::states:startExecution` with request-response, `.sync`,
`.sync:2` and `.waitForTaskToken`, with AWS's output shapes (as recorded on AWS in LocalStack's
snapshots: TaskSubmitted carries the StartExecution answer, a `.sync` result is the child's
DescribeExecution in PascalCase, a failed child fails the task with States.TaskFailed and the
description as the cause), and a callback that survives a server restart."""

from __future__ import annotations

import json
import time

import pytest

from sfn_helpers import (
    client_for,
    create_sm,
    definition,
    fail_definition,
    history,
    pass_definition,
    run_to_end,
    unique,
    wait_for_execution,
    wait_for_status,
)

pytestmark = pytest.mark.xfail_on_moto("moto does not run service integrations")

START = "arn:aws:states:::states:startExecution"


def parent(resource: str, child_arn: str, **params) -> str:
    parameters = {"StateMachineArn": child_arn, **params}
    return definition({"Start": {"Type": "Task", "Resource": resource, "Parameters": parameters, "End": True}})


def child_of(sfn, parent_arn: str, child_machine: str) -> dict:
    """The one execution of `child_machine` (they are unique per test)."""
    deadline = time.monotonic() + 10
    while True:
        found = sfn.list_executions(stateMachineArn=child_machine)["executions"]
        if found or time.monotonic() > deadline:
            assert len(found) == 1, f"children of {parent_arn}: {found}"
            return found[0]
        time.sleep(0.1)


def test_request_response_starts_the_child_and_answers_at_once(sfn):
    _, child = create_sm(sfn, "child", pass_definition({"done": True}))
    text = parent(
        START,
        child,
        Input={"n": 1, "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$": "$$.Execution.Id"},
    )
    _, sm = create_sm(sfn, "parent", text)
    done = run_to_end(sfn, sm, {})
    assert done["status"] == "SUCCEEDED", done
    out = json.loads(done["output"])
    assert sorted(out) == ["ExecutionArn", "SdkHttpMetadata", "SdkResponseMetadata", "StartDate"]
    assert out["SdkHttpMetadata"]["HttpStatusCode"] == 200
    assert isinstance(out["StartDate"], int)

    described = wait_for_execution(sfn, out["ExecutionArn"])
    assert described["stateMachineArn"] == child
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["input"]) == {
        "n": 1,
        "AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID": done["executionArn"],
    }, "the child's input links it to its parent"
    types = [e["type"] for e in history(sfn, done["executionArn"])]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def test_sync_waits_for_the_child_and_returns_its_description(sfn):
    child_name, child = create_sm(sfn, "child", pass_definition({"Arg1": "argument1"}))
    _, sm = create_sm(sfn, "parent", parent(f"{START}.sync", child, Input=None, Name="TestStartTarget"))
    done = run_to_end(sfn, sm, {})
    assert done["status"] == "SUCCEEDED", done
    out = json.loads(done["output"])
    child_arn = out["ExecutionArn"]
    assert child_arn.endswith(f":execution:{child_name}:TestStartTarget")
    assert list(out) == [
        "ExecutionArn",
        "Input",
        "InputDetails",
        "Name",
        "Output",
        "OutputDetails",
        "StartDate",
        "StateMachineArn",
        "Status",
        "StopDate",
    ]
    assert out["Input"] == "{}", "a null Input starts the child with {}"
    assert out["Output"] == '{"Arg1":"argument1"}'
    assert (out["Name"], out["Status"], out["StateMachineArn"]) == ("TestStartTarget", "SUCCEEDED", child)
    assert out["InputDetails"] == out["OutputDetails"] == {"Included": True}
    assert out["StartDate"] <= out["StopDate"]

    events = history(sfn, done["executionArn"])
    types = [e["type"] for e in events]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    submitted = events[4]["taskSubmittedEventDetails"]
    assert (submitted["resourceType"], submitted["resource"]) == ("states", "startExecution.sync")
    assert json.loads(submitted["output"])["ExecutionArn"] == child_arn


def test_sync2_returns_the_childs_input_and_output_as_json(sfn):
    _, child = create_sm(sfn, "child", pass_definition({"Arg1": "argument1"}))
    _, sm = create_sm(sfn, "parent", parent(f"{START}.sync:2", child, Input={"a": [1, 2]}))
    done = run_to_end(sfn, sm, {})
    assert done["status"] == "SUCCEEDED", done
    out = json.loads(done["output"])
    assert out["Input"] == {"a": [1, 2]}
    assert out["Output"] == {"Arg1": "argument1"}
    assert out["Status"] == "SUCCEEDED"


def test_a_failing_child_fails_the_sync_task_with_its_description(sfn):
    _, child = create_sm(sfn, "child", fail_definition("SomeFailure", "it broke"))
    _, sm = create_sm(sfn, "parent", parent(f"{START}.sync", child, Input={}))
    done = run_to_end(sfn, sm, {})
    assert done["status"] == "FAILED"
    assert done["error"] == "States.TaskFailed"
    cause = json.loads(done["cause"])
    assert list(cause) == [
        "Cause",
        "Error",
        "ExecutionArn",
        "Input",
        "InputDetails",
        "Name",
        "StartDate",
        "StateMachineArn",
        "Status",
        "StopDate",
    ]
    assert (cause["Error"], cause["Cause"], cause["Status"]) == ("SomeFailure", "it broke", "FAILED")


def test_an_unknown_child_machine_fails_with_the_sdk_error(sfn):
    missing = "arn:aws:states:us-east-1:123456789012:stateMachine:" + unique("nope")
    _, sm = create_sm(sfn, "parent", parent(START, missing))
    done = run_to_end(sfn, sm, {})
    assert done["status"] == "FAILED"
    assert done["error"] == "StepFunctions.StateMachineDoesNotExistException"
    assert done["cause"].startswith(f"State Machine Does Not Exist: '{missing}' (Service: AWSStepFunctions; Status Code: 400; Error Code: StateMachineDoesNotExist; Request ID: ")


def test_stopping_the_parent_stops_a_sync_child(sfn):
    _, child = create_sm(sfn, "child", definition({"Nap": {"Type": "Wait", "Seconds": 60, "End": True}}))
    _, sm = create_sm(sfn, "parent", parent(f"{START}.sync", child))
    started = sfn.start_execution(stateMachineArn=sm, input="{}")
    running_child = child_of(sfn, started["executionArn"], child)
    wait_for_status(sfn, running_child["executionArn"], "RUNNING")
    sfn.stop_execution(executionArn=started["executionArn"], error="Halt")
    assert wait_for_execution(sfn, started["executionArn"])["status"] == "ABORTED"
    assert wait_for_execution(sfn, running_child["executionArn"])["status"] == "ABORTED"


def test_a_callback_waits_across_a_restart_and_resumes_with_the_token(fresh_estado, tmp_path):
    data = tmp_path / "data"
    first = fresh_estado(data)
    sfn = client_for(first.endpoint)
    _, child = create_sm(sfn, "child", pass_definition())
    text = parent(f"{START}.waitForTaskToken", child, Input={"token.$": "$$.Task.Token"})
    _, sm = create_sm(sfn, "parent", text)
    started = sfn.start_execution(stateMachineArn=sm, input="{}")
    # The child passes its input through: its output holds the parent's task token.
    the_child = child_of(sfn, started["executionArn"], child)
    token = json.loads(wait_for_execution(sfn, the_child["executionArn"])["output"])["token"]
    wait_for_status(sfn, started["executionArn"], "RUNNING")

    first.process.kill()
    first.process.wait()
    second = fresh_estado(data)
    sfn = client_for(second.endpoint)
    time.sleep(0.5)
    assert sfn.describe_execution(executionArn=started["executionArn"])["status"] == "RUNNING"
    sfn.send_task_success(taskToken=token, output=json.dumps({"answer": 42}))
    done = wait_for_execution(sfn, started["executionArn"])
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == {"answer": 42}
    types = [e["type"] for e in history(sfn, started["executionArn"])]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSubmitted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
