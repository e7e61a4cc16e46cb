"""Local Lambda functions declared in estado.toml, called by Task states of `estado serve`.

Each function runs in warm worker processes speaking the Lambda Runtime API: Python handlers
through Estado's own bootstrap, and the same handler through AWS's `awslambdaric` client.
"""

import json
import sys
import textwrap
import time

import pytest

from sfn_helpers import client_for, create_sm, definition, history, run_to_end, wait_for_execution

pytestmark = pytest.mark.xfail_on_moto("moto does not run local Lambda functions")

HANDLERS = textwrap.dedent(
    """
    import os, time

    def hello(event, context):
        return {"greeting": "hello " + event["name"], "pid": os.getpid(),
                "function": context.function_name}

    class OrderRejected(Exception):
        pass

    def reject(event, context):
        raise OrderRejected("no stock for " + event["name"])

    def slow(event, context):
        time.sleep(30)

    def remember(event, context):
        with open(os.environ["TOKEN_FILE"], "w") as f:
            f.write(event["token"])
        return {"sent": True}
    """
)

LEGACY = "arn:aws:lambda:us-east-1:123456789012:function:"


@pytest.fixture(scope="module")
def lambda_server(tmp_path_factory, request):
    """An `estado serve` whose estado.toml declares this module's functions."""
    if request.config.getoption("--target") != "estado":
        pytest.skip("needs estado itself")
    from conftest import _start_estado, _stop

    root = tmp_path_factory.mktemp("functions")
    (root / "code").mkdir()
    (root / "code" / "app.py").write_text(HANDLERS)
    token_file = root / "token.txt"
    (root / "estado.toml").write_text(
        textwrap.dedent(
            f"""
            [functions.hello]
            handler = "code/app.py:hello"

            [functions.hello_ric]
            handler = "code/app.py:hello"
            command = ["{sys.executable}", "-m", "awslambdaric", "app.hello"]

            [functions.reject]
            handler = "code/app.py:reject"

            [functions.reject_ric]
            handler = "code/app.py:reject"
            command = ["{sys.executable}", "-m", "awslambdaric", "app.reject"]

            [functions.slow]
            handler = "code/app.py:slow"
            timeout = 1

            [functions.remember]
            handler = "code/app.py:remember"
            environment = {{ TOKEN_FILE = "{token_file}" }}
            """
        )
    )
    import os

    os.environ["ESTADO_CONFIG"] = str(root / "estado.toml")
    try:
        srv = _start_estado(request.config.getoption("--estado-bin"), root)
    finally:
        del os.environ["ESTADO_CONFIG"]
    srv.token_file = token_file
    yield srv
    _stop(srv.process)


def invoke_then_legacy(function):
    return definition(
        {
            "Invoke": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": function, "Payload.$": "$"},
                "ResultSelector": {"payload.$": "$.Payload", "status.$": "$.StatusCode",
                                   "version.$": "$.ExecutedVersion"},
                "ResultPath": "$.invoked",
                "Next": "Legacy",
            },
            "Legacy": {
                "Type": "Task",
                "Resource": LEGACY + function,
                "ResultPath": "$.legacy",
                "End": True,
            },
        }
    )


@pytest.mark.parametrize("function", ["hello", "hello_ric"])
def test_both_ways_of_naming_a_function_run_it_warm(lambda_server, function):
    sfn = client_for(lambda_server.endpoint)
    _, sm = create_sm(sfn, "lambda", invoke_then_legacy(function))
    first = run_to_end(sfn, sm, {"name": "Ana"})
    assert first["status"] == "SUCCEEDED", first
    out = json.loads(first["output"])
    assert out["invoked"]["status"] == 200
    assert out["invoked"]["version"] == "$LATEST"
    assert out["invoked"]["payload"]["greeting"] == "hello Ana"
    assert out["invoked"]["payload"]["function"] == function
    assert out["legacy"]["greeting"] == "hello Ana"
    # One warm worker served both calls, and serves the next execution too.
    assert out["legacy"]["pid"] == out["invoked"]["payload"]["pid"]
    second = json.loads(run_to_end(sfn, sm, {"name": "Rui"})["output"])
    assert second["legacy"]["pid"] == out["legacy"]["pid"]
    types = [e["type"] for e in history(sfn, first["executionArn"])]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
        "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted",
        "LambdaFunctionSucceeded", "TaskStateExited",
        "ExecutionSucceeded",
    ]


