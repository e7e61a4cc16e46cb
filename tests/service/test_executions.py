"""StartExecution, DescribeExecution, DescribeStateMachineForExecution, ListExecutions,
StopExecution: members, idempotency by name, and errors as AWS answers them."""

import datetime as dt
import json
import re
import time

import pytest

from sfn_helpers import (
    ROLE_ARN,
    create_sm,
    definition,
    execution_arn,
    fail_definition,
    history,
    pass_definition,
    raises_aws,
    run_to_end,
    sm_arn,
    unique,
    wait_definition,
    wait_for_execution,
)

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.mark.xfail_on_moto("moto omits inputDetails and outputDetails")
def test_start_then_describe_a_succeeded_execution(sfn):
    sm_name, sm = create_sm(sfn, "ex-describe", pass_definition({"answer": 42}))
    name = unique("run")
    started = sfn.start_execution(stateMachineArn=sm, name=name, input='{"in": true}')
    assert started["executionArn"] == execution_arn(sm_name, name)
    assert isinstance(started["startDate"], dt.datetime)

    described = wait_for_execution(sfn, started["executionArn"])
    assert described["executionArn"] == execution_arn(sm_name, name)
    assert described["stateMachineArn"] == sm
    assert described["name"] == name
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["input"]) == {"in": True}
    assert json.loads(described["output"]) == {"answer": 42}
    assert described["inputDetails"] == {"included": True}
    assert described["outputDetails"] == {"included": True}
    assert described["startDate"] == started["startDate"]
    assert isinstance(described["stopDate"], dt.datetime)
    assert described["stopDate"] >= described["startDate"]
    assert "error" not in described and "cause" not in described


def test_describe_with_metadata_only_leaves_out_input_and_output(sfn):
    # Large documents (stored compressed), which the metadata leaves unread.
    big = {"pad": "ab" * 5000}
    _, sm = create_sm(sfn, "ex-metadata", pass_definition({"out": "cd" * 5000}))
    started = sfn.start_execution(stateMachineArn=sm, input=json.dumps(big))
    whole = wait_for_execution(sfn, started["executionArn"])
    meta = sfn.describe_execution(
        executionArn=started["executionArn"], includedData="METADATA_ONLY"
    )
    assert "input" not in meta and "output" not in meta
    assert meta["inputDetails"] == {"included": True}
    assert meta["outputDetails"] == {"included": True}
    strip = lambda d: {k: v for k, v in d.items() if k not in ("input", "output", "ResponseMetadata")}
    assert strip(meta) == strip(whole)

    _, waiting = create_sm(sfn, "ex-metadata-running", wait_definition(2))
    running = sfn.start_execution(stateMachineArn=waiting, input=json.dumps(big))
    meta = sfn.describe_execution(
        executionArn=running["executionArn"], includedData="METADATA_ONLY"
    )
    assert meta["status"] == "RUNNING"
    assert "input" not in meta and "outputDetails" not in meta


@pytest.mark.xfail_on_moto("moto reports no redrive members")
def test_a_succeeded_execution_is_not_redrivable(sfn):
    _, sm = create_sm(sfn, "ex-redrive-status")
    described = run_to_end(sfn, sm)
    assert described["redriveCount"] == 0
    assert described["redriveStatus"] == "NOT_REDRIVABLE"
    assert described["redriveStatusReason"] == "Execution is SUCCEEDED and cannot be redriven"


@pytest.mark.xfail_on_moto("moto names unnamed executions 'None'")
def test_an_unnamed_execution_gets_a_uuid_name(sfn):
    sm_name, sm = create_sm(sfn, "ex-unnamed")
    started = sfn.start_execution(stateMachineArn=sm)
    described = wait_for_execution(sfn, started["executionArn"])
    assert UUID.match(described["name"]), described["name"]
    assert started["executionArn"] == execution_arn(sm_name, described["name"])
    assert json.loads(described["input"]) == {}


def test_input_defaults_to_an_empty_object(sfn):
    _, sm = create_sm(sfn, "ex-noinput")
    described = run_to_end(sfn, sm)
    assert json.loads(described["input"]) == {}
    assert json.loads(described["output"]) == {}


