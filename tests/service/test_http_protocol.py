"""The awsJson1.0 protocol itself, straight over HTTP with no client validation in the way:
bad bodies, unknown targets, constraint violations. Never a 500."""

import json

import pytest

from sfn_helpers import ROLE_ARN, create_sm, error_message, raw_call, unique

T = "AWSStepFunctions."


@pytest.fixture
def call(server):
    def do(target, body, headers=None):
        status, parsed, code = raw_call(server.endpoint, target, body, headers)
        assert status < 500, f"server error {status}: {parsed}"
        return status, parsed, code

    return do


def test_a_successful_call_answers_json(call, server):
    status, parsed, code = call(T + "ListStateMachines", {})
    assert status == 200
    assert code is None
    assert isinstance(parsed["stateMachines"], list)


def test_an_empty_body_is_an_empty_request(call):
    status, parsed, _ = call(T + "ListActivities", b"")
    assert status == 200
    assert isinstance(parsed["activities"], list)


@pytest.mark.xfail_on_moto("moto accepts a body that is not a JSON object")
@pytest.mark.parametrize("body", ["{not json", '{"name": ', "[]", '"text"'])
def test_a_body_that_is_not_a_json_object(call, body):
    status, _, code = call(T + "ListStateMachines", body)
    assert (status, code) == (400, "SerializationException")


@pytest.mark.xfail_on_moto("moto answers an unknown operation with a 500")
def test_an_unknown_operation(call):
    status, _, code = call(T + "NoSuchOperation", {})
    assert (status, code) == (400, "UnknownOperationException")


@pytest.mark.xfail_on_moto("moto answers an unknown operation with a 500")
def test_a_target_of_another_service(call):
    status, _, code = call("DynamoDB_20120810.ListTables", {})
    assert (status, code) == (400, "UnknownOperationException")


@pytest.mark.xfail_on_moto("moto answers a missing member with a 500 or not at all")
def test_a_missing_required_member(call):
    status, parsed, code = call(T + "DescribeStateMachine", {})
    assert (status, code) == (400, "ValidationException")
    assert error_message(parsed) == (
        "1 validation error detected: Value null at 'stateMachineArn' failed to satisfy "
        "constraint: Member must not be null"
    )


@pytest.mark.xfail_on_moto("moto answers a missing member with a 500 or not at all")
def test_several_missing_required_members(call):
    status, parsed, code = call(T + "CreateStateMachine", {"type": "STANDARD"})
    assert (status, code) == (400, "ValidationException")
    message = error_message(parsed)
    assert message.startswith("3 validation errors detected: ")
    for member in ("name", "definition", "roleArn"):
        assert (
            f"Value null at '{member}' failed to satisfy constraint: Member must not be null"
            in message
        )


@pytest.mark.xfail_on_moto("moto answers a wrongly typed member with a 500 or not at all")
@pytest.mark.parametrize(
    "target, body",
    [
        ("DescribeStateMachine", {"stateMachineArn": 12}),
        ("ListStateMachines", {"maxResults": "ten"}),
        ("CreateStateMachine", {"name": ["x"], "definition": "{}", "roleArn": ROLE_ARN}),
        (
            "TagResource",
            {
                "resourceArn": "arn:aws:states:us-east-1:123456789012:stateMachine:x",
                "tags": {"k": "v"},
            },
        ),
    ],
)
def test_a_member_of_the_wrong_type(call, target, body):
    status, _, code = call(T + target, body)
    assert (status, code) == (400, "SerializationException")


@pytest.mark.xfail_on_moto("moto does not check model constraints")
def test_a_member_outside_its_constraints(call):
    status, parsed, code = call(T + "ListStateMachines", {"maxResults": 1001})
    assert (status, code) == (400, "ValidationException")
    assert error_message(parsed) == (
        "1 validation error detected: Value '1001' at 'maxResults' failed to satisfy "
        "constraint: Member must have value less than or equal to 1000"
    )


