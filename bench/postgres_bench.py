#!/usr/bin/env python3
"""PostgreSQL benchmark: `estado load --only throughput` against one node and against two nodes
sharing one PostgreSQL database, then the time from a node's death until its executions move on.

Usage: bench/postgres_bench.py --estado target/release/estado [--count 5000] [--runs 3]
       [--pg postgres://postgres@127.0.0.1:5432/postgres] [--lease-seconds 5]
       [--nodes 1,2,3] [--node-cpu 0.25]

Each measurement gets a fresh database (dropped afterwards). Prints one line per figure, with
the CPU the nodes, PostgreSQL and the load generator spent during the timed part of the load
(from the load generator's start until its clock stopped: CPU counters sampled every 20 ms).

`--node-cpu F` runs each node in a cgroup (v1 `cpu` controller; needs root) of its own capped
at F CPUs (`cpu.cfs_quota_us` = F x the 100 ms period): nodes on small machines of their own in
front of a PostgreSQL server with cores to spare. The cgroups are removed afterwards.
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


CGROUP_CPU = "/sys/fs/cgroup/cpu"


class CpuCap:
    """A cgroup v1 `cpu` group capped at `cpus` CPUs; processes join it with `enter_pid`."""

    def __init__(self, cpus, label):
        self.path = os.path.join(CGROUP_CPU, f"estado-bench-{os.getpid()}-{label}")
        os.makedirs(self.path, exist_ok=True)
        with open(os.path.join(self.path, "cpu.cfs_period_us"), "w") as f:
            f.write("100000")
        with open(os.path.join(self.path, "cpu.cfs_quota_us"), "w") as f:
            f.write(str(int(cpus * 100000)))

    def enter(self):
        """Moves the calling process into the group (run in the child before exec)."""
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))

    def throttled(self):
        """(periods throttled, of periods, seconds throttled) so far."""
        stat = {}
        with open(os.path.join(self.path, "cpu.stat")) as f:
            for line in f:
                k, v = line.split()
                stat[k] = int(v)
        return stat.get("nr_throttled", 0), stat.get("nr_periods", 0), stat.get("throttled_time", 0) / 1e9

    def remove(self):
        try:
            os.rmdir(self.path)
        except OSError as e:
            print(f"cannot remove {self.path}: {e}", file=sys.stderr)


class Node:
    def __init__(self, binary, store, lease, work, cap=None):
        self.port = free_port()
        self.cap = cap
        self.log = os.path.join(work, f"node-{self.port}.log")
        self.proc = subprocess.Popen(
            [binary, "serve", "--port", str(self.port), "--store", store,
             "--lease-seconds", str(lease), "--data-dir", os.path.join(work, str(self.port))],
            stdout=subprocess.PIPE, stderr=open(self.log, "ab"), text=True,
            env={**os.environ, "RUST_LOG": "warn"}, preexec_fn=cap.enter if cap else None)
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


def postgres_pids(database):
    """The server's own processes (WAL writer, checkpointer, ...) and the backends connected to
    `database`: backends of other databases (other users of the server) are left out."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid != POSTGRES_UID:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # Backends show "postgres: [CLUSTER: ]USER DATABASE HOST(PORT) STATE", autovacuum
        # workers "postgres: [CLUSTER: ]autovacuum worker DATABASE"; the server's own processes
        # "postgres: [CLUSTER: ]walwriter" and the like; the postmaster its command line.
        words = cmd.split()
        if words and words[0] == "postgres:":
            words = words[1:]
            if words and words[0].endswith(":"):
                words = words[1:]
            if len(words) >= 3 and ("(" in words[2] or words[2] == "[local]"):
                if words[1] != database:
                    continue
            elif words[:2] == ["autovacuum", "worker"] and words[2:3] != [database]:
                continue
        out.append(int(entry))
    return out


def _postgres_uid():
    import pwd
    try:
        return pwd.getpwnam("postgres").pw_uid
    except KeyError:
        return -1


POSTGRES_UID = _postgres_uid()


class CpuSampler:
    """Samples the CPU of the nodes, PostgreSQL (for one database) and the load generator every
    20 ms, so that the CPU of the timed part of a load run can be told from the verification
    reads that follow it."""

    def __init__(self, node_pids, database):
        self.node_pids, self.database = node_pids, database
        self.load_pid = None
        self.samples = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop.is_set():
            self.sample()
            time.sleep(0.02)

    def sample(self):
        pg = postgres_pids(self.database)
        self.samples.append((time.time(), cpu_seconds(self.node_pids), cpu_seconds(pg),
                             cpu_seconds([self.load_pid]) if self.load_pid else 0.0))

    def at(self, t):
        """The last sample taken at or before `t`."""
        best = self.samples[0]
        for s in self.samples:
            if s[0] <= t:
                best = s
        return best

    def finish(self):
        self.stop.set()
        self.thread.join()


