"""Fixtures for the end-to-end suite of `estado serve`, driven by real AWS clients.

The suite runs against one server per session:

* `--target estado` (default): `$ESTADO_BIN serve --port PORT --data-dir DIR --bind 127.0.0.1`
  (binary from `--estado-bin`, else `$ESTADO_BIN`, else `target/debug/estado`), ready once it
  prints `Starting server on port PORT` on stdout.
* `--target moto`: `moto_server -H 127.0.0.1 -p PORT` with state machine execution switched on,
  used as an oracle to shake out mistakes in the tests themselves. Tests where moto deviates
  from AWS carry `@pytest.mark.xfail_on_moto(reason)`, which only applies in that mode.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sfn_helpers import REGION, client_for

REPO = Path(__file__).resolve().parents[2]
READY_TIMEOUT_SECONDS = 20


def pytest_addoption(parser):
    group = parser.getgroup("estado service")
    group.addoption(
        "--target",
        choices=("estado", "moto"),
        default="estado",
        help="server to test: estado (default) or moto (oracle run of the tests themselves)",
    )
    group.addoption(
        "--estado-bin",
        default=os.environ.get("ESTADO_BIN", str(REPO / "target" / "debug" / "estado")),
        help="the estado binary (default: $ESTADO_BIN, else target/debug/estado)",
    )


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "xfail_on_moto(reason): moto deviates from AWS here; expected to fail in --target moto",
    )


def pytest_collection_modifyitems(config, items):
    if config.getoption("--target") != "moto":
        return
    for item in items:
        marker = item.get_closest_marker("xfail_on_moto")
        if marker is not None:
            reason = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            item.add_marker(pytest.mark.xfail(reason=f"moto: {reason}", strict=False))


@dataclass
class Server:
    """A running server under test."""

    target: str
    endpoint: str
    process: subprocess.Popen
    stderr_path: Path
    stdout_lines: list[str] = field(default_factory=list)

    def stderr_since(self, offset: int) -> str:
        try:
            with open(self.stderr_path, "rb") as f:
                f.seek(offset)
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def stderr_size(self) -> int:
        try:
            return self.stderr_path.stat().st_size
        except OSError:
            return 0


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _venv_tool(name: str) -> str:
    """A console script installed beside the running interpreter (the suite's virtualenv)."""
    candidate = Path(sys.executable).parent / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(f"{name} is not installed (run scripts/service-tests)")
    return found


def _start_estado(
    binary: str, workdir: Path, data_dir: Path | None = None, env: dict | None = None
) -> Server:
    if not Path(binary).is_file():
        raise RuntimeError(f"estado binary not found: {binary} (build it or set ESTADO_BIN)")
    port = _free_port()
    if data_dir is None:
        data_dir = workdir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    stderr_path = workdir / "estado-serve.stderr"
    stderr = open(stderr_path, "wb")
    cmd = [binary, "serve", "--port", str(port), "--data-dir", str(data_dir), "--bind", "127.0.0.1"]
    process = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=stderr,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **env} if env else None,
    )
    stderr.close()
    server = Server("estado", f"http://127.0.0.1:{port}", process, stderr_path)

    ready = threading.Event()
    wanted = f"Starting server on port {port}"

    def pump():
        # Keep draining stdout for the whole session so the server never blocks on a full pipe.
        for raw in process.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            server.stdout_lines.append(line)
            if wanted in line:
                ready.set()

    threading.Thread(target=pump, name="estado-stdout", daemon=True).start()
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not ready.wait(0.05):
        if process.poll() is not None or time.monotonic() > deadline:
            why = (
                f"exited with status {process.returncode}"
                if process.poll() is not None
                else f"did not print {wanted!r} within {READY_TIMEOUT_SECONDS} s"
            )
            _stop(process)
            raise RuntimeError(
                f"`{' '.join(cmd)}` {why}.\n--- stdout ---\n"
                + "\n".join(server.stdout_lines)
                + "\n--- stderr ---\n"
                + server.stderr_since(0)
            )
    return server


