#!/usr/bin/env python3
"""The delivery assistant, end to end, with nothing but Python 3 and Estado.

    python3 examples/delivery/run.py [INPUT.json ...]

Starts `estado serve` with this folder's estado.toml (its Lambda functions run locally),
creates the state machine `entrega` from entrega.asl.json, runs one execution per input
(default: every file in inputs/), prints the path each took and its result, then stops the
server. Uses $ESTADO_BIN when set, else builds estado with cargo. Talks to the server over the
Step Functions API (the same calls as `aws stepfunctions ...`), standard library only.
"""
import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ROLE = "arn:aws:iam::123456789012:role/entrega"


def estado_binary():
    if os.environ.get("ESTADO_BIN"):
        return os.environ["ESTADO_BIN"]
    subprocess.run(["cargo", "build", "-q", "-p", "estado-cli"], cwd=REPO, check=True)
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return str(target / "debug" / "estado")


def call(endpoint, operation, body):
    """One Step Functions API call (AWS JSON 1.0)."""
    req = urllib.request.Request(
        endpoint,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/x-amz-json-1.0",
                 "X-Amz-Target": f"AWSStepFunctions.{operation}"},
    )
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return json.load(resp)
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{operation} failed: {e.code} {e.read().decode()}")


def start_server(binary):
    proc = subprocess.Popen(
        [binary, "serve", "--port", "0", "--store", "memory:", "--config", str(HERE / "estado.toml")],
        stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
        env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn,estado::function=info")},
    )
    line = proc.stdout.readline()
    if not line.startswith("Starting server on port "):
        proc.kill()
        raise SystemExit(f"estado serve did not start: {line!r}")
    return proc, f"http://127.0.0.1:{int(line.split()[-1])}"


def run(endpoint, sm_arn, input_path):
    doc = json.loads(Path(input_path).read_text(encoding="utf-8"))
    started = call(endpoint, "StartExecution", {"stateMachineArn": sm_arn, "input": json.dumps(doc)})
    arn = started["executionArn"]
    deadline = time.monotonic() + 30
    while True:
        desc = call(endpoint, "DescribeExecution", {"executionArn": arn})
        if desc["status"] != "RUNNING":
            break
        if time.monotonic() > deadline:
            raise SystemExit(f"{arn} is still running after 30 s")
        time.sleep(0.05)
    events = call(endpoint, "GetExecutionHistory", {"executionArn": arn})["events"]
    path = [e["stateEnteredEventDetails"]["name"] for e in events if "stateEnteredEventDetails" in e]
    return desc, path


def main():
    sys.stdout.reconfigure(line_buffering=True)
    inputs = sys.argv[1:] or sorted(str(p) for p in (HERE / "inputs").glob("*.json"))
    proc, endpoint = start_server(estado_binary())
    try:
        definition = (HERE / "entrega.asl.json").read_text(encoding="utf-8")
        sm = call(endpoint, "CreateStateMachine",
                  {"name": "entrega", "definition": definition, "roleArn": ROLE})["stateMachineArn"]
        print(f"state machine {sm}")
        for path in inputs:
            desc, states = run(endpoint, sm, path)
            print(f"\n{Path(path).name}: {desc['status']}")
            print("  " + " -> ".join(states))
            if desc["status"] == "SUCCEEDED":
                print("  output: " + desc["output"])
            else:
                print(f"  error: {desc.get('error')}; cause: {desc.get('cause')}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


if __name__ == "__main__":
    main()