class Cluster:
    """A fresh database and `count` nodes on it (each in its own capped cgroup with
    `--node-cpu`); `close` stops them and drops everything."""

    def __init__(self, args, count, work):
        self.db = Database(args.pg)
        self.nodes, self.caps = [], []
        try:
            store = f"{self.db.url}?pool_size={args.pool_size}"
            for i in range(count):
                cap = CpuCap(args.node_cpu, f"node{i}") if args.node_cpu else None
                if cap:
                    self.caps.append(cap)
                self.nodes.append(Node(args.estado, store, args.lease_seconds, work, cap))
        except BaseException:
            self.close()
            raise

    def close(self):
        for n in self.nodes:
            n.kill()
        for c in self.caps:
            c.remove()
        self.db.drop()

    def throttled(self):
        return [c.throttled() for c in self.caps]


def cpu_text(args, executions, wall, cpu, throttled, steps=None):
    """The CPU line of a figure: per execution (and per step), and the caps' throttling."""
    node_cpu, pg_cpu, gen_cpu = cpu
    per = 1000.0 / executions
    text = (f"CPU in the timed {wall:.2f} s: estado serve {node_cpu:.2f} s "
            f"({node_cpu * per:.3f} ms/execution, {node_cpu / wall:.2f} CPUs), "
            f"PostgreSQL {pg_cpu:.2f} s ({pg_cpu * per:.3f} ms/execution, {pg_cpu / wall:.2f} CPUs), "
            f"load generator {gen_cpu:.2f} s")
    if steps:
        text += (f"; per step: estado serve {node_cpu * 1000 / steps:.3f} ms, "
                 f"PostgreSQL {pg_cpu * 1000 / steps:.3f} ms")
    if throttled:
        text += "; nodes capped at {} CPU, throttled in {} periods".format(
            args.node_cpu, ", ".join(f"{t[0]}/{t[1]}" for t in throttled))
    return text


def throttled_between(before, after):
    return [(a[0] - b[0], a[1] - b[1], a[2] - b[2]) for a, b in zip(after, before)]


def throughput(args, nodes_count, work):
    cluster = Cluster(args, nodes_count, work)
    try:
        nodes = cluster.nodes
        cmd = [args.estado, "load", "--only", "throughput", "--count", str(args.count),
               "--concurrency", str(args.concurrency), "--json", "--endpoint", nodes[0].endpoint]
        for n in nodes[1:]:
            cmd += ["--also-endpoint", n.endpoint]
        throttled_before = cluster.throttled()
        sampler = CpuSampler([n.proc.pid for n in nodes], cluster.db.name)
        time.sleep(0.05)
        t0 = time.time()
        load = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        sampler.load_pid = load.pid
        out, err = load.communicate(timeout=900)
        sampler.finish()
        throttled = throttled_between(throttled_before, cluster.throttled())
        try:
            doc = json.loads(out)
        except ValueError:
            raise SystemExit(f"estado load failed: {err[-2000:]}")
        fig = doc["figures"][0]
        if not fig.get("correct"):
            raise SystemExit(f"wrong answers: {fig}")
        # The timed part: from the load generator's start to its clock stopping (its start
        # includes creating the machine, a few milliseconds).
        timed = fig["details"]["completed_seconds"]
        start, end = sampler.at(t0), sampler.at(t0 + timed)
        wall = end[0] - start[0]
        cpu = cpu_text(args, args.count, wall, [end[i] - start[i] for i in (1, 2, 3)], throttled)
        return fig["value"], f'{fig["text"]}; {cpu}', doc.get("load_average_before")
    finally:
        cluster.close()


def loop_definition(rounds):
    """`rounds` rounds of Pass, Choice and a zero-second Wait: each round after the first is one
    step (a timer row claimed, the states run, the next timer committed)."""
    return {
        "StartAt": "Loop",
        "States": {
            "Loop": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Again"},
            "Again": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": rounds, "Next": "Pause"}],
                      "Default": "Done"},
            "Pause": {"Type": "Wait", "Seconds": 0, "Next": "Loop"},
            "Done": {"Type": "Succeed"},
        },
    }