@pytest.mark.xfail_on_moto("moto does not check model constraints")
def test_an_unknown_enum_value(call):
    status, _, code = call(
        T + "CreateStateMachine",
        {"name": unique("p"), "definition": "{}", "roleArn": ROLE_ARN, "type": "FAST"},
    )
    assert (status, code) == (400, "ValidationException")


@pytest.mark.xfail_on_moto("moto does not check the size of the input")
def test_an_input_over_256_kib(call, sfn):
    _, sm = create_sm(sfn, "http-big")
    big = json.dumps({"blob": "x" * (256 * 1024)})
    status, parsed, code = call(T + "StartExecution", {"stateMachineArn": sm, "input": big})
    assert (status, code) == (400, "ValidationException")
    message = error_message(parsed)
    assert "at 'input' failed to satisfy constraint" in message
    assert "262144" in message
    assert "xxxx" not in message, "sensitive values are never echoed"


def test_an_input_just_under_256_kib_is_accepted(call, sfn):
    _, sm = create_sm(sfn, "http-almost")
    almost = json.dumps({"blob": "x" * (256 * 1024 - 20)})
    assert len(almost.encode()) <= 262144
    status, parsed, code = call(T + "StartExecution", {"stateMachineArn": sm, "input": almost})
    assert (status, code) == (200, None)
    assert parsed["executionArn"]


@pytest.mark.parametrize(
    "target, member",
    [
        ("DescribeStateMachine", "stateMachineArn"),
        ("DescribeExecution", "executionArn"),
        ("DescribeActivity", "activityArn"),
        ("ListExecutions", "stateMachineArn"),
        ("GetExecutionHistory", "executionArn"),
        ("StartExecution", "stateMachineArn"),
        ("StopExecution", "executionArn"),
        ("ListTagsForResource", "resourceArn"),
    ],
)
@pytest.mark.parametrize(
    "bad",
    ["not-an-arn", "arn:aws:s3:::bucket", "arn:aws:states:us-east-1:123456789012:unknownKind:x"],
)
@pytest.mark.xfail_on_moto(
    "moto words InvalidArn messages differently; its ListTagsForResource accepts any ARN"
)
def test_invalid_arns(call, target, member, bad):
    status, parsed, code = call(T + target, {member: bad})
    assert (status, code) == (400, "InvalidArn"), parsed
    assert error_message(parsed).startswith("Invalid Arn: '")


def test_error_bodies_carry_type_and_message(call):
    arn = f"arn:aws:states:us-east-1:123456789012:stateMachine:{unique('gone')}"
    status, parsed, code = call(T + "DescribeStateMachine", {"stateMachineArn": arn})
    assert (status, code) == (400, "StateMachineDoesNotExist")
    assert (
        parsed["__type"].endswith("#StateMachineDoesNotExist")
        or parsed["__type"] == "StateMachineDoesNotExist"
    )
    assert ":" not in parsed["__type"], "smithy clients cut __type at ':'"
    assert error_message(parsed) == f"State Machine Does Not Exist: '{arn}'"


def test_target_header_is_matched_case_insensitively(call):
    # The Rust SDK sends header names in lower case.
    status, parsed, _ = call(None, {}, headers={"x-amz-target": T + "ListStateMachines"})
    assert status == 200
    assert "stateMachines" in parsed


def test_any_host_header_is_accepted(call):
    status, _, _ = call(T + "ListStateMachines", {}, headers={"Host": "sync-states.example.test"})
    assert status == 200


@pytest.mark.xfail_on_moto("moto answers with Content-Type application/xml")
def test_responses_carry_a_request_id(server):
    import urllib.request

    request = urllib.request.Request(server.endpoint + "/", data=b"{}", method="POST")
    request.add_header("Content-Type", "application/x-amz-json-1.0")
    request.add_header("X-Amz-Target", T + "ListStateMachines")
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.headers.get("x-amzn-RequestId")
        assert resp.headers.get("Content-Type", "").startswith("application/x-amz-json-1.0")
