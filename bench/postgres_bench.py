#!/usr/bin/env python3
"""PostgreSQL benchmark: `estado load --only throughput` against one node and against two nodes
sharing one PostgreSQL database, then the time from a node's death until its executions move on.

Usage: bench/postgres_bench.py --estado target/release/estado [--count 5000] [--runs 3]
       [--pg postgres://postgres@127.0.0.1:5432/postgres] [--lease-seconds 5]

Each measurement gets a fresh database (dropped afterwards). Prints one line per figure.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "crash"))
from crash_test import call, free_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def psql(url, sql):
    out = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-Atc", sql],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise SystemExit(f"psql failed: {out.stderr}")
    return out.stdout.strip()


class Database:
    def __init__(self, admin):
        self.admin = admin
        self.name = f"estado_bench_{os.getpid()}_{int(time.time() * 1000) % 100000}"
        psql(admin, f"CREATE DATABASE {self.name}")
        self.url = admin.rsplit("/", 1)[0] + "/" + self.name

    def drop(self):
        psql(self.admin, f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)")


class Node:
    def __init__(self, binary, store, lease, work):
        self.port = free_port()
        self.log = os.path.join(work, f"node-{self.port}.log")
        self.proc = subprocess.Popen(
            [binary, "serve", "--port", str(self.port), "--store", store,
             "--lease-seconds", str(lease), "--data-dir", os.path.join(work, str(self.port))],
            stdout=subprocess.PIPE, stderr=open(self.log, "ab"), text=True,
            env={**os.environ, "RUST_LOG": "warn"})
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.proc.stdout.readline()
            if line.startswith("Starting server on port"):
                threading.Thread(target=self.proc.stdout.read, daemon=True).start()
                return
            if self.proc.poll() is not None:
                break
        raise SystemExit(f"node did not start (see {self.log})")

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def cpu_seconds(pids):
    """utime + stime of these processes, in seconds (those gone count 0)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        except (OSError, ValueError, IndexError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def postgres_pids():
    out = subprocess.run(["pgrep", "-u", "postgres"], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def throughput(args, nodes_count, work):
    db = Database(args.pg)
    nodes = []
    try:
        store = f"{db.url}?pool_size={args.pool_size}"
        nodes = [Node(args.estado, store, args.lease_seconds, work) for _ in range(nodes_count)]
        cmd = [args.estado, "load", "--only", "throughput", "--count", str(args.count),
               "--concurrency", str(args.concurrency), "--json", "--endpoint", nodes[0].endpoint]
        for n in nodes[1:]:
            cmd += ["--also-endpoint", n.endpoint]
        node_pids = [n.proc.pid for n in nodes]
        before = (cpu_seconds(node_pids), cpu_seconds(postgres_pids()))
        load = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
        after = (cpu_seconds(node_pids), cpu_seconds(postgres_pids()))
        doc = json.loads(load.stdout)
        fig = doc["figures"][0]
        if not fig.get("correct"):
            raise SystemExit(f"wrong answers: {fig}")
        cpu = (f"CPU during the phase: estado serve {after[0] - before[0]:.2f} s, "
               f"PostgreSQL {after[1] - before[1]:.2f} s")
        return fig["value"], f'{fig["text"]}; {cpu}', doc.get("load_average_before")
    finally:
        for n in nodes:
            n.kill()
        db.drop()


FAILOVER_DEFINITION = {
    "StartAt": "Loop",
    "States": {
        "Loop": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Again"},
        "Again": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": 40, "Next": "Pause"}],
                  "Default": "Done"},
        "Pause": {"Type": "Wait", "Seconds": 0, "Next": "Loop"},
        "Done": {"Type": "Succeed"},
    },
}


def failover(args, work):
    """Two nodes busy with executions that each take many steps; one is killed with SIGKILL.
    The executions it held leases on at that moment are read from the database; each one's
    move-on time is from the kill to the first commit (version change) by the other node."""
    db = Database(args.pg)
    a = b = None
    try:
        a = Node(args.estado, db.url, args.lease_seconds, work)
        b = Node(args.estado, db.url, args.lease_seconds, work)
        sm = call(a.port, "CreateStateMachine", {"name": "failover", "definition": json.dumps(FAILOVER_DEFINITION),
                                                 "roleArn": "arn:aws:iam::123456789012:role/r"})["stateMachineArn"]
        stop = threading.Event()

        def starter(port, prefix):
            i = 0
            while not stop.is_set():
                call(port, "StartExecution", {"stateMachineArn": sm, "name": f"{prefix}{i}", "input": '{"i": 0}'})
                i += 1

        threads = [threading.Thread(target=starter, args=(p, f"{k}-"), daemon=True)
                   for k, p in enumerate([a.port, b.port] * 4)]
        for t in threads:
            t.start()
        time.sleep(3)
        kill_ms = int(time.time() * 1000)
        a.kill()
        stop.set()
        lease_ms = int(args.lease_seconds * 1000)
        # The leases held at the kill, by owner; a moment later the survivor has taken new
        # leases (ending after kill + lease), which names its owner: the others were the dead
        # node's.
        rows = psql(db.url, "SELECT arn, version, lease_owner FROM executions "
                            "WHERE lease_owner IS NOT NULL AND status = 'RUNNING'")
        time.sleep(0.5)
        survivor = set(psql(db.url, f"SELECT DISTINCT lease_owner FROM executions "
                                    f"WHERE lease_until > {kill_ms + lease_ms}").splitlines())
        held = {}
        for line in rows.splitlines():
            arn, version, owner = line.split("|")
            if owner not in survivor:
                held[arn] = version
        moved = {}
        deadline = time.time() + args.lease_seconds + 30
        while len(moved) < len(held) and time.time() < deadline:
            now_ms = int(time.time() * 1000)
            arns = ",".join("'" + x.replace("'", "''") + "'" for x in held if x not in moved)
            for line in psql(db.url, f"SELECT arn, version FROM executions WHERE arn IN ({arns})").splitlines():
                arn, version = line.split("|")
                if version != held[arn] and arn not in moved:
                    moved[arn] = now_ms - kill_ms
            time.sleep(0.02)
        return len(held), sorted(moved.values()), len(held) - len(moved)
    finally:
        for n in (a, b):
            if n:
                n.kill()
        db.drop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--estado", required=True)
    ap.add_argument("--count", type=int, default=5000)
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--lease-seconds", type=float, default=5)
    ap.add_argument("--pg", default=os.environ.get("ESTADO_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres"))
    ap.add_argument("--skip-failover", action="store_true")
    ap.add_argument("--pool-size", type=int, default=16, help="connections per node (pool_size= in the URL)")
    ap.add_argument("--nodes", default="1,2", help="node counts to measure, e.g. 1,2")
    args = ap.parse_args()
    args.estado = os.path.abspath(args.estado)
    work = tempfile.mkdtemp(prefix="estado-pgbench-")
    print(f"machine: {os.cpu_count()} cores; load average {open('/proc/loadavg').read().split()[:3]}")
    counts = [int(n) for n in args.nodes.split(",")]
    results = {n: [] for n in counts}
    print(f"{args.count} executions of many_small per run, {args.concurrency} connections, "
          f"pool of {args.pool_size} per node")
    for run in range(args.runs):
        for nodes in counts:
            rate, text, load = throughput(args, nodes, work)
            results[nodes].append(rate)
            print(f"run {run + 1}, {nodes} node(s): {rate:,.0f} executions/s  ({text}; load before {load})", flush=True)
    for nodes in counts:
        r = results[nodes]
        print(f"{nodes} node(s): median {statistics.median(r):,.0f} executions/s over {len(r)} runs: "
              + ", ".join(f"{x:,.0f}" for x in r))
    if not args.skip_failover:
        held, moved, stuck = failover(args, work)
        if moved:
            print(f"failover: {held} executions leased by the killed node; they moved on after "
                  f"{moved[0] / 1000:.2f} s (first), {statistics.median(moved) / 1000:.2f} s (median), "
                  f"{moved[-1] / 1000:.2f} s (last); {stuck} never moved (lease {args.lease_seconds} s)")
        else:
            print(f"failover: {held} executions were leased by the killed node at its death; {stuck} never moved")
    print(f"logs in {work}")


if __name__ == "__main__":
    main()
