"""The AWS CLI (v1) against the server: `aws stepfunctions ...` with JSON output."""

import json
import time

import pytest

from sfn_helpers import ROLE_ARN, sm_arn, unique

DEFINITION = json.dumps(
    {
        "StartAt": "Greet",
        "States": {
            "Greet": {
                "Type": "Pass",
                "Parameters": {"greeting.$": "States.Format('Hello, {}!', $.who)"},
                "End": True,
            }
        },
    }
)


def ok(result):
    assert result.returncode == 0, f"aws exited {result.returncode}: {result.stderr}"
    return result.json


def wait_cli(aws_cli, arn, timeout=10.0):
    deadline = time.monotonic() + timeout
    while True:
        described = ok(aws_cli("describe-execution", "--execution-arn", arn))
        if described["status"] != "RUNNING":
            return described
        assert time.monotonic() < deadline, f"{arn} still running"
        time.sleep(0.1)


def test_state_machine_and_execution_through_the_cli(aws_cli, tmp_path):
    name = unique("cli")
    path = tmp_path / "sm.asl.json"
    path.write_text(DEFINITION)

    created = ok(
        aws_cli(
            "create-state-machine",
            "--name",
            name,
            "--definition",
            f"file://{path}",
            "--role-arn",
            ROLE_ARN,
        )
    )
    assert created["stateMachineArn"] == sm_arn(name)

    listed = ok(aws_cli("list-state-machines"))
    assert sm_arn(name) in [m["stateMachineArn"] for m in listed["stateMachines"]]

    started = ok(
        aws_cli(
            "start-execution",
            "--state-machine-arn",
            created["stateMachineArn"],
            "--name",
            "first",
            "--input",
            '{"who": "CLI"}',
        )
    )
    assert started["executionArn"].endswith(f":execution:{name}:first")

    described = wait_cli(aws_cli, started["executionArn"])
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == {"greeting": "Hello, CLI!"}
    # The CLI prints timestamps it parsed from epoch seconds.
    assert described["startDate"] and described["stopDate"]

    events = ok(aws_cli("get-execution-history", "--execution-arn", started["executionArn"]))[
        "events"
    ]
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    assert [e["id"] for e in events] == [1, 2, 3, 4]

    ok(aws_cli("delete-state-machine", "--state-machine-arn", created["stateMachineArn"]))
    gone = aws_cli("describe-state-machine", "--state-machine-arn", created["stateMachineArn"])
    if gone.returncode == 0:
        assert gone.json["status"] == "DELETING"
    else:
        assert "StateMachineDoesNotExist" in gone.stderr


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement StartSyncExecution")
def test_start_sync_execution_through_the_cli(aws_cli):
    name = unique("cli-sync")
    created = ok(
        aws_cli(
            "create-state-machine",
            "--name",
            name,
            "--definition",
            DEFINITION,
            "--role-arn",
            ROLE_ARN,
            "--type",
            "EXPRESS",
        )
    )
    # The sync- host prefix must not be prepended (AWS_DISABLE_HOST_PREFIX_INJECTION).
    out = ok(
        aws_cli(
            "start-sync-execution",
            "--state-machine-arn",
            created["stateMachineArn"],
            "--input",
            '{"who": "sync"}',
        )
    )
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == {"greeting": "Hello, sync!"}


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement ValidateStateMachineDefinition")
def test_validate_through_the_cli(aws_cli):
    good = ok(aws_cli("validate-state-machine-definition", "--definition", DEFINITION))
    assert good["result"] == "OK"
    assert good["diagnostics"] == []
    bad = ok(aws_cli("validate-state-machine-definition", "--definition", "{}"))
    assert bad["result"] == "FAIL"
    assert {d["code"] for d in bad["diagnostics"]} == {"SCHEMA_VALIDATION_FAILED"}


@pytest.mark.xfail_on_moto("moto does not implement TestState")
def test_test_state_through_the_cli(aws_cli):
    out = ok(
        aws_cli(
            "test-state",
            "--definition",
            json.dumps(
                {
                    "Type": "Pass",
                    "Parameters": {"doubled.$": "States.MathAdd($.n, $.n)"},
                    "End": True,
                }
            ),
            "--role-arn",
            ROLE_ARN,
            "--input",
            '{"n": 21}',
            "--inspection-level",
            "DEBUG",
        )
    )
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == {"doubled": 42}
    assert json.loads(out["inspectionData"]["afterParameters"]) == {"doubled": 42}


def test_cli_reports_aws_errors(aws_cli):
    missing = sm_arn(unique("cli-missing"))
    result = aws_cli("describe-state-machine", "--state-machine-arn", missing)
    assert result.returncode == 255  # AWS CLI v1's status for a service error
    assert "StateMachineDoesNotExist" in result.stderr
    assert f"State Machine Does Not Exist: '{missing}'" in result.stderr
