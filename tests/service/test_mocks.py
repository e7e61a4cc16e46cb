"""Step Functions Local's mocked service integrations: a mock config file (SFN_MOCK_CONFIG),
test cases selected with `#TestCase` on the state machine ARN, responses by invocation number
or range, Return and Throw, activities and callbacks mocked too, and unmocked states running
for real ("hybrid")."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from sfn_helpers import ROLE_ARN, client_for, definition, history, raises_aws, wait_for_execution

pytestmark = pytest.mark.xfail_on_moto("moto has no mock config")

MACHINE = "MockedOrders"


class Api(BaseHTTPRequestHandler):
    def do_GET(self):
        data = json.dumps({"stock": 5}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Api)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


MOCKS = {
    "StateMachines": {
        MACHINE: {
            "TestCases": {
                "HappyPath": {
                    "Lookup": "StockMocked",
                    "Charge": "ChargeOk",
                    "Approve": "Approved",
                    "Notify": "Notified",
                },
                "RetryPath": {"Lookup": "StockMocked", "Charge": "ChargeFlaky", "Approve": "Approved", "Notify": "Notified"},
                "DeclinedPath": {"Lookup": "StockMocked", "Charge": "ChargeDeclined"},
                "HybridPath": {"Charge": "ChargeOk", "Approve": "Approved", "Notify": "Notified"},
                "ShortPath": {"Lookup": "StockMocked", "Charge": "ChargeOnce", "Approve": "Approved", "Notify": "Notified"},
            }
        },
        "MockedExpress": {"TestCases": {"Quick": {"Send": "Notified"}}},
    },
    "MockedResponses": {
        "StockMocked": {"0": {"Return": {"StatusCode": 200, "ResponseBody": {"stock": 1}}}},
        "ChargeOk": {"0": {"Return": {"StatusCode": 200, "Payload": {"charged": True}}}},
        "ChargeFlaky": {
            "0-1": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "busy"}},
            "2": {"Return": {"StatusCode": 200, "Payload": {"charged": "third time"}}},
        },
        "ChargeOnce": {"0": {"Throw": {"Error": "Lambda.ServiceException", "Cause": "busy"}}},
        "ChargeDeclined": {"0": {"Throw": {"Error": "PaymentDeclined", "Cause": "card refused"}}},
        "Approved": {"0": {"Return": {"approved": True}}},
        "Notified": {"0": {"Return": {"MessageId": "m-1"}}},
    },
}


def machine(api: str) -> str:
    return definition(
        {
            "Lookup": {
                "Type": "Task",
                "Resource": "arn:aws:states:::http:invoke",
                "Parameters": {"ApiEndpoint": f"{api}/stock", "Method": "GET"},
                "ResultSelector": {"stock.$": "$.ResponseBody.stock"},
                "ResultPath": "$.lookup",
                "Next": "Charge",
            },
            "Charge": {
                "Type": "Task",
                "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "charge", "Payload.$": "$"},
                "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 1, "MaxAttempts": 2, "BackoffRate": 1}],
                "Catch": [{"ErrorEquals": ["PaymentDeclined"], "ResultPath": "$.declined", "Next": "Declined"}],
                "ResultSelector": {"charged.$": "$.Payload.charged"},
                "ResultPath": "$.charge",
                "Next": "Approve",
            },
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:us-east-1:123456789012:activity:approvals",
                "ResultPath": "$.approval",
                "Next": "Notify",
            },
            "Notify": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                "Parameters": {"QueueUrl": "q", "MessageBody": {"token.$": "$$.Task.Token"}},
                "ResultPath": "$.notify",
                "End": True,
            },
            "Declined": {"Type": "Fail", "Error": "Declined"},
        }
    )


@pytest.fixture(scope="module")
def mocked(tmp_path_factory, request, api):
    """An `estado serve` with the mock config, and its client and state machines."""
    if request.config.getoption("--target") != "estado":
        pytest.xfail("needs estado itself")
    from conftest import _start_estado, _stop

    work = tmp_path_factory.mktemp("mocked")
    config = work / "mocks.json"
    config.write_text(json.dumps(MOCKS))
    server = _start_estado(request.config.getoption("--estado-bin"), work, work / "data", {"SFN_MOCK_CONFIG": str(config)})
    sfn = client_for(server.endpoint)
    arn = sfn.create_state_machine(name=MACHINE, definition=machine(api), roleArn=ROLE_ARN)["stateMachineArn"]
    express = sfn.create_state_machine(
        name="MockedExpress",
        type="EXPRESS",
        roleArn=ROLE_ARN,
        definition=definition(
            {"Send": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "Parameters": {"QueueUrl": "q", "MessageBody": "hi"}, "End": True}}
        ),
    )["stateMachineArn"]
    yield sfn, arn, express
    _stop(server.process)


def run_case(sfn, arn: str, case: str, name: str) -> dict:
    started = sfn.start_execution(stateMachineArn=f"{arn}#{case}", name=name, input='{"order": 1}')
    assert started["executionArn"].endswith(f":execution:{MACHINE}:{name}"), "no #case in the ARN"
    return wait_for_execution(sfn, started["executionArn"])


def test_the_happy_path_is_all_mocks(mocked):
    sfn, arn, _ = mocked
    done = run_case(sfn, arn, "HappyPath", "happy")
    assert done["status"] == "SUCCEEDED", done
    assert done["stateMachineArn"] == arn
    assert json.loads(done["output"]) == {
        "order": 1,
        "lookup": {"stock": 1},
        "charge": {"charged": True},
        "approval": {"approved": True},
        "notify": {"MessageId": "m-1"},
    }
    types = [e["type"] for e in history(sfn, done["executionArn"])]
    assert "ActivityScheduled" in types and "ActivitySucceeded" in types, "the activity, mocked"
    assert "TaskSubmitted" not in types, "a mocked callback answers at once"


def test_responses_by_invocation_range_drive_retries(mocked):
    sfn, arn, _ = mocked
    done = run_case(sfn, arn, "RetryPath", "retry")
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"])["charge"] == {"charged": "third time"}
    failed = [e for e in history(sfn, done["executionArn"]) if e["type"] == "TaskFailed"]
    assert [f["taskFailedEventDetails"]["error"] for f in failed] == ["Lambda.ServiceException"] * 2


def test_throw_is_caught_like_a_real_error(mocked):
    sfn, arn, _ = mocked
    done = run_case(sfn, arn, "DeclinedPath", "declined")
    assert (done["status"], done["error"]) == ("FAILED", "Declined")


def test_a_missing_invocation_fails_the_state_naming_it(mocked):
    sfn, arn, _ = mocked
    done = run_case(sfn, arn, "ShortPath", "short")
    assert (done["status"], done["error"]) == ("FAILED", "States.Runtime")
    assert "has no answer for invocation 1" in done["cause"]


def test_unmocked_states_run_for_real(mocked):
    sfn, arn, _ = mocked
    done = run_case(sfn, arn, "HybridPath", "hybrid")
    assert done["status"] == "SUCCEEDED", done
    assert json.loads(done["output"])["lookup"] == {"stock": 5}, "the real HTTP server answered"


def test_without_a_test_case_nothing_is_mocked(mocked):
    sfn, arn, _ = mocked
    started = sfn.start_execution(stateMachineArn=arn, name="plain", input="{}")
    done = wait_for_execution(sfn, started["executionArn"])
    assert (done["status"], done["error"]) == ("FAILED", "Lambda.ResourceNotFoundException"), done
    lookup = [e for e in history(sfn, done["executionArn"]) if e["type"] == "TaskSucceeded"][0]
    assert json.loads(lookup["taskSucceededEventDetails"]["output"])["ResponseBody"] == {"stock": 5}


def test_an_unknown_test_case_is_refused(mocked):
    sfn, arn, _ = mocked
    with raises_aws("ValidationException"):
        sfn.start_execution(stateMachineArn=f"{arn}#NoSuchCase", input="{}")


def test_express_sync_executions_use_test_cases_too(mocked):
    sfn, _, express = mocked
    out = sfn.start_sync_execution(stateMachineArn=f"{express}#Quick", input="{}")
    assert out["status"] == "SUCCEEDED", out
    assert json.loads(out["output"]) == {"MessageId": "m-1"}
    failed = sfn.start_sync_execution(stateMachineArn=express, input="{}")
    assert failed["status"] == "FAILED"
    assert "SFN_MOCK_CONFIG" in failed["cause"], "the unmocked integration says how to mock it"
    assert "arn:aws:states:::sqs:sendMessage" in failed["cause"]
