#!/usr/bin/env python3
"""Crash test for `estado serve` (standard library only).

Starts a real server on a SQLite data dir, starts N executions of a state machine mixing Pass,
Choice, Wait, Map and Parallel through the HTTP API, kills the server with SIGKILL at random
moments several times (restarting it on the same data dir each time), then checks that every
execution ended exactly once with the right output and a valid history: event ids 1..n
consecutive, ExecutionStarted first, exactly one terminal event, last.

Usage: crash_test.py --estado target/debug/estado [--executions 2000] [--kills 4] [--seed 7]
Prints `N passed, M failed` last; exit status 0 only when every execution checks out.
"""
import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

DEFINITION = {
    "StartAt": "Prepare",
    "States": {
        "Prepare": {"Type": "Pass", "Parameters": {"n.$": "$.n", "items.$": "States.ArrayRange(1, $.n, 1)"}, "Next": "Nap"},
        "Nap": {"Type": "Wait", "SecondsPath": "$.n", "Next": "Each"},
        "Each": {
            "Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ResultPath": "$.doubled", "Next": "Both",
            "ItemProcessor": {"StartAt": "Rest", "States": {
                "Rest": {"Type": "Wait", "Seconds": 1, "Next": "Double"},
                "Double": {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($, $)"}, "End": True}}},
        },
        "Both": {"Type": "Parallel", "ResultPath": "$.both", "Next": "Size", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": True}}},
            {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 1, "End": True}}}]},
        "Size": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 2, "Next": "Big"}], "Default": "Small"},
        "Big": {"Type": "Pass", "Parameters": {"size": "big", "doubled.$": "$.doubled"}, "End": True},
        "Small": {"Type": "Pass", "Parameters": {"size": "small", "doubled.$": "$.doubled"}, "End": True},
    },
}


def expected_output(n):
    return {"size": "big" if n > 2 else "small", "doubled": [{"v": 2 * i} for i in range(1, n + 1)]}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, binary, data_dir, port, scale):
        self.binary, self.data_dir, self.port, self.scale = binary, data_dir, port, scale
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--port", str(self.port), "--data-dir", self.data_dir, "--wait-time-scale", str(self.scale)],
            stdout=subprocess.PIPE, stderr=open(os.path.join(self.data_dir, "server.log"), "ab"), text=True)
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith("Starting server on port"):
                threading.Thread(target=self.proc.stdout.read, daemon=True).start()
                return
            if self.proc.poll() is not None:
                break
        raise SystemExit(f"server did not start (see {self.data_dir}/server.log)")

    def kill(self):
        self.proc.kill()
        self.proc.wait()


def call(port, action, body, retries=200):
    data = json.dumps(body).encode()
    for _ in range(retries):
        req = urllib.request.Request(f"http://127.0.0.1:{port}/", data=data, method="POST", headers={
            "X-Amz-Target": f"AWSStepFunctions.{action}", "Content-Type": "application/x-amz-json-1.0"})
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                return json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            payload = json.loads(e.read() or b"{}")
            if e.code < 500:
                return {"__error": payload}
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass  # the server is down (being killed/restarted): try again
        time.sleep(0.05)
    raise RuntimeError(f"{action} never succeeded")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--estado", required=True)
    ap.add_argument("--executions", type=int, default=2000)
    ap.add_argument("--kills", type=int, default=4)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--time-scale", type=float, default=0.05)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    data_dir = tempfile.mkdtemp(prefix="estado-crash-")
    server = Server(os.path.abspath(args.estado), data_dir, free_port(), args.time_scale)
    server.start()
    sm = call(server.port, "CreateStateMachine", {
        "name": "crash", "definition": json.dumps(DEFINITION), "roleArn": "arn:aws:iam::123456789012:role/r"})
    sm_arn = sm["stateMachineArn"]
    inputs = {f"e{i}": 1 + i % 4 for i in range(args.executions)}

    stop_killing = threading.Event()

    def killer():
        for _ in range(args.kills):
            if stop_killing.wait(rng.uniform(0.5, 2.5)):
                return
            server.kill()
            time.sleep(rng.uniform(0.0, 0.3))
            server.start()

    killer_thread = threading.Thread(target=killer)
    killer_thread.start()

    def start(name):
        out = call(server.port, "StartExecution", {"stateMachineArn": sm_arn, "name": name, "input": json.dumps({"n": inputs[name]})})
        # A start whose answer was lost in a crash is retried: the same name and input give the
        # same execution, or ExecutionAlreadyExists once it has finished.
        if "__error" in out and out["__error"].get("__type", "").split("#")[-1] != "ExecutionAlreadyExists":
            raise RuntimeError(f"start {name}: {out}")

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(start, inputs))
    killer_thread.join()
    stop_killing.set()

    # Wait for everything to finish.
    deadline = time.time() + 300
    arns = {name: f"arn:aws:states:us-east-1:123456789012:execution:crash:{name}" for name in inputs}
    pending = set(inputs)
    while pending and time.time() < deadline:
        for name in list(pending):
            d = call(server.port, "DescribeExecution", {"executionArn": arns[name]})
            if d.get("status") not in (None, "RUNNING"):
                pending.discard(name)
        if pending:
            time.sleep(0.5)

    passed, failed = 0, 0
    for name, n in inputs.items():
        problems = []
        d = call(server.port, "DescribeExecution", {"executionArn": arns[name]})
        if d.get("status") != "SUCCEEDED":
            problems.append(f"status {d.get('status')} {d.get('error')} {d.get('cause')}")
        elif json.loads(d["output"]) != expected_output(n):
            problems.append(f"output {d['output']}")
        events, token = [], None
        while True:
            body = {"executionArn": arns[name], "maxResults": 1000}
            if token:
                body["nextToken"] = token
            page = call(server.port, "GetExecutionHistory", body)
            events += page.get("events", [])
            token = page.get("nextToken")
            if not token:
                break
        ids = [e["id"] for e in events]
        if ids != list(range(1, len(ids) + 1)):
            problems.append("event ids not consecutive from 1")
        if not events or events[0]["type"] != "ExecutionStarted":
            problems.append("first event is not ExecutionStarted")
        terminal = [e for e in events if e["type"] in ("ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut")]
        if len(terminal) != 1 or events[-1] is not terminal[0]:
            problems.append(f"{len(terminal)} terminal events")
        if problems:
            failed += 1
            if failed <= 10:
                print(f"FAIL {name}: {'; '.join(problems)}")
        else:
            passed += 1
    server.kill()
    print(f"crash test: {args.executions} executions, {args.kills} kill -9 restarts, data in {data_dir}")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
