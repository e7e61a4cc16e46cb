"""Activities: CreateActivity, DescribeActivity, ListActivities, DeleteActivity, and workers
driving Task states through GetActivityTask, SendTaskSuccess/Failure/Heartbeat."""

import datetime as dt
import json
import threading
import time

import pytest

from sfn_helpers import (
    activity_arn,
    activity_machine,
    create_sm,
    history,
    poll_task,
    raises_aws,
    unique,
    wait_for_execution,
)


@pytest.mark.xfail_on_moto("moto's ActivityDoesNotExist message is the bare ARN")
def test_create_describe_delete(sfn):
    name = unique("act")
    created = sfn.create_activity(name=name)
    assert created["activityArn"] == activity_arn(name)
    assert isinstance(created["creationDate"], dt.datetime)

    described = sfn.describe_activity(activityArn=created["activityArn"])
    assert described["activityArn"] == activity_arn(name)
    assert described["name"] == name
    assert described["creationDate"] == created["creationDate"]

    sfn.delete_activity(activityArn=created["activityArn"])
    with raises_aws(
        "ActivityDoesNotExist", message=f"Activity Does Not Exist: '{activity_arn(name)}'"
    ):
        sfn.describe_activity(activityArn=created["activityArn"])
    # Deleting again is not an error.
    sfn.delete_activity(activityArn=created["activityArn"])


@pytest.mark.xfail_on_moto("moto refuses an existing activity name with ActivityAlreadyExists")
def test_create_is_idempotent(sfn):
    name = unique("act-idem")
    first = sfn.create_activity(name=name)
    again = sfn.create_activity(name=name)
    assert again["activityArn"] == first["activityArn"]
    assert again["creationDate"] == first["creationDate"]


def test_create_with_an_invalid_name(sfn):
    with raises_aws("InvalidName", message="Invalid Name: 'TestActivity InvalidName$'"):
        sfn.create_activity(name="TestActivity InvalidName$")


def test_list_activities_pages(sfn):
    prefix = unique("act-list")
    names = sorted(f"{prefix}-{i}" for i in range(3))
    for n in names:
        sfn.create_activity(name=n)
    pages = list(sfn.get_paginator("list_activities").paginate(PaginationConfig={"PageSize": 1}))
    assert all(len(p["activities"]) <= 1 for p in pages)
    listed = [a for p in pages for a in p["activities"] if a["name"].startswith(prefix)]
    assert sorted(a["name"] for a in listed) == names
    for a in listed:
        assert a["activityArn"] == activity_arn(a["name"])
        assert isinstance(a["creationDate"], dt.datetime)