@pytest.mark.parametrize("function", ["reject", "reject_ric"])
def test_an_exception_fails_the_task_with_its_class_name(lambda_server, function):
    sfn = client_for(lambda_server.endpoint)
    _, sm = create_sm(
        sfn,
        "lambda-fail",
        definition({"Call": {"Type": "Task", "Resource": LEGACY + function, "End": True}}),
    )
    done = run_to_end(sfn, sm, {"name": "Ana"})
    assert done["status"] == "FAILED"
    assert done["error"] == "OrderRejected"
    cause = json.loads(done["cause"])
    assert cause["errorType"] == "OrderRejected"
    assert cause["errorMessage"] == "no stock for Ana"
    assert any("raise OrderRejected" in frame for frame in cause["stackTrace"])
    failed = [e for e in history(sfn, done["executionArn"]) if e["type"] == "LambdaFunctionFailed"]
    assert failed[0]["lambdaFunctionFailedEventDetails"]["error"] == "OrderRejected"


def test_the_function_timeout_kills_the_call(lambda_server):
    sfn = client_for(lambda_server.endpoint)
    _, sm = create_sm(
        sfn,
        "lambda-slow",
        definition(
            {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {"FunctionName": "slow"},
                    "End": True,
                }
            }
        ),
    )
    started = time.monotonic()
    done = run_to_end(sfn, sm, {})
    assert time.monotonic() - started < 8
    assert done["status"] == "FAILED"
    assert done["error"] == "Sandbox.Timedout"
    assert "Task timed out after 1.00 seconds" in json.loads(done["cause"])["errorMessage"]


def test_an_unknown_function_fails_as_on_aws(lambda_server):
    sfn = client_for(lambda_server.endpoint)
    _, sm = create_sm(
        sfn,
        "lambda-none",
        definition({"Call": {"Type": "Task", "Resource": LEGACY + "nobody", "End": True}}),
    )
    done = run_to_end(sfn, sm, {})
    assert done["status"] == "FAILED"
    assert done["error"] == "Lambda.ResourceNotFoundException"
    assert done["cause"].startswith(
        "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nobody "
        "(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException;"
    )


def test_wait_for_task_token_calls_the_function_then_waits_for_the_token(lambda_server):
    sfn = client_for(lambda_server.endpoint)
    _, sm = create_sm(
        sfn,
        "lambda-token",
        definition(
            {
                "Call": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                    "Parameters": {
                        "FunctionName": "remember",
                        "Payload": {"token.$": "$$.Task.Token"},
                    },
                    "End": True,
                }
            }
        ),
    )
    arn = sfn.start_execution(stateMachineArn=sm, input="{}")["executionArn"]
    deadline = time.monotonic() + 10
    while not (lambda_server.token_file.exists() and lambda_server.token_file.read_text()):
        assert time.monotonic() < deadline, "the function was not called"
        time.sleep(0.05)
    token = lambda_server.token_file.read_text()
    assert sfn.describe_execution(executionArn=arn)["status"] == "RUNNING"
    deadline = time.monotonic() + 10
    while True:
        try:
            sfn.send_task_success(taskToken=token, output='{"approved": true}')
            break
        except sfn.exceptions.TaskDoesNotExist:
            # The call and the waiting are one step: the token exists once it is committed.
            assert time.monotonic() < deadline
            time.sleep(0.05)
    done = wait_for_execution(sfn, arn)
    assert done["status"] == "SUCCEEDED"
    assert json.loads(done["output"]) == {"approved": True}


def test_express_context_has_a_redrive_count_only_when_started_asynchronously(lambda_server):
    """AWS gives `$$.Execution.RedriveCount` 0 to an EXPRESS execution started with
    StartExecution and none to one started with StartSyncExecution (both recorded on AWS). An
    asynchronous express execution's output cannot be read back, so its context goes out
    through a function that writes what it is sent to a file."""
    sfn = client_for(lambda_server.endpoint)
    _, sm = create_sm(
        sfn,
        "express-context",
        definition(
            {
                "Tell": {
                    "Type": "Task",
                    "Resource": "arn:aws:states:::lambda:invoke",
                    "Parameters": {
                        "FunctionName": "remember",
                        "Payload": {"token.$": "States.JsonToString($$.Execution)"},
                    },
                    "ResultSelector": {"execution.$": "$$.Execution"},
                    "End": True,
                }
            }
        ),
        type="EXPRESS",
    )
    lambda_server.token_file.write_text("")
    arn = sfn.start_execution(stateMachineArn=sm, input='{"n": 1}')["executionArn"]
    deadline = time.monotonic() + 10
    while not lambda_server.token_file.read_text():
        assert time.monotonic() < deadline, "the function was not called"
        time.sleep(0.05)
    sent = json.loads(lambda_server.token_file.read_text())
    assert sent["Id"] == arn
    assert sent["Input"] == {"n": 1}
    assert sent["RedriveCount"] == 0

    done = sfn.start_sync_execution(stateMachineArn=sm, input='{"n": 2}')
    assert done["status"] == "SUCCEEDED", done
    execution = json.loads(done["output"])["execution"]
    assert execution["Id"] == done["executionArn"]
    assert execution["Input"] == {"n": 2}
    assert "RedriveCount" not in execution
