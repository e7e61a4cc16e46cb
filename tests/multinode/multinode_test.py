#!/usr/bin/env python3
"""Several `estado serve` nodes on one PostgreSQL database (standard library and psql only).

Creates a throwaway database, starts three nodes on it (different ports), starts N executions
of a state machine mixing Pass, Choice, Wait, Map and Parallel through all three nodes in turn,
kills one node with SIGKILL in the middle (it stays dead), then checks through the surviving
nodes that every execution ended exactly once with the right output and a valid history: event
ids 1..n consecutive, ExecutionStarted first, exactly one terminal event, last.

It also runs an activity across nodes: executions started through one node, a worker whose
GetActivityTask long polls go to another node, answers sent to the third; each poll must get
its task well before the long poll's 60 s end (NOTIFY reaches the polling node). And a machine
updated, then deleted, through one node: that node starts the new definition (and refuses the
deleted machine) at once, another node, which keeps machine records to start executions,
within 2 s.

Skips (exit 0, saying why) when no PostgreSQL server is reachable.

Usage: multinode_test.py --estado target/debug/estado [--executions 2000] [--pg URL]
Prints `N passed, M failed` last; exit status 0 only when every check passes.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "crash"))
from crash_test import DEFINITION, call, expected_output, free_port  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/r"
ACTIVITY_DEFINITION = {
    "StartAt": "Work",
    "States": {
        "Work": {"Type": "Task", "Resource": None, "TimeoutSeconds": 120, "Next": "Done"},
        "Done": {"Type": "Pass", "Parameters": {"worked.$": "$.worked"}, "End": True},
    },
}


def psql(admin_url, sql):
    try:
        return subprocess.run(["psql", admin_url, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
                              capture_output=True, text=True, timeout=60)
    except (FileNotFoundError, subprocess.TimeoutExpired) as e:
        return subprocess.CompletedProcess([], 1, "", f"psql: {e}")


class Node:
    def __init__(self, binary, store, work_dir, index, scale, lease):
        self.binary, self.store, self.scale, self.lease = binary, store, scale, lease
        self.port = free_port()
        self.log = os.path.join(work_dir, f"node{index}.log")
        self.data_dir = os.path.join(work_dir, f"node{index}")
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--port", str(self.port), "--data-dir", self.data_dir,
             "--store", self.store, "--wait-time-scale", str(self.scale),
             "--lease-seconds", str(self.lease)],
            stdout=subprocess.PIPE, stderr=open(self.log, "ab"), text=True)
        return self

    def wait_ready(self):
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith("Starting server on port"):
                threading.Thread(target=self.proc.stdout.read, daemon=True).start()
                return
            if self.proc.poll() is not None:
                break
        raise SystemExit(f"node did not start (see {self.log})")

    def kill(self):
        self.proc.kill()
        self.proc.wait()


def history(port, arn):
    events, token = [], None
    while True:
        body = {"executionArn": arn, "maxResults": 1000}
        if token:
            body["nextToken"] = token
        page = call(port, "GetExecutionHistory", body)
        events += page.get("events", [])
        token = page.get("nextToken")
        if not token:
            return events


def history_problems(events):
    problems = []
    ids = [e["id"] for e in events]
    if ids != list(range(1, len(ids) + 1)):
        problems.append("event ids not consecutive from 1")
    if not events or events[0]["type"] != "ExecutionStarted":
        problems.append("first event is not ExecutionStarted")
    terminal = [e for e in events if e["type"] in (
        "ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut")]
    if len(terminal) != 1 or events[-1] is not terminal[0]:
        problems.append(f"{len(terminal)} terminal events")
    return problems


def activity_round(nodes, count):
    """Executions started through nodes[0], polled on nodes[1], answered through nodes[2]."""
    starter, poller, answerer = nodes
    act = call(starter.port, "CreateActivity", {"name": "relay"})["activityArn"]
    definition = json.loads(json.dumps(ACTIVITY_DEFINITION))
    definition["States"]["Work"]["Resource"] = act
    sm_arn = call(starter.port, "CreateStateMachine", {
        "name": "relay", "definition": json.dumps(definition), "roleArn": ROLE})["stateMachineArn"]
    problems, waits = [], []

    def worker():
        for _ in range(count):
            t0 = time.time()
            task = call(poller.port, "GetActivityTask", {"activityArn": act, "workerName": "w"})
            waits.append(time.time() - t0)
            if not task.get("taskToken"):
                problems.append("a long poll ended without a task")
                return
            n = json.loads(task["input"])["n"]
            call(answerer.port, "SendTaskSuccess", {"taskToken": task["taskToken"],
                                                    "output": json.dumps({"worked": n * 10})})

    thread = threading.Thread(target=worker)
    thread.start()
    arns = []
    for i in range(count):
        # Give the poll time to be waiting on the other node before the task exists.
        time.sleep(0.3)
        arns.append(call(starter.port, "StartExecution", {
            "stateMachineArn": sm_arn, "name": f"a{i}", "input": json.dumps({"n": i})})["executionArn"])
    thread.join(timeout=120)
    for i, arn in enumerate(arns):
        deadline = time.time() + 60
        while time.time() < deadline:
            d = call(answerer.port, "DescribeExecution", {"executionArn": arn})
            if d.get("status") != "RUNNING":
                break
            time.sleep(0.2)
        if d.get("status") != "SUCCEEDED" or json.loads(d["output"]) != {"worked": i * 10}:
            problems.append(f"activity execution a{i}: {d.get('status')} {d.get('output')}")
    slowest = max(waits) if waits else None
    if slowest is not None and slowest > 10:
        problems.append(f"a task created on another node reached the long poll after {slowest:.1f} s")
    return problems, slowest


def pass_definition(result):
    return json.dumps({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": result, "End": True}}})


def machine_round(a, b):
    """A machine updated and deleted through node a: a starts executions of the new definition
    at once and refuses to start a deleted machine at once; node b (which read the machine to
    start an execution just before) follows within 2 s. Returns (problems, seconds b took to see
    the update, seconds b took to see the delete)."""
    problems = []
    sm = call(a.port, "CreateStateMachine", {"name": "changing", "definition": pass_definition("v1"),
                                             "roleArn": ROLE})["stateMachineArn"]
    counter = [0]

    def output_of_start(node):
        counter[0] += 1
        out = call(node.port, "StartExecution", {"stateMachineArn": sm, "name": f"c{counter[0]}"})
        if "__error" in out:
            return out["__error"].get("__type", "").split("#")[-1]
        d = call(node.port, "DescribeExecution", {"executionArn": out["executionArn"]})
        return json.loads(d["output"]) if d.get("output") else d.get("status")

    if output_of_start(b) != "v1" or output_of_start(b) != "v1":
        problems.append("node b did not start the first definition")
    call(a.port, "UpdateStateMachine", {"stateMachineArn": sm, "definition": pass_definition("v2")})
    if (got := output_of_start(a)) != "v2":
        problems.append(f"node a started {got!r} right after its own update, not 'v2'")

    def until(node, wanted):
        t0 = time.time()
        while time.time() - t0 < 10:
            if output_of_start(node) == wanted:
                return time.time() - t0
            time.sleep(0.01)
        return None

    seen_update = until(b, "v2")
    if seen_update is None or seen_update > 2:
        problems.append(f"node b started the old definition for {seen_update or 'over 10'} s after the update")
    call(a.port, "DeleteStateMachine", {"stateMachineArn": sm})
    if (got := output_of_start(a)) != "StateMachineDoesNotExist":
        problems.append(f"node a answered {got!r} to a start right after deleting the machine")
    seen_delete = until(b, "StateMachineDoesNotExist")
    if seen_delete is None or seen_delete > 2:
        problems.append(f"node b started a deleted machine for {seen_delete or 'over 10'} s")
    return problems, seen_update, seen_delete


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--estado", required=True)
    ap.add_argument("--executions", type=int, default=2000)
    ap.add_argument("--nodes", type=int, default=3)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--time-scale", type=float, default=0.05)
    ap.add_argument("--lease-seconds", type=float, default=3)
    ap.add_argument("--pg", default=os.environ.get("ESTADO_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"))
    args = ap.parse_args()
    rng = random.Random(args.seed)

    probe = psql(args.pg, "SELECT 1")
    if probe.returncode != 0:
        print(f"SKIPPED multinode test: PostgreSQL is not reachable at {args.pg} "
              f"({probe.stderr.strip() or 'psql failed'}); set ESTADO_TEST_POSTGRES to run it")
        return 0
    db = f"estado_multinode_{os.getpid()}"
    created = psql(args.pg, f"CREATE DATABASE {db}")
    if created.returncode != 0:
        raise SystemExit(f"cannot create the test database: {created.stderr}")
    store = args.pg.rsplit("/", 1)[0] + "/" + db
    work_dir = tempfile.mkdtemp(prefix="estado-multinode-")
    binary = os.path.abspath(args.estado)
    nodes = []
    try:
        # All at once: the first start migrates under the advisory lock, the others wait.
        nodes = [Node(binary, store, work_dir, i, args.time_scale, args.lease_seconds).start()
                 for i in range(args.nodes)]
        for n in nodes:
            n.wait_ready()
        return run(args, rng, nodes)
    finally:
        for n in nodes:
            if n.proc and n.proc.poll() is None:
                n.kill()
        psql(args.pg, f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
        print(f"logs in {work_dir}")


def run(args, rng, nodes):
    first = nodes[0]
    sm_arn = call(first.port, "CreateStateMachine", {
        "name": "crash", "definition": json.dumps(DEFINITION), "roleArn": ROLE})["stateMachineArn"]
    inputs = {f"e{i}": 1 + i % 4 for i in range(args.executions)}
    victim = nodes[-1]
    killed_at = []

    def killer():
        time.sleep(rng.uniform(1.5, 3.0))
        victim.kill()
        killed_at.append(time.time())

    killer_thread = threading.Thread(target=killer)
    killer_thread.start()

    def start(item):
        i, name = item
        # Through each node in turn; a node that is down (killed) sends the retry to the next.
        for attempt in range(len(nodes) * 40):
            node = nodes[(i + attempt) % len(nodes)]
            out = call(node.port, "StartExecution", {"stateMachineArn": sm_arn, "name": name,
                                                     "input": json.dumps({"n": inputs[name]})}, retries=1) \
                if node.proc.poll() is None else None
            if out is None:
                continue
            if "__error" in out and out["__error"].get("__type", "").split("#")[-1] != "ExecutionAlreadyExists":
                raise RuntimeError(f"start {name}: {out}")
            return
        raise RuntimeError(f"start {name}: no node answered")

    def safe_call_start(item):
        try:
            start(item)
        except RuntimeError:
            # `call` raised because the node died mid-request: try the others.
            start((item[0] + 1, item[1]))

    t0 = time.time()
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(safe_call_start, enumerate(inputs)))
    killer_thread.join()
    survivors = [n for n in nodes if n is not victim]

    arns = {name: f"arn:aws:states:us-east-1:123456789012:execution:crash:{name}" for name in inputs}
    pending = set(inputs)
    deadline = time.time() + 600
    while pending and time.time() < deadline:
        for k, name in enumerate(list(pending)):
            d = call(survivors[k % len(survivors)].port, "DescribeExecution", {"executionArn": arns[name]})
            if d.get("status") not in (None, "RUNNING"):
                pending.discard(name)
        if pending:
            time.sleep(0.5)
    elapsed = time.time() - t0

    passed, failed = 0, 0
    for k, (name, n) in enumerate(inputs.items()):
        port = survivors[k % len(survivors)].port
        problems = []
        d = call(port, "DescribeExecution", {"executionArn": arns[name]})
        if d.get("status") != "SUCCEEDED":
            problems.append(f"status {d.get('status')} {d.get('error')} {d.get('cause')}")
        elif json.loads(d["output"]) != expected_output(n):
            problems.append(f"output {d['output']}")
        problems += history_problems(history(port, arns[name]))
        if problems:
            failed += 1
            if failed <= 10:
                print(f"FAIL {name}: {'; '.join(problems)}")
        else:
            passed += 1

    problems, slowest = activity_round(survivors[:2] + survivors[:1], 5) if len(survivors) >= 2 else ([], None)
    for p in problems:
        print(f"FAIL activity: {p}")
    if problems:
        failed += 1
    else:
        passed += 1
    seen = (None, None)
    if len(survivors) >= 2:
        problems, *seen = machine_round(survivors[0], survivors[1])
        for p in problems:
            print(f"FAIL machine change: {p}")
        if problems:
            failed += 1
        else:
            passed += 1
    print(f"multinode test: {args.executions} executions over {len(nodes)} nodes on one PostgreSQL, "
          f"node on port {victim.port} killed with SIGKILL, all ended in {elapsed:.1f} s; "
          f"activity tasks reached a long poll on another node within {slowest or 0:.2f} s; "
          f"another node started a machine's new definition {seen[0] or 0:.2f} s after its update "
          f"and refused a deleted machine {seen[1] or 0:.2f} s after its deletion")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