@pytest.mark.parametrize(
    "doc",
    [
        "1",
        pytest.param('"text"', marks=pytest.mark.xfail_on_moto("moto loses a string input")),
        pytest.param("null", marks=pytest.mark.xfail_on_moto("moto fails on a null input")),
        "[1, 2]",
    ],
)
def test_any_json_value_is_a_valid_input(sfn, doc):
    _, sm = create_sm(sfn, "ex-anyinput")
    described = run_to_end(sfn, sm, doc)
    assert described["status"] == "SUCCEEDED"
    assert json.loads(described["output"]) == json.loads(doc)


@pytest.mark.xfail_on_moto("moto answers with an empty error code")
def test_input_that_is_not_json_is_refused(sfn):
    _, sm = create_sm(sfn, "ex-badinput")
    with raises_aws(
        "InvalidExecutionInput", message_prefix="Invalid State Machine Execution Input: '"
    ):
        sfn.start_execution(stateMachineArn=sm, input="not json")


def test_start_on_an_unknown_state_machine(sfn):
    arn = sm_arn(unique("ex-missing"))
    with raises_aws("StateMachineDoesNotExist", message=f"State Machine Does Not Exist: '{arn}'"):
        sfn.start_execution(stateMachineArn=arn)


@pytest.mark.xfail_on_moto("moto words InvalidArn messages differently")
def test_start_with_a_garbage_arn(sfn):
    with raises_aws("InvalidArn", message="Invalid Arn: 'Invalid ARN prefix: nonsense'"):
        sfn.start_execution(stateMachineArn="nonsense")


@pytest.mark.xfail_on_moto("moto does not check execution names")
def test_start_with_an_invalid_name(sfn):
    _, sm = create_sm(sfn, "ex-badname")
    with raises_aws("InvalidName", message="Invalid Name: 'two words'"):
        sfn.start_execution(stateMachineArn=sm, name="two words")


def test_same_name_and_input_while_running_returns_the_original(sfn):
    _, sm = create_sm(sfn, "ex-idem", wait_definition(2))
    name = unique("run")
    first = sfn.start_execution(stateMachineArn=sm, name=name, input='{"a": 1}')
    try:
        again = sfn.start_execution(stateMachineArn=sm, name=name, input='{"a": 1}')
        assert again["executionArn"] == first["executionArn"]
        assert again["startDate"] == first["startDate"]
    finally:
        sfn.stop_execution(executionArn=first["executionArn"])


def test_same_name_with_a_different_input_while_running_already_exists(sfn):
    _, sm = create_sm(sfn, "ex-exists", wait_definition(2))
    name = unique("run")
    first = sfn.start_execution(stateMachineArn=sm, name=name, input='{"a": 1}')
    try:
        with raises_aws(
            "ExecutionAlreadyExists", message=f"Execution Already Exists: '{first['executionArn']}'"
        ):
            sfn.start_execution(stateMachineArn=sm, name=name, input='{"a": 2}')
    finally:
        sfn.stop_execution(executionArn=first["executionArn"])


def test_same_name_after_the_execution_closed_already_exists(sfn):
    _, sm = create_sm(sfn, "ex-closed")
    name = unique("run")
    first = sfn.start_execution(stateMachineArn=sm, name=name, input="{}")
    wait_for_execution(sfn, first["executionArn"])
    with raises_aws(
        "ExecutionAlreadyExists", message=f"Execution Already Exists: '{first['executionArn']}'"
    ):
        sfn.start_execution(stateMachineArn=sm, name=name, input="{}")


def test_a_failed_execution_reports_error_and_cause(sfn):
    _, sm = create_sm(sfn, "ex-fail", fail_definition("MyError", "my cause"))
    described = run_to_end(sfn, sm)
    assert described["status"] == "FAILED"
    assert described["error"] == "MyError"
    assert described["cause"] == "my cause"
    assert "output" not in described
    assert isinstance(described["stopDate"], dt.datetime)


@pytest.mark.xfail_on_moto("moto reports no redrive members")
def test_a_failed_execution_is_redrivable(sfn):
    _, sm = create_sm(sfn, "ex-fail-redrivable", fail_definition())
    described = run_to_end(sfn, sm)
    assert described["redriveStatus"] == "REDRIVABLE"
    assert described["redriveCount"] == 0


