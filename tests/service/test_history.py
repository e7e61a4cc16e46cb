"""GetExecutionHistory: event numbering, AWS's event shapes, order, paging and data exclusion."""

import datetime as dt
import json

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
    unique,
)

THREE_PASSES = definition(
    {
        "One": {"Type": "Pass", "Result": 1, "ResultPath": "$.one", "Next": "Two"},
        "Two": {"Type": "Pass", "Result": 2, "ResultPath": "$.two", "Next": "Three"},
        "Three": {"Type": "Pass", "Result": 3, "ResultPath": "$.three", "End": True},
    }
)


def test_a_one_state_history_is_exactly_aws_shape(sfn):
    _, sm = create_sm(sfn, "hist-one", pass_definition({"Arg1": "argument1"}))
    described = run_to_end(sfn, sm, {})
    events = sfn.get_execution_history(executionArn=described["executionArn"])["events"]
    for e in events:
        assert isinstance(e.pop("timestamp"), dt.datetime)
    assert events == [
        {
            "id": 1,
            "previousEventId": 0,
            "type": "ExecutionStarted",
            "executionStartedEventDetails": {
                "input": "{}",
                "inputDetails": {"truncated": False},
                "roleArn": ROLE_ARN,
            },
        },
        {
            "id": 2,
            "previousEventId": 0,
            "type": "PassStateEntered",
            "stateEnteredEventDetails": {
                "name": "Only",
                "input": "{}",
                "inputDetails": {"truncated": False},
            },
        },
        {
            "id": 3,
            "previousEventId": 2,
            "type": "PassStateExited",
            "stateExitedEventDetails": {
                "name": "Only",
                "output": '{"Arg1":"argument1"}',
                "outputDetails": {"truncated": False},
            },
        },
        {
            "id": 4,
            "previousEventId": 3,
            "type": "ExecutionSucceeded",
            "executionSucceededEventDetails": {
                "output": '{"Arg1":"argument1"}',
                "outputDetails": {"truncated": False},
            },
        },
    ]