def _start_moto(workdir: Path) -> Server:
    port = _free_port()
    stderr_path = workdir / "moto.stderr"
    log = open(stderr_path, "wb")
    cmd = [_venv_tool("moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    process = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    log.close()
    endpoint = f"http://127.0.0.1:{port}"
    server = Server("moto", endpoint, process, stderr_path)
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while True:
        try:
            request = urllib.request.Request(
                f"{endpoint}/moto-api/config",
                data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
                method="POST",
            )
            urllib.request.urlopen(request, timeout=2).read()
            return server
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                _stop(process)
                raise RuntimeError("moto_server did not start:\n" + server.stderr_since(0))
            time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def server(request, tmp_path_factory) -> Server:
    """The server under test, started once per session and stopped at the end."""
    workdir = Path(tempfile.mkdtemp(prefix="estado-service-"))
    target = request.config.getoption("--target")
    srv, problem = None, None
    try:
        if target == "moto":
            srv = _start_moto(workdir)
        else:
            srv = _start_estado(request.config.getoption("--estado-bin"), workdir)
    except RuntimeError as e:
        problem = str(e)
    if srv is None:
        shutil.rmtree(workdir, ignore_errors=True)
        pytest.fail(problem, pytrace=False)
    request.config._estado_server = srv
    yield srv
    _stop(srv.process)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def fresh_estado(request):
    """Starts extra `estado serve` processes on a data dir the test chooses (for restarts).

    Returns `start(data_dir, env=None) -> Server` (`env`: extra environment variables); every
    server it started is stopped after the test.
    """
    started = []

    def start(data_dir: Path, env: dict | None = None) -> Server:
        if request.config.getoption("--target") != "estado":
            pytest.fail("this test needs estado itself (moto keeps nothing across restarts)")
        workdir = Path(tempfile.mkdtemp(prefix="estado-restart-"))
        srv = _start_estado(request.config.getoption("--estado-bin"), workdir, data_dir, env)
        started.append((srv, workdir))
        return srv

    yield start
    for srv, workdir in started:
        _stop(srv.process)
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def is_moto(server) -> bool:
    return server.target == "moto"


@pytest.fixture(autouse=True)
def _server_log_for_this_test(request):
    """Remember where the server's log stood when the test began (see the report hook)."""
    srv = getattr(request.config, "_estado_server", None)
    request.node._estado_log_offset = srv.stderr_size() if srv is not None else 0
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        srv = getattr(item.config, "_estado_server", None)
        if srv is not None:
            text = srv.stderr_since(getattr(item, "_estado_log_offset", 0))
            if len(text) > 20_000:
                text = "...\n" + text[-20_000:]
            report.sections.append((f"{srv.target} server log during this test", text or "(empty)"))


@pytest.fixture(scope="session")
def sfn(server):
    """A boto3 Step Functions client pointed at the server."""
    return client_for(server.endpoint, read_timeout=30)


@pytest.fixture(scope="session")
def sfn_long_poll(server):
    """A client whose socket outlives GetActivityTask's 60 s long poll (workers use >= 65 s)."""
    return client_for(server.endpoint, read_timeout=75)


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self):
        return json.loads(self.stdout) if self.stdout.strip() else {}


@pytest.fixture(scope="session")
def aws_cli(server):
    """Runs `aws --endpoint-url ... stepfunctions ARGS` (AWS CLI v1); returns a CliResult."""
    aws = _venv_tool("aws")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
        AWS_DEFAULT_REGION=REGION,
        AWS_DISABLE_HOST_PREFIX_INJECTION="true",
        AWS_MAX_ATTEMPTS="1",
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
    )

    def run(*args: str) -> CliResult:
        cmd = [aws, "--endpoint-url", server.endpoint, "--output", "json", "stepfunctions", *args]
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        return CliResult(done.returncode, done.stdout, done.stderr)

    return run