def test_describe_unknown_execution(sfn):
    arn = execution_arn(unique("sm"), unique("run"))
    with raises_aws("ExecutionDoesNotExist", message=f"Execution Does Not Exist: '{arn}'"):
        sfn.describe_execution(executionArn=arn)


@pytest.mark.xfail_on_moto("moto words InvalidArn messages differently")
def test_describe_execution_with_a_garbage_arn(sfn):
    with raises_aws("InvalidArn", message="Invalid Arn: 'Invalid ARN prefix: invalid_arn'"):
        sfn.describe_execution(executionArn="invalid_arn")


def test_describe_execution_with_a_state_machine_arn(sfn):
    _, sm = create_sm(sfn, "ex-kind")
    with raises_aws("InvalidArn"):
        sfn.describe_execution(executionArn=sm)


@pytest.mark.xfail_on_moto("moto omits updateDate")
def test_describe_state_machine_for_execution(sfn):
    sm_name, sm = create_sm(sfn, "ex-for", pass_definition({"v": 1}))
    described_sm = sfn.describe_state_machine(stateMachineArn=sm)
    started = sfn.start_execution(stateMachineArn=sm)
    wait_for_execution(sfn, started["executionArn"])

    out = sfn.describe_state_machine_for_execution(executionArn=started["executionArn"])
    assert out["stateMachineArn"] == sm
    assert out["name"] == sm_name
    assert json.loads(out["definition"]) == {
        "StartAt": "Only",
        "States": {"Only": {"Type": "Pass", "End": True, "Result": {"v": 1}}},
    }
    assert out["roleArn"] == ROLE_ARN
    assert isinstance(out["updateDate"], dt.datetime)
    assert out["updateDate"] == described_sm["creationDate"]
    assert out["loggingConfiguration"] == {"level": "OFF", "includeExecutionData": False}
    assert out["tracingConfiguration"] == {"enabled": False}


@pytest.mark.xfail_on_moto("moto answers with the state machine's current definition")
def test_describe_state_machine_for_execution_keeps_the_definition_it_ran(sfn):
    _, sm = create_sm(sfn, "ex-for-old", pass_definition({"v": "old"}))
    started = sfn.start_execution(stateMachineArn=sm)
    wait_for_execution(sfn, started["executionArn"])
    update = sfn.update_state_machine(stateMachineArn=sm, definition=pass_definition({"v": "new"}))
    out = sfn.describe_state_machine_for_execution(executionArn=started["executionArn"])
    assert json.loads(out["definition"])["States"]["Only"]["Result"] == {"v": "old"}
    assert "revisionId" not in out or out["revisionId"] != update["revisionId"]


@pytest.mark.xfail_on_moto("moto answers ResourceNotFound")
def test_describe_state_machine_for_unknown_execution(sfn):
    arn = execution_arn(unique("sm"), unique("run"))
    with raises_aws("ExecutionDoesNotExist", message=f"Execution Does Not Exist: '{arn}'"):
        sfn.describe_state_machine_for_execution(executionArn=arn)


def _start_in_order(sfn, sm, names):
    arns = []
    for n in names:
        arns.append(sfn.start_execution(stateMachineArn=sm, name=n)["executionArn"])
        time.sleep(0.02)  # distinct start dates
    return arns


def test_list_executions_newest_first_with_status_filter(sfn):
    sm_name, sm = create_sm(sfn, "ex-list")
    names = [unique(f"run{i}") for i in range(3)]
    arns = _start_in_order(sfn, sm, names)
    for arn in arns:
        wait_for_execution(sfn, arn)

    listed = sfn.list_executions(stateMachineArn=sm)["executions"]
    assert [e["name"] for e in listed] == list(reversed(names))
    newest = listed[0]
    assert newest["executionArn"] == execution_arn(sm_name, names[-1])
    assert newest["stateMachineArn"] == sm
    assert newest["status"] == "SUCCEEDED"
    assert isinstance(newest["startDate"], dt.datetime)
    assert isinstance(newest["stopDate"], dt.datetime)

    assert len(sfn.list_executions(stateMachineArn=sm, statusFilter="SUCCEEDED")["executions"]) == 3
    assert sfn.list_executions(stateMachineArn=sm, statusFilter="RUNNING")["executions"] == []
    assert sfn.list_executions(stateMachineArn=sm, statusFilter="FAILED")["executions"] == []