def test_ids_are_consecutive_from_one_and_timestamps_never_go_back(sfn):
    _, sm = create_sm(sfn, "hist-ids", THREE_PASSES)
    described = run_to_end(sfn, sm, {"start": True})
    events = history(sfn, described["executionArn"])
    assert [e["id"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["type"] == "ExecutionStarted"
    assert events[-1]["type"] == "ExecutionSucceeded"
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "PassStateEntered",
        "PassStateExited",
        "PassStateEntered",
        "PassStateExited",
        "PassStateEntered",
        "PassStateExited",
        "ExecutionSucceeded",
    ]
    stamps = [e["timestamp"] for e in events]
    assert stamps == sorted(stamps)
    assert json.loads(events[-1]["executionSucceededEventDetails"]["output"]) == {
        "start": True,
        "one": 1,
        "two": 2,
        "three": 3,
    }
    entered = [
        e["stateEnteredEventDetails"]["name"] for e in events if e["type"] == "PassStateEntered"
    ]
    assert entered == ["One", "Two", "Three"]


@pytest.mark.xfail_on_moto("moto ignores reverseOrder")
def test_reverse_order(sfn):
    _, sm = create_sm(sfn, "hist-reverse", THREE_PASSES)
    described = run_to_end(sfn, sm)
    forward = history(sfn, described["executionArn"])
    backward = history(sfn, described["executionArn"], reverseOrder=True)
    assert backward == list(reversed(forward))
    assert backward[0]["type"] == "ExecutionSucceeded"


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.xfail_on_moto("moto ignores maxResults")
def test_max_results_pages_with_next_token(sfn, reverse):
    _, sm = create_sm(sfn, "hist-pages", THREE_PASSES)
    arn = run_to_end(sfn, sm)["executionArn"]
    whole = sfn.get_execution_history(executionArn=arn, reverseOrder=reverse)["events"]
    assert "nextToken" not in sfn.get_execution_history(executionArn=arn)

    paged, token, pages = [], None, 0
    while True:
        kwargs = {"executionArn": arn, "maxResults": 3, "reverseOrder": reverse}
        if token:
            kwargs["nextToken"] = token
        page = sfn.get_execution_history(**kwargs)
        pages += 1
        assert len(page["events"]) <= 3
        paged += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    assert pages == 3  # 8 events
    assert paged == whole

    walked = [
        e
        for p in sfn.get_paginator("get_execution_history").paginate(
            executionArn=arn, reverseOrder=reverse, PaginationConfig={"PageSize": 2}
        )
        for e in p["events"]
    ]
    assert walked == whole


@pytest.mark.xfail_on_moto("moto ignores includeExecutionData")
def test_exclude_execution_data(sfn):
    _, sm = create_sm(sfn, "hist-nodata", THREE_PASSES)
    arn = run_to_end(sfn, sm, {"secret": "x"})["executionArn"]
    events = sfn.get_execution_history(executionArn=arn, includeExecutionData=False)["events"]
    assert len(events) == 8
    # Only the data goes: names, role and the rest of each event stay.
    started = events[0]["executionStartedEventDetails"]
    assert "input" not in started
    assert started["roleArn"] == ROLE_ARN
    entered = [e["stateEnteredEventDetails"] for e in events if "stateEnteredEventDetails" in e]
    exited = [e["stateExitedEventDetails"] for e in events if "stateExitedEventDetails" in e]
    assert [d["name"] for d in entered] == ["One", "Two", "Three"]
    assert [d["name"] for d in exited] == ["One", "Two", "Three"]
    assert not any("input" in d for d in entered)
    assert not any("output" in d for d in exited)
    assert "output" not in events[-1].get("executionSucceededEventDetails", {})
    assert "secret" not in json.dumps(events, default=str)


def test_a_failing_execution_history(sfn):
    _, sm = create_sm(sfn, "hist-fail", fail_definition("Kaput", "it broke"))
    arn = run_to_end(sfn, sm)["executionArn"]
    events = history(sfn, arn)
    assert [e["type"] for e in events] == [
        "ExecutionStarted",
        "FailStateEntered",
        "ExecutionFailed",
    ]
    assert events[1]["stateEnteredEventDetails"]["name"] == "Boom"
    assert events[2]["executionFailedEventDetails"] == {"error": "Kaput", "cause": "it broke"}


def test_a_runtime_error_is_recorded_with_aws_cause(sfn):
    text = definition({"pass": {"Type": "Pass", "OutputPath": "$.NoSuchOutputPath", "End": True}})
    _, sm = create_sm(sfn, "hist-runtime", text)
    described = run_to_end(sfn, sm, {"present": 1})
    assert described["status"] == "FAILED"
    assert described["error"] == "States.Runtime"
    assert described["cause"] == (
        "An error occurred while executing the state 'pass' (entered at the event id #2). "
        "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']"
    )
    types = [e["type"] for e in history(sfn, described["executionArn"])]
    assert types == ["ExecutionStarted", "PassStateEntered", "ExecutionFailed"]


def test_history_of_an_unknown_execution(sfn):
    arn = execution_arn(unique("sm"), unique("run"))
    with raises_aws("ExecutionDoesNotExist", message=f"Execution Does Not Exist: '{arn}'"):
        sfn.get_execution_history(executionArn=arn)


@pytest.mark.xfail_on_moto("moto words InvalidArn messages differently")
def test_history_with_a_garbage_arn(sfn):
    with raises_aws("InvalidArn", message="Invalid Arn: 'Invalid ARN prefix: invalid_arn'"):
        sfn.get_execution_history(executionArn="invalid_arn")


@pytest.mark.xfail_on_moto("moto ignores a page token it never issued")
def test_history_with_a_token_never_issued(sfn):
    _, sm = create_sm(sfn, "hist-token")
    arn = run_to_end(sfn, sm)["executionArn"]
    with raises_aws("InvalidToken"):
        sfn.get_execution_history(executionArn=arn, nextToken="never-issued")


def test_a_large_input_is_kept_as_sent_and_recorded_once_compact(sfn):
    # Over 64 KiB: the server compresses such an input beside the execution's first step.
    items = [{"id": i, "name": f"item number {i}", "tags": ["a", "b"]} for i in range(2_000)]
    sent = json.dumps({"items": items}, indent=1)
    assert 64 * 1024 < len(sent.encode()) <= 256 * 1024
    _, sm = create_sm(
        sfn,
        "hist-large",
        definition(
            {
                "Count": {
                    "Type": "Pass",
                    "Parameters": {"n.$": "States.ArrayLength($.items)"},
                    "End": True,
                }
            }
        ),
    )
    described = run_to_end(sfn, sm, sent)
    assert described["status"] == "SUCCEEDED"
    assert described["input"] == sent
    assert json.loads(described["output"]) == {"n": 2_000}
    events = history(sfn, described["executionArn"])
    compact = json.dumps({"items": items}, separators=(",", ":"))
    assert events[0]["executionStartedEventDetails"]["input"] == compact
    assert events[1]["stateEnteredEventDetails"]["input"] == compact
