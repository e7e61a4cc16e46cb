#!/usr/bin/env python3
"""Compare `estado serve` binaries on one durable workload, one execution at a time.

    python3 bench/durable_ab.py --workload map_10k --runs 100 OLD_BINARY NEW_BINARY [...]

For each binary, in turn (`--rounds` times, interleaved, so that the machine's load hits all
alike): a fresh `estado serve` on a free port of 127.0.0.1 with a new SQLite data directory, a
STANDARD machine of the workload, 3 warm-up executions, then `--runs` executions, each timed
from StartExecution until DescribeExecution no longer says RUNNING. Prints the median and
fastest time and the server's CPU time per execution (user + system, from /proc, so also what
its other threads did: the writer, the checkpointer, the encoder). Standard library only.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

WORKLOADS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "workloads")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    def __init__(self, port):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def call(self, action, body):
        self.conn.request(
            "POST",
            "/",
            json.dumps(body),
            {
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "AWSStepFunctions." + action,
            },
        )
        r = self.conn.getresponse()
        data = r.read()
        if r.status != 200:
            raise RuntimeError(f"{action}: {r.status} {data[:300]!r}")
        return json.loads(data)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(binary, workload, runs):
    definition = open(os.path.join(WORKLOADS, workload + ".json")).read()
    payload = json.dumps(json.load(open(os.path.join(WORKLOADS, workload + ".input.json"))))
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="estado-ab-") as data:
        server = subprocess.Popen(
            [binary, "serve", "--port", str(port), "--data-dir", data],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.time() + 30
            while True:
                try:
                    client = Client(port)
                    client.call("ListStateMachines", {})
                    break
                except OSError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.05)
            machine = client.call(
                "CreateStateMachine",
                {
                    "name": "ab",
                    "definition": definition,
                    "roleArn": "arn:aws:iam::123456789012:role/ab",
                    "type": "STANDARD",
                },
            )["stateMachineArn"]

            def one(name):
                t = time.perf_counter()
                arn = client.call(
                    "StartExecution",
                    {"stateMachineArn": machine, "name": name, "input": payload},
                )["executionArn"]
                while client.call("DescribeExecution", {"executionArn": arn})["status"] == "RUNNING":
                    pass
                return time.perf_counter() - t

            for i in range(3):
                one(f"warm-{i}")
            cpu0 = cpu_seconds(server.pid)
            times = sorted(one(f"e{i}") for i in range(runs))
            cpu = (cpu_seconds(server.pid) - cpu0) / runs
        finally:
            server.kill()
            server.wait()
    return times[len(times) // 2], times[0], cpu


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--workload", default="choice_loop_10k")
    p.add_argument("--runs", type=int, default=100)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("binaries", nargs="+")
    a = p.parse_args()
    print(f"load average before: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    for r in range(a.rounds):
        for b in a.binaries:
            median, fastest, cpu = measure(b, a.workload, a.runs)
            print(
                f"round {r + 1} {b}: {a.workload} median {median * 1e3:.2f} ms, fastest "
                f"{fastest * 1e3:.2f} ms, server CPU {cpu * 1e3:.2f} ms per execution"
            )
    print(f"load average after: {' '.join(open('/proc/loadavg').read().split()[:3])}")


if __name__ == "__main__":
    sys.exit(main())