def stepping(args, nodes_count, work):
    """Executions that each take `--rounds` steps through the step loop (claim, run, commit),
    started through the nodes in turn; the figure is steps committed per second from the first
    start until none is RUNNING (polled in the database every 50 ms)."""
    cluster = Cluster(args, nodes_count, work)
    try:
        nodes = cluster.nodes
        sm = call(nodes[0].port, "CreateStateMachine", {
            "name": "stepping", "definition": json.dumps(loop_definition(args.rounds)),
            "roleArn": "arn:aws:iam::123456789012:role/r"})["stateMachineArn"]
        throttled_before = cluster.throttled()
        sampler = CpuSampler([n.proc.pid for n in nodes], cluster.db.name)
        sampler.load_pid = os.getpid()
        time.sleep(0.05)
        t0 = time.time()
        names = iter(range(args.stepping))
        lock = threading.Lock()

        def starter(k):
            while True:
                with lock:
                    i = next(names, None)
                if i is None:
                    return
                out = call(nodes[(i + k) % len(nodes)].port, "StartExecution",
                           {"stateMachineArn": sm, "name": f"s{i}", "input": '{"i": 0}'})
                if "__error" in out:
                    raise SystemExit(f"StartExecution failed: {out}")

        threads = [threading.Thread(target=starter, args=(k,)) for k in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        started = time.time() - t0
        while True:
            running = int(psql(cluster.db.url, "SELECT count(*) FROM executions WHERE status = 'RUNNING'"))
            if running == 0:
                break
            time.sleep(0.05)
        t1 = time.time()
        sampler.finish()
        throttled = throttled_between(throttled_before, cluster.throttled())
        summary = psql(cluster.db.url, "SELECT count(*), count(*) FILTER (WHERE status = 'SUCCEEDED' "
                                       f"AND output = '{{\"i\":{args.rounds}}}') FROM executions")
        total, good = (int(x) for x in summary.split("|"))
        if good != args.stepping or total != args.stepping:
            raise SystemExit(f"stepping: {good} of {total} executions SUCCEEDED with the right output")
        start, end = sampler.at(t0), sampler.at(t1)
        wall = end[0] - start[0]
        steps = args.stepping * args.rounds
        rate = steps / (t1 - t0)
        cpu = cpu_text(args, args.stepping, wall, [end[i] - start[i] for i in (1, 2, 3)], throttled,
                       steps=steps)
        text = (f"{args.stepping} executions of {args.rounds} steps ({steps} steps) completed in "
                f"{t1 - t0:.2f} s = {rate:,.0f} steps/s (all started after {started:.2f} s); "
                f"all SUCCEEDED with the right output; {cpu}")
        return rate, text, open("/proc/loadavg").read().split()[:3]
    finally:
        cluster.close()


def failover(args, work):
    """Two nodes busy with executions that each take many steps; one is killed with SIGKILL.
    The executions it held leases on at that moment are read from the database; each one's
    move-on time is from the kill to the first commit (version change) by the other node."""
    db = Database(args.pg)
    a = b = None
    try:
        a = Node(args.estado, db.url, args.lease_seconds, work)
        b = Node(args.estado, db.url, args.lease_seconds, work)
        sm = call(a.port, "CreateStateMachine", {"name": "failover", "definition": json.dumps(loop_definition(40)),
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
        rows = psql(db.url, "SELECT e.arn, e.version, l.owner FROM executions e "
                            "JOIN leases l ON l.execution_id = e.id WHERE e.status = 'RUNNING'")
        time.sleep(0.5)
        survivor = set(psql(db.url, f"SELECT DISTINCT owner FROM leases "
                                    f"WHERE until > {kill_ms + lease_ms}").splitlines())
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
    ap.add_argument("--stepping", type=int, default=0,
                    help="also measure steps/s: this many executions of --rounds steps each")
    ap.add_argument("--rounds", type=int, default=20, help="steps per execution with --stepping")
    ap.add_argument("--skip-throughput", action="store_true")
    ap.add_argument("--node-cpu", type=float, default=None,
                    help="cap each node at this many CPUs in a cgroup of its own (e.g. 0.25)")
    args = ap.parse_args()
    args.estado = os.path.abspath(args.estado)
    work = tempfile.mkdtemp(prefix="estado-pgbench-")
    print(f"machine: {os.cpu_count()} cores; load average {open('/proc/loadavg').read().split()[:3]}")
    counts = [int(n) for n in args.nodes.split(",")]
    results = {n: [] for n in counts}
    print(f"{args.count} executions of many_small per run, {args.concurrency} connections, "
          f"pool of {args.pool_size} per node"
          + (f", each node capped at {args.node_cpu} CPU" if args.node_cpu else ", nodes not capped"))
    steps = {n: [] for n in counts}
    for run in range(args.runs):
        for nodes in counts:
            if not args.skip_throughput:
                rate, text, load = throughput(args, nodes, work)
                results[nodes].append(rate)
                print(f"run {run + 1}, {nodes} node(s): {rate:,.0f} executions/s  ({text}; load before {load})",
                      flush=True)
            if args.stepping:
                rate, text, load = stepping(args, nodes, work)
                steps[nodes].append(rate)
                print(f"run {run + 1}, {nodes} node(s), stepping: {rate:,.0f} steps/s  ({text}; load after {load})",
                      flush=True)
    for nodes in counts:
        for what, r in (("executions/s", results[nodes]), ("steps/s", steps[nodes])):
            if r:
                print(f"{nodes} node(s): median {statistics.median(r):,.0f} {what} over {len(r)} runs: "
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
