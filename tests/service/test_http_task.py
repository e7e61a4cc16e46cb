"""HTTP Tasks (`arn:aws:states:::http:invoke`) through `estado serve`, against a local HTTP
server the test starts: the request that goes out, AWS's result shape, States.Http.StatusCode.NNN
failures that Retry and Catch see."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from sfn_helpers import create_sm, definition, history, run_to_end

pytestmark = pytest.mark.xfail_on_moto("moto does not run HTTP Tasks")

HTTP = "arn:aws:states:::http:invoke"


class Handler(BaseHTTPRequestHandler):
    calls: list[dict] = []

    def _answer(self):
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        call = {
            "method": self.command,
            "path": url.path,
            "query": parse_qs(url.query),
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body": body,
        }
        Handler.calls.append(call)
        if url.path == "/orders":
            is_json = call["headers"].get("content-type", "").startswith("application/json")
            status, payload = 201, {"id": 7, "received": json.loads(body) if is_json else body}
        elif url.path == "/flaky":
            flaky = sum(1 for c in Handler.calls if c["path"] == "/flaky")
            status, payload = (503, {"retry": True}) if flaky < 3 else (200, {"ok": flaky})
        else:
            status, payload = 404, {"message": f"nothing at {url.path}"}
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def api():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def http_task(**params) -> dict:
    return {"Type": "Task", "Resource": HTTP, "Parameters": params}


def test_a_post_with_headers_query_and_body(sfn, api):
    task = http_task(
        **{
            "ApiEndpoint": f"{api}/orders",
            "Method": "POST",
            "Authentication": {"ConnectionArn": "arn:aws:events:us-east-1:123456789012:connection/shop/1"},
            "Headers": {"X-Shop": "north"},
            "QueryParameters": {"dry": "no"},
            "RequestBody": {"item.$": "$.item", "qty": 2},
        }
    )
    _, sm = create_sm(sfn, "http", definition({"Order": {**task, "End": True}}))
    done = run_to_end(sfn, sm, {"item": "book"})
    assert done["status"] == "SUCCEEDED", done
    out = json.loads(done["output"])
    assert (out["StatusCode"], out["StatusText"]) == (201, "Created")
    assert out["ResponseBody"] == {"id": 7, "received": {"item": "book", "qty": 2}}
    assert out["Headers"]["content-type"] == ["application/json"]
    call = [c for c in Handler.calls if c["path"] == "/orders"][-1]
    assert call["query"] == {"dry": ["no"]}
    assert call["headers"]["x-shop"] == "north"
    assert call["headers"]["user-agent"] == "Amazon|StepFunctions|HttpInvoke|us-east-1"

    types = [e["type"] for e in history(sfn, done["executionArn"])]
    assert types == [
        "ExecutionStarted",
        "TaskStateEntered",
        "TaskScheduled",
        "TaskStarted",
        "TaskSucceeded",
        "TaskStateExited",
        "ExecutionSucceeded",
    ]


def test_a_url_encoded_body(sfn, api):
    task = http_task(
        ApiEndpoint=f"{api}/orders",
        Method="PUT",
        RequestBody={"tags": ["a", "b"]},
        Transform={"RequestBodyEncoding": "URL_ENCODED", "RequestEncodingOptions": {"ArrayFormat": "INDICES"}},
    )
    _, sm = create_sm(sfn, "http-form", definition({"Put": {**task, "End": True}}))
    done = run_to_end(sfn, sm, {})
    assert done["status"] == "SUCCEEDED", done
    call = [c for c in Handler.calls if c["method"] == "PUT"][-1]
    assert call["body"] == "tags%5B0%5D=a&tags%5B1%5D=b"
    assert call["headers"]["content-type"] == "application/x-www-form-urlencoded"


def test_status_codes_are_errors_that_retry_and_catch_see(sfn, api):
    flaky = http_task(ApiEndpoint=f"{api}/flaky", Method="GET")
    flaky["Retry"] = [{"ErrorEquals": ["States.Http.StatusCode.503"], "IntervalSeconds": 1, "MaxAttempts": 3, "BackoffRate": 1}]
    flaky["Next"] = "Missing"
    missing = http_task(ApiEndpoint=f"{api}/nothing", Method="GET")
    missing["Catch"] = [{"ErrorEquals": ["States.Http.StatusCode.404"], "ResultPath": "$.caught", "Next": "Done"}]
    missing["End"] = True
    text = definition({"Flaky": flaky, "Missing": missing, "Done": {"Type": "Pass", "End": True}})
    _, sm = create_sm(sfn, "http-errors", text)
    done = run_to_end(sfn, sm, {})
    assert done["status"] == "SUCCEEDED", done
    out = json.loads(done["output"])
    assert out["ResponseBody"] == {"ok": 3}, "two 503s retried, the third call answered"
    assert out["caught"]["Error"] == "States.Http.StatusCode.404"
    cause = json.loads(out["caught"]["Cause"])
    assert cause["StatusCode"] == 404
    assert cause["ResponseBody"] == {"message": "nothing at /nothing"}
    failed = [e for e in history(sfn, done["executionArn"]) if e["type"] == "TaskFailed"]
    assert [f["taskFailedEventDetails"]["error"] for f in failed] == [
        "States.Http.StatusCode.503",
        "States.Http.StatusCode.503",
        "States.Http.StatusCode.404",
    ]
    assert failed[0]["taskFailedEventDetails"]["resourceType"] == "http"
    assert failed[0]["taskFailedEventDetails"]["resource"] == "invoke"