def test_describe_with_a_garbage_arn(sfn):
    with raises_aws("InvalidArn"):
        sfn.describe_activity(activityArn="not-an-arn")


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement GetActivityTask")
def test_get_activity_task_of_a_deleted_activity(sfn):
    arn = sfn.create_activity(name=unique("act-gone"))["activityArn"]
    sfn.delete_activity(activityArn=arn)
    with raises_aws("ActivityDoesNotExist", message=f"Activity Does Not Exist: '{arn}'"):
        sfn.get_activity_task(activityArn=arn)


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement GetActivityTask")
def test_a_worker_completes_the_task(sfn, sfn_long_poll):
    act = sfn.create_activity(name=unique("act-work"))["activityArn"]
    _, sm = create_sm(sfn, "act-sm", activity_machine(act))
    run = sfn.start_execution(stateMachineArn=sm, input='{"job": "build", "noise": 1}')

    task = poll_task(sfn_long_poll, act, worker="builder")
    assert json.loads(task["input"]) == {"job": "build"}
    sfn.send_task_success(taskToken=task["taskToken"], output='{"built": true}')

    described = wait_for_execution(sfn, run["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"job": "build", "result": {"built": True}}

    events = history(sfn, run["executionArn"])
    types = [e["type"] for e in events]
    assert types == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivitySucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]
    scheduled = events[types.index("ActivityScheduled")]["activityScheduledEventDetails"]
    assert scheduled["resource"] == act
    assert json.loads(scheduled["input"]) == {"job": "build"}
    started = events[types.index("ActivityStarted")]["activityStartedEventDetails"]
    assert started == {"workerName": "builder"}
    succeeded = events[types.index("ActivitySucceeded")]["activitySucceededEventDetails"]
    assert json.loads(succeeded["output"]) == {"built": True}


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement GetActivityTask")
def test_a_worker_fails_the_task(sfn, sfn_long_poll):
    act = sfn.create_activity(name=unique("act-fail"))["activityArn"]
    _, sm = create_sm(sfn, "act-sm-fail", activity_machine(act))
    run = sfn.start_execution(stateMachineArn=sm, input='{"job": "x"}')

    task = poll_task(sfn_long_poll, act)
    sfn.send_task_failure(taskToken=task["taskToken"], error="WorkerError", cause="it broke")

    described = wait_for_execution(sfn, run["executionArn"])
    assert described["status"] == "FAILED"
    assert described["error"] == "WorkerError"
    assert described["cause"] == "it broke"
    events = history(sfn, run["executionArn"])
    failed = [e for e in events if e["type"] == "ActivityFailed"]
    assert failed[0]["activityFailedEventDetails"] == {"error": "WorkerError", "cause": "it broke"}
    assert events[-1]["type"] == "ExecutionFailed"


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement GetActivityTask")
def test_a_worker_heartbeats_then_succeeds(sfn, sfn_long_poll):
    act = sfn.create_activity(name=unique("act-beat"))["activityArn"]
    _, sm = create_sm(sfn, "act-sm-beat", activity_machine(act, HeartbeatSeconds=5))
    run = sfn.start_execution(stateMachineArn=sm, input='{"job": "long"}')

    task = poll_task(sfn_long_poll, act)
    beat = sfn.send_task_heartbeat(taskToken=task["taskToken"])
    assert beat["ResponseMetadata"]["HTTPStatusCode"] == 200
    sfn.send_task_success(taskToken=task["taskToken"], output='"done"')
    described = wait_for_execution(sfn, run["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"])["result"] == "done"


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement GetActivityTask")
def test_the_long_poll_waits_for_work(sfn, sfn_long_poll):
    """GetActivityTask blocks while there is no work, and returns as soon as a task appears.

    (With no work at all it would return an empty token after 60 s; this test keeps the poll
    short by starting an execution from another thread after about a second.)
    """
    act = sfn.create_activity(name=unique("act-poll"))["activityArn"]
    _, sm = create_sm(sfn, "act-sm-poll", activity_machine(act))
    runs = []

    def start_later():
        time.sleep(1.0)
        runs.append(
            sfn.start_execution(stateMachineArn=sm, input='{"job": "late"}')["executionArn"]
        )

    starter = threading.Thread(target=start_later)
    began = time.monotonic()
    starter.start()
    task = sfn_long_poll.get_activity_task(activityArn=act, workerName="patient")
    waited = time.monotonic() - began
    starter.join()
    assert task.get("taskToken"), "the poll should return the task started while it waited"
    assert 0.9 <= waited < 15, waited
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    assert wait_for_execution(sfn, runs[0])["status"] == "SUCCEEDED"


@pytest.mark.parametrize("call", ["success", "failure", "heartbeat"])
def test_a_token_never_issued(sfn, call):
    token = "this-is-not-a-task-token"
    with raises_aws("InvalidToken"):
        if call == "success":
            sfn.send_task_success(taskToken=token, output="{}")
        elif call == "failure":
            sfn.send_task_failure(taskToken=token, error="E")
        else:
            sfn.send_task_heartbeat(taskToken=token)


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement GetActivityTask")
def test_a_token_already_used(sfn, sfn_long_poll):
    # AWS answers a callback on a task that already closed with TaskTimedOut
    # ("Task Timed Out: 'Provided task does not exist anymore'").
    act = sfn.create_activity(name=unique("act-used"))["activityArn"]
    _, sm = create_sm(sfn, "act-sm-used", activity_machine(act))
    run = sfn.start_execution(stateMachineArn=sm, input='{"job": 1}')
    task = poll_task(sfn_long_poll, act)
    sfn.send_task_success(taskToken=task["taskToken"], output="{}")
    wait_for_execution(sfn, run["executionArn"])
    with raises_aws("TaskTimedOut"):
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement GetActivityTask")
def test_send_task_success_with_output_that_is_not_json(sfn, sfn_long_poll):
    act = sfn.create_activity(name=unique("act-badout"))["activityArn"]
    _, sm = create_sm(sfn, "act-sm-badout", activity_machine(act))
    run = sfn.start_execution(stateMachineArn=sm, input='{"job": 1}')
    task = poll_task(sfn_long_poll, act)
    try:
        with raises_aws("InvalidOutput"):
            sfn.send_task_success(taskToken=task["taskToken"], output="not json")
    finally:
        sfn.stop_execution(executionArn=run["executionArn"])
