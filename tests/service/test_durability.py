"""`estado serve` is durable: what it stored under --data-dir outlives the process."""

import json

import pytest

from sfn_helpers import (
    activity_arn,
    client_for,
    create_sm,
    pass_definition,
    run_to_end,
    unique,
    wait_definition,
    wait_for_execution,
)


@pytest.mark.xfail_on_moto("moto keeps nothing across restarts")
def test_state_survives_a_restart(fresh_estado, tmp_path):
    data_dir = tmp_path / "data"

    first = fresh_estado(data_dir)
    sfn = client_for(first.endpoint)
    name, sm = create_sm(
        sfn, "durable", pass_definition({"kept": True}), tags=[{"key": "k", "value": "v"}]
    )
    done = run_to_end(sfn, sm, {"n": 1})
    act = sfn.create_activity(name=unique("durable-act"))["activityArn"]
    first.process.terminate()
    first.process.wait(timeout=10)

    second = fresh_estado(data_dir)
    sfn = client_for(second.endpoint)
    described = sfn.describe_state_machine(stateMachineArn=sm)
    assert described["name"] == name
    assert json.loads(described["definition"])["States"]["Only"]["Result"] == {"kept": True}
    assert sfn.list_tags_for_resource(resourceArn=sm)["tags"] == [{"key": "k", "value": "v"}]
    again = sfn.describe_execution(executionArn=done["executionArn"])
    assert again["status"] == "SUCCEEDED"
    assert json.loads(again["output"]) == {"kept": True}
    assert again["startDate"] == done["startDate"]
    history = sfn.get_execution_history(executionArn=done["executionArn"])["events"]
    assert [e["type"] for e in history][-1] == "ExecutionSucceeded"
    assert sfn.describe_activity(activityArn=act)["activityArn"] == activity_arn(
        act.rsplit(":", 1)[1]
    )


@pytest.mark.xfail_on_moto("moto keeps nothing across restarts")
def test_a_running_execution_finishes_after_a_restart(fresh_estado, tmp_path):
    data_dir = tmp_path / "data"
    first = fresh_estado(data_dir)
    sfn = client_for(first.endpoint)
    _, sm = create_sm(sfn, "durable-run", wait_definition(2))
    arn = sfn.start_execution(stateMachineArn=sm, name=unique("run"), input='{"a": 1}')[
        "executionArn"
    ]
    first.process.kill()  # no chance to clean up: the store alone must carry the execution
    first.process.wait(timeout=10)

    second = fresh_estado(data_dir)
    sfn = client_for(second.endpoint)
    described = wait_for_execution(sfn, arn, timeout=10)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"a": 1}
