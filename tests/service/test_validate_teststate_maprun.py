"""ValidateStateMachineDefinition, TestState, ListMapRuns and DescribeMapRun."""

import json
import uuid

import pytest

from sfn_helpers import (
    ACCOUNT,
    REGION,
    ROLE_ARN,
    create_sm,
    definition,
    raises_aws,
    run_to_end,
    unique,
)


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement ValidateStateMachineDefinition")
def test_validate_a_valid_definition(sfn):
    out = sfn.validate_state_machine_definition(
        definition=definition({"StartState": {"Type": "Pass", "End": True}})
    )
    assert out["result"] == "OK"
    assert out["diagnostics"] == []
    assert out["truncated"] is False


@pytest.mark.parametrize("kind", ["STANDARD", "EXPRESS"])
@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement ValidateStateMachineDefinition")
def test_validate_a_definition_without_start_at(sfn, kind):
    out = sfn.validate_state_machine_definition(
        definition=json.dumps({"States": {"StartState": {"Type": "Pass", "End": True}}}), type=kind
    )
    assert out["result"] == "FAIL"
    assert out["truncated"] is False
    assert out["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "These fields are required: [StartAt]",
            "location": "/",
        }
    ]


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement ValidateStateMachineDefinition")
def test_validate_an_empty_object(sfn):
    out = sfn.validate_state_machine_definition(definition="{}")
    assert out["result"] == "FAIL"
    assert out["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "These fields are required: [States, StartAt]",
            "location": "/",
        }
    ]


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement ValidateStateMachineDefinition")
def test_validate_text_that_is_not_json(sfn):
    out = sfn.validate_state_machine_definition(definition="not a definition")
    assert out["result"] == "FAIL"
    [diag] = out["diagnostics"]
    assert diag["code"] == "INVALID_JSON_DESCRIPTION"
    assert diag["severity"] == "ERROR"
    assert diag["location"] == '[Source: (String)"not a definition"; line: 1, column: 4]'


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement ValidateStateMachineDefinition")
def test_validate_express_refuses_wait_for_task_token(sfn):
    text = definition(
        {
            "SendMessageWithWait": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "End": True,
            }
        }
    )
    out = sfn.validate_state_machine_definition(definition=text, type="EXPRESS")
    assert out["result"] == "FAIL"
    assert out["diagnostics"] == [
        {
            "severity": "ERROR",
            "code": "SCHEMA_VALIDATION_FAILED",
            "message": "Express state machine does not support '.waitForTaskToken' "
            "service integration ",
            "location": "/States/SendMessageWithWait/Resource",
        }
    ]
    standard = sfn.validate_state_machine_definition(definition=text, type="STANDARD")
    assert standard["result"] == "OK"


IO_PASS_STATE = json.dumps(
    {
        "Type": "Pass",
        "InputPath": "$.initialData",
        "Parameters": {"staticValue": "some value", "inputValue.$": "$.fieldFromInput"},
        "ResultPath": "$.modifiedData",
        "End": True,
    }
)
IO_INPUT = {
    "initialData": {"fieldFromInput": "value from input", "otherField": "other"},
    "unrelatedData": {"someOtherField": 1234},
}
IO_OUTPUT = {
    "initialData": {"fieldFromInput": "value from input", "otherField": "other"},
    "unrelatedData": {"someOtherField": 1234},
    "modifiedData": {"staticValue": "some value", "inputValue": "value from input"},
}


@pytest.mark.xfail_on_moto("moto does not implement TestState")
def test_test_state_pass_with_parameters_at_debug(sfn):
    out = sfn.test_state(
        definition=IO_PASS_STATE,
        roleArn=ROLE_ARN,
        input=json.dumps(IO_INPUT),
        inspectionLevel="DEBUG",
    )
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == IO_OUTPUT
    data = {k: json.loads(v) for k, v in out["inspectionData"].items()}
    assert data == {
        "input": IO_INPUT,
        "afterInputPath": IO_INPUT["initialData"],
        "afterParameters": {"staticValue": "some value", "inputValue": "value from input"},
        "afterResultSelector": {"staticValue": "some value", "inputValue": "value from input"},
        "afterResultPath": IO_OUTPUT,
    }
    assert "nextState" not in out


@pytest.mark.xfail_on_moto("moto does not implement TestState")
def test_test_state_at_info_has_no_inspection_data(sfn):
    out = sfn.test_state(definition=IO_PASS_STATE, roleArn=ROLE_ARN, input=json.dumps(IO_INPUT))
    assert out["status"] == "SUCCEEDED"
    assert json.loads(out["output"]) == IO_OUTPUT
    assert "inspectionData" not in out


@pytest.mark.xfail_on_moto("moto does not implement TestState")
def test_test_state_choice_names_the_next_state(sfn):
    state = json.dumps(
        {
            "Type": "Choice",
            "Choices": [
                {"Variable": "$.value", "NumericGreaterThanEquals": 20, "Next": "ValueInTwenties"}
            ],
            "Default": "Other",
        }
    )
    out = sfn.test_state(
        definition=state, roleArn=ROLE_ARN, input='{"type": "Private", "value": 22}'
    )
    assert out["status"] == "SUCCEEDED"
    assert out["nextState"] == "ValueInTwenties"
    assert json.loads(out["output"]) == {"type": "Private", "value": 22}


@pytest.mark.xfail_on_moto("moto does not implement TestState")
def test_test_state_fail(sfn):
    state = json.dumps(
        {
            "Type": "Fail",
            "Error": "SomeFailure",
            "Cause": "This state machines raises a 'SomeFailure' failure.",
        }
    )
    out = sfn.test_state(definition=state, roleArn=ROLE_ARN, input="{}")
    assert out["status"] == "FAILED"
    assert out["error"] == "SomeFailure"
    assert out["cause"] == "This state machines raises a 'SomeFailure' failure."
    assert "output" not in out


@pytest.mark.xfail_on_moto("moto does not implement TestState")
def test_test_state_with_an_invalid_state(sfn):
    with raises_aws("InvalidDefinition"):
        sfn.test_state(definition='{"Type": "NoSuchType"}', roleArn=ROLE_ARN, input="{}")


def test_list_map_runs_of_an_execution_without_distributed_map(sfn):
    text = definition(
        {
            "Inline": {
                "Type": "Map",
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Each",
                    "States": {"Each": {"Type": "Pass", "End": True}},
                },
                "End": True,
            }
        }
    )
    _, sm = create_sm(sfn, "maprun", text)
    arn = run_to_end(sfn, sm, [1, 2])["executionArn"]
    assert sfn.list_map_runs(executionArn=arn)["mapRuns"] == []


def test_list_map_runs_of_an_unknown_execution(sfn):
    arn = f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{unique('sm')}:{unique('run')}"
    with raises_aws("ExecutionDoesNotExist"):
        sfn.list_map_runs(executionArn=arn)


def unknown_map_run() -> str:
    return f"arn:aws:states:{REGION}:{ACCOUNT}:mapRun:{unique('sm')}/Map:{uuid.uuid4()}"


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement DescribeMapRun")
def test_describe_an_unknown_map_run(sfn):
    arn = unknown_map_run()
    with raises_aws("ResourceNotFound"):
        sfn.describe_map_run(mapRunArn=arn)


@pytest.mark.xfail_on_moto("moto 5.2.5 does not implement UpdateMapRun")
def test_update_an_unknown_map_run(sfn):
    arn = unknown_map_run()
    with raises_aws("ResourceNotFound"):
        sfn.update_map_run(mapRunArn=arn, maxConcurrency=1)
