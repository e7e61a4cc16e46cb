"""An activity worker written with boto3, as users write them (a loop of GetActivityTask, work
with heartbeats, SendTaskSuccess/Failure), against a real `estado serve`; and the timeouts that
end an activity nobody answers: TimeoutSeconds (States.Timeout) and HeartbeatSeconds
(States.HeartbeatTimeout)."""

from __future__ import annotations

import json
import threading
import time

import botocore.exceptions
import pytest

from sfn_helpers import (
    client_for,
    create_sm,
    definition,
    history,
    poll_task,
    raises_aws,
    unique,
    wait_for_execution,
)

pytestmark = pytest.mark.xfail_on_moto("moto 5.2.5 does not implement GetActivityTask")


class Worker(threading.Thread):
    """Polls one activity until stopped; squares `n`, heartbeating while it 'works' for `ms`;
    fails inputs with `"fail": true`."""

    def __init__(self, endpoint: str, activity: str, name: str):
        super().__init__(daemon=True, name=name)
        self.client = client_for(endpoint, read_timeout=75)
        self.activity, self.worker_name = activity, name
        self.stop = threading.Event()
        self.done: list[int] = []

    def run(self):
        try:
            self.serve()
        except botocore.exceptions.BotoCoreError:
            # The server stopped under a long poll left running after the test (that is how
            # workers end here: a poll lasts up to 60 s); anything else is a real failure.
            if not self.stop.is_set():
                raise

    def serve(self):
        while not self.stop.is_set():
            task = self.client.get_activity_task(activityArn=self.activity, workerName=self.worker_name)
            token = task.get("taskToken")
            if not token:
                continue
            job = json.loads(task["input"])
            if job.get("fail"):
                self.client.send_task_failure(taskToken=token, error="BadJob", cause=f"job {job['n']}")
                continue
            deadline = time.monotonic() + job.get("ms", 0) / 1000
            while time.monotonic() < deadline:
                self.client.send_task_heartbeat(taskToken=token)
                time.sleep(0.2)
            self.client.send_task_success(taskToken=token, output=json.dumps({"square": job["n"] ** 2}))
            self.done.append(job["n"])


def test_two_boto3_workers_serve_a_map_of_activity_tasks(sfn, server):
    act = sfn.create_activity(name=unique("act-pool"))["activityArn"]
    text = definition(
        {
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.jobs",
                "MaxConcurrency": 4,
                "ItemProcessor": {
                    "StartAt": "Work",
                    "States": {
                        "Work": {
                            "Type": "Task",
                            "Resource": act,
                            "HeartbeatSeconds": 2,
                            "TimeoutSeconds": 30,
                            "Catch": [{"ErrorEquals": ["BadJob"], "Next": "Skipped"}],
                            "End": True,
                        },
                        "Skipped": {"Type": "Pass", "Result": "skipped", "End": True},
                    },
                },
                "End": True,
            }
        }
    )
    _, sm = create_sm(sfn, "act-pool", text)
    workers = [Worker(server.endpoint, act, f"w{i}") for i in range(2)]
    for w in workers:
        w.start()
    try:
        # Job 3 takes 3 s: longer than HeartbeatSeconds, kept alive by heartbeats (every 0.2 s).
        jobs = [{"n": 1}, {"n": 2, "ms": 300}, {"n": 3, "ms": 3000}, {"n": 4, "fail": True}, {"n": 5}]
        run = sfn.start_execution(stateMachineArn=sm, input=json.dumps({"jobs": jobs}))
        done = wait_for_execution(sfn, run["executionArn"], timeout=20)
    finally:
        for w in workers:
            w.stop.set()
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"]) == [
        {"square": 1},
        {"square": 4},
        {"square": 9},
        "skipped",
        {"square": 25},
    ]
    assert sorted(workers[0].done + workers[1].done) == [1, 2, 3, 5], "each task ran once"
    events = history(sfn, run["executionArn"])
    started = [e["activityStartedEventDetails"]["workerName"] for e in events if e["type"] == "ActivityStarted"]
    assert len(started) == 5 and set(started) <= {"w0", "w1"}


def test_an_activity_nobody_takes_times_out(sfn):
    act = sfn.create_activity(name=unique("act-late"))["activityArn"]
    text = definition({"Work": {"Type": "Task", "Resource": act, "TimeoutSeconds": 1, "End": True}})
    _, sm = create_sm(sfn, "act-late", text)
    run = sfn.start_execution(stateMachineArn=sm, input="{}")
    done = wait_for_execution(sfn, run["executionArn"])
    assert (done["status"], done["error"]) == ("FAILED", "States.Timeout")
    types = [e["type"] for e in history(sfn, run["executionArn"])]
    assert types == ["ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityTimedOut", "ExecutionFailed"]


def test_a_worker_that_stops_heartbeating_times_out_and_its_late_answer_is_refused(sfn, sfn_long_poll):
    act = sfn.create_activity(name=unique("act-quiet"))["activityArn"]
    text = definition({"Work": {"Type": "Task", "Resource": act, "HeartbeatSeconds": 1, "End": True}})
    _, sm = create_sm(sfn, "act-quiet", text)
    run = sfn.start_execution(stateMachineArn=sm, input="{}")
    task = poll_task(sfn_long_poll, act, worker="sleepy")
    done = wait_for_execution(sfn, run["executionArn"])
    assert (done["status"], done["error"]) == ("FAILED", "States.HeartbeatTimeout")
    types = [e["type"] for e in history(sfn, run["executionArn"])]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "ActivityScheduled",
        "ActivityStarted",
        "ActivityTimedOut",
        "ExecutionFailed",
    ]
    with raises_aws("TaskTimedOut"):
        sfn.send_task_success(taskToken=task["taskToken"], output="{}")