def test_list_executions_running_filter_sees_a_running_execution(sfn):
    _, sm = create_sm(sfn, "ex-list-running", wait_definition(2))
    started = sfn.start_execution(stateMachineArn=sm)
    try:
        running = sfn.list_executions(stateMachineArn=sm, statusFilter="RUNNING")["executions"]
        assert [e["executionArn"] for e in running] == [started["executionArn"]]
        assert "stopDate" not in running[0]
    finally:
        sfn.stop_execution(executionArn=started["executionArn"])
    aborted = sfn.list_executions(stateMachineArn=sm, statusFilter="ABORTED")["executions"]
    assert [e["executionArn"] for e in aborted] == [started["executionArn"]]


def test_list_executions_pages(sfn):
    _, sm = create_sm(sfn, "ex-pages")
    names = [unique(f"run{i}") for i in range(5)]
    arns = _start_in_order(sfn, sm, names)
    for arn in arns:
        wait_for_execution(sfn, arn)

    seen, token, pages = [], None, 0
    while True:
        kwargs = {"stateMachineArn": sm, "maxResults": 2}
        if token:
            kwargs["nextToken"] = token
        page = sfn.list_executions(**kwargs)
        pages += 1
        assert len(page["executions"]) <= 2
        seen += [e["name"] for e in page["executions"]]
        token = page.get("nextToken")
        if not token:
            break
    assert pages == 3
    assert seen == list(reversed(names))

    paged = [
        e["name"]
        for p in sfn.get_paginator("list_executions").paginate(
            stateMachineArn=sm, PaginationConfig={"PageSize": 2}
        )
        for e in p["executions"]
    ]
    assert paged == list(reversed(names))


def test_list_executions_of_an_unknown_state_machine(sfn):
    arn = sm_arn(unique("ex-missing"))
    with raises_aws("StateMachineDoesNotExist", message=f"State Machine Does Not Exist: '{arn}'"):
        sfn.list_executions(stateMachineArn=arn)


@pytest.mark.xfail_on_moto("moto words InvalidArn messages differently")
def test_list_executions_with_a_garbage_arn(sfn):
    with raises_aws(
        "InvalidArn", message="Invalid Arn: 'Invalid ARN prefix: invalid_state_machine_arn'"
    ):
        sfn.list_executions(stateMachineArn="invalid_state_machine_arn")


@pytest.mark.xfail_on_moto("moto does not check the statusFilter enum")
def test_list_executions_with_an_unknown_status(sfn):
    _, sm = create_sm(sfn, "ex-badfilter")
    with raises_aws(
        "ValidationException",
        message="1 validation error detected: Value 'succeeded' at 'statusFilter' failed to "
        "satisfy constraint: Member must satisfy enum value set: "
        "[SUCCEEDED, TIMED_OUT, PENDING_REDRIVE, ABORTED, FAILED, RUNNING]",
    ):
        sfn.list_executions(stateMachineArn=sm, statusFilter="succeeded")


@pytest.mark.xfail_on_moto("moto's StopExecution returns no stopDate")
def test_stop_execution_aborts_with_error_and_cause(sfn):
    _, sm = create_sm(sfn, "ex-stop", wait_definition(2))
    started = sfn.start_execution(stateMachineArn=sm)
    stopped = sfn.stop_execution(
        executionArn=started["executionArn"], error="Operator", cause="stopped by the test"
    )
    assert isinstance(stopped["stopDate"], dt.datetime)
    described = wait_for_execution(sfn, started["executionArn"])
    assert described["status"] == "ABORTED"
    assert described["error"] == "Operator"
    assert described["cause"] == "stopped by the test"
    assert described["stopDate"] == stopped["stopDate"]

    events = history(sfn, started["executionArn"])
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "WaitStateEntered",
        "ExecutionAborted",
    ]
    assert events[-1]["executionAbortedEventDetails"] == {
        "error": "Operator",
        "cause": "stopped by the test",
    }


