"""Small helpers shared by the service tests: names, definitions, waiting, raw HTTP calls."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/estado-service-tests"
OTHER_ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/estado-service-tests-other"
ARN_PREFIX = f"arn:aws:states:{REGION}:{ACCOUNT}"
TERMINAL = {"SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"}


def client_for(endpoint: str, read_timeout: float = 30):
    """A boto3 Step Functions client for `endpoint`: dummy credentials, us-east-1, no retries,
    and no `sync-` host prefix (StartSyncExecution and TestState would otherwise go to
    `sync-127.0.0.1`)."""
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(
            inject_host_prefix=False,
            retries={"max_attempts": 0},
            read_timeout=read_timeout,
            connect_timeout=5,
        ),
    )


def unique(prefix: str) -> str:
    """A name no other test uses (valid for state machines, activities and executions)."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def sm_arn(name: str) -> str:
    return f"{ARN_PREFIX}:stateMachine:{name}"


def activity_arn(name: str) -> str:
    return f"{ARN_PREFIX}:activity:{name}"


def execution_arn(sm_name: str, name: str) -> str:
    return f"{ARN_PREFIX}:execution:{sm_name}:{name}"


def definition(states: dict, start_at: str | None = None, **top) -> str:
    """An ASL definition as the JSON string the API takes."""
    return json.dumps({"StartAt": start_at or next(iter(states)), "States": states, **top})


def pass_definition(result=None) -> str:
    """One Pass state; with `result`, it outputs that value."""
    state = {"Type": "Pass", "End": True}
    if result is not None:
        state["Result"] = result
    return definition({"Only": state})


def wait_definition(seconds: int = 2) -> str:
    """Waits `seconds` (0-2 in this suite), then ends: an execution that is running for a while."""
    return definition({"Hold": {"Type": "Wait", "Seconds": seconds, "End": True}})


def fail_definition(error: str = "MyError", cause: str = "my cause") -> str:
    return definition({"Boom": {"Type": "Fail", "Error": error, "Cause": cause}})


def activity_machine(arn: str, **task) -> str:
    return definition(
        {
            "Prepare": {"Type": "Pass", "Parameters": {"job.$": "$.job"}, "Next": "Work"},
            "Work": {
                "Type": "Task",
                "Resource": arn,
                "ResultPath": "$.result",
                "End": True,
                **task,
            },
        }
    )


def poll_task(client, arn: str, worker: str = "worker-1", timeout: float = 10.0) -> dict:
    """One GetActivityTask; fails the test if no token came back within `timeout`."""
    started = time.monotonic()
    task = client.get_activity_task(activityArn=arn, workerName=worker)
    assert task.get("taskToken"), f"no task within {time.monotonic() - started:.1f} s"
    assert time.monotonic() - started < timeout
    return task


def create_sm(sfn, prefix: str, definition_text: str | None = None, **kwargs) -> tuple[str, str]:
    """Creates a state machine; returns (name, arn)."""
    name = unique(prefix)
    out = sfn.create_state_machine(
        name=name,
        definition=definition_text or pass_definition(),
        roleArn=kwargs.pop("roleArn", ROLE_ARN),
        **kwargs,
    )
    return name, out["stateMachineArn"]


def wait_for_execution(sfn, arn: str, timeout: float = 10.0) -> dict:
    """Polls DescribeExecution until the execution has closed; returns the last description."""
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] in TERMINAL:
            return described
        if time.monotonic() > deadline:
            pytest.fail(f"execution {arn} still {described['status']} after {timeout} s")
        time.sleep(0.05)


def wait_for_status(sfn, arn: str, status: str, timeout: float = 10.0) -> dict:
    """Polls DescribeExecution until it reports `status` (e.g. RUNNING after a redrive)."""
    deadline = time.monotonic() + timeout
    while True:
        described = sfn.describe_execution(executionArn=arn)
        if described["status"] == status:
            return described
        if time.monotonic() > deadline:
            pytest.fail(
                f"execution {arn} is {described['status']}, not {status}, after {timeout} s"
            )
        time.sleep(0.05)


def run_to_end(sfn, sm: str, input_doc=None, name: str | None = None) -> dict:
    """Starts an execution of `sm` and waits for it to close."""
    kwargs = {"stateMachineArn": sm, "name": name or unique("run")}
    if input_doc is not None:
        kwargs["input"] = input_doc if isinstance(input_doc, str) else json.dumps(input_doc)
    started = sfn.start_execution(**kwargs)
    return wait_for_execution(sfn, started["executionArn"])


def history(sfn, arn: str, **kwargs) -> list[dict]:
    """The whole history, every page."""
    events = []
    for page in sfn.get_paginator("get_execution_history").paginate(executionArn=arn, **kwargs):
        events.extend(page["events"])
    return events


@contextmanager
def raises_aws(code: str, message: str | None = None, message_prefix: str | None = None):
    """Expects a modeled AWS error `code` (and optionally its exact message or its prefix)."""
    with pytest.raises(ClientError) as info:
        yield info
    err = info.value.response["Error"]
    assert err["Code"] == code, f"expected {code}, got {err['Code']}: {err.get('Message')}"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    if message is not None:
        assert err.get("Message") == message
    if message_prefix is not None:
        assert (err.get("Message") or "").startswith(message_prefix), err.get("Message")


def raw_call(endpoint: str, target: str | None, body: bytes | str | dict, headers=None):
    """POSTs straight to the server, bypassing any client-side validation.

    Returns (status, parsed JSON body or None, error code with any `namespace#` stripped).
    """
    if isinstance(body, dict):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode("utf-8")
    request = urllib.request.Request(endpoint + "/", data=body, method="POST")
    request.add_header("Content-Type", "application/x-amz-json-1.0")
    if target is not None:
        request.add_header("X-Amz-Target", target)
    # Any signature is accepted by default; send the shape real clients send.
    request.add_header(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/states/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0",
    )
    request.add_header("X-Amz-Date", "20240101T000000Z")
    for k, v in (headers or {}).items():
        request.add_header(k, v)
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as e:
        status, raw = e.code, e.read()
    try:
        parsed = json.loads(raw) if raw else None
    except ValueError:
        parsed = None
    code = None
    if isinstance(parsed, dict) and isinstance(parsed.get("__type"), str):
        code = parsed["__type"].rsplit("#", 1)[-1]
    return status, parsed, code


def error_message(parsed: dict | None) -> str:
    if not parsed:
        return ""
    return parsed.get("message") or parsed.get("Message") or ""