@pytest.mark.xfail_on_moto("moto records an empty error and cause")
def test_stop_without_error_or_cause(sfn):
    _, sm = create_sm(sfn, "ex-stop-bare", wait_definition(2))
    started = sfn.start_execution(stateMachineArn=sm)
    sfn.stop_execution(executionArn=started["executionArn"])
    described = wait_for_execution(sfn, started["executionArn"])
    assert described["status"] == "ABORTED"
    assert "error" not in described and "cause" not in described
    events = history(sfn, started["executionArn"])
    assert events[-1]["type"] == "ExecutionAborted"
    assert events[-1].get("executionAbortedEventDetails", {}) == {}


def test_stop_unknown_execution(sfn):
    arn = execution_arn(unique("sm"), unique("run"))
    with raises_aws("ExecutionDoesNotExist", message=f"Execution Does Not Exist: '{arn}'"):
        sfn.stop_execution(executionArn=arn)


def test_stop_with_a_garbage_arn(sfn):
    with raises_aws("InvalidArn"):
        sfn.stop_execution(executionArn="garbage")


def test_start_on_a_deleted_state_machine(sfn):
    _, sm = create_sm(sfn, "ex-deleted")
    sfn.delete_state_machine(stateMachineArn=sm)
    with pytest.raises(sfn.exceptions.ClientError) as info:
        sfn.start_execution(stateMachineArn=sm)
    assert info.value.response["Error"]["Code"] in {
        "StateMachineDoesNotExist",
        "StateMachineDeleting",
    }


def test_a_deep_workflow_runs_to_the_right_output(sfn):
    """Choice, Parallel, Map and Wait together, with the output AWS would give."""
    text = definition(
        {
            "Route": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.mode", "StringEquals": "go", "Next": "Fan"}],
                "Default": "Refuse",
            },
            "Refuse": {"Type": "Fail", "Error": "Refused", "Cause": "mode was not go"},
            "Fan": {
                "Type": "Parallel",
                "Branches": [
                    {
                        "StartAt": "EachItem",
                        "States": {
                            "EachItem": {
                                "Type": "Map",
                                "ItemsPath": "$.items",
                                "MaxConcurrency": 2,
                                "ItemProcessor": {
                                    "ProcessorConfig": {"Mode": "INLINE"},
                                    "StartAt": "Double",
                                    "States": {
                                        "Double": {
                                            "Type": "Pass",
                                            "Parameters": {
                                                "n.$": "$",
                                                "twice.$": "States.MathAdd($, $)",
                                            },
                                            "End": True,
                                        }
                                    },
                                },
                                "End": True,
                            }
                        },
                    },
                    {
                        "StartAt": "Pause",
                        "States": {
                            "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Done"},
                            "Done": {"Type": "Pass", "Result": "waited", "End": True},
                        },
                    },
                ],
                "ResultSelector": {"doubled.$": "$[0]", "note.$": "$[1]"},
                "ResultPath": "$.result",
                "Next": "Finish",
            },
            "Finish": {"Type": "Pass", "OutputPath": "$.result", "End": True},
        }
    )
    _, sm = create_sm(sfn, "ex-deep", text)
    described = run_to_end(sfn, sm, {"mode": "go", "items": [1, 2, 3]})
    assert described["status"] == "SUCCEEDED", described
    assert json.loads(described["output"]) == {
        "doubled": [{"n": 1, "twice": 2}, {"n": 2, "twice": 4}, {"n": 3, "twice": 6}],
        "note": "waited",
    }
    types = [e["type"] for e in history(sfn, described["executionArn"])]
    for expected in [
        "ChoiceStateEntered",
        "ParallelStateEntered",
        "MapStateEntered",
        "MapIterationSucceeded",
        "WaitStateEntered",
        "ParallelStateSucceeded",
        "ExecutionSucceeded",
    ]:
        assert expected in types
    assert types.count("MapIterationStarted") == 3

    refused = run_to_end(sfn, sm, {"mode": "stop", "items": []})
    assert refused["status"] == "FAILED"
    assert (refused["error"], refused["cause"]) == ("Refused", "mode was not go")
