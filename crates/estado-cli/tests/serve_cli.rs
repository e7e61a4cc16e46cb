//! `estado serve` as a process: the ready line, /health, the API, data that outlives a
//! restart, SIGTERM/SIGINT exiting 0, and bad settings exiting 2.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// A fresh directory for this test.
/// A fresh directory, unique per call: tests run in parallel and must not share (or delete)
/// each other's directories.
fn temp_dir(name: &str) -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "estado-serve-cli-{}-{name}-{n}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir
}

struct Server {
    child: Child,
    port: u16,
    /// Kept open so the server never writes to a closed pipe.
    _stdout: BufReader<ChildStdout>,
}

/// Starts `estado serve --port 0 ARGS...` in `dir` and waits for its ready line.
fn start(dir: &PathBuf, args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_estado"))
        .arg("serve")
        .args(["--port", "0"])
        .args(args)
        .current_dir(dir)
        .env_remove("ESTADO_PORT")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run estado: {e}"));
    let mut stdout = BufReader::new(child.stdout.take().unwrap_or_else(|| panic!("no stdout")));
    let mut line = String::new();
    stdout
        .read_line(&mut line)
        .unwrap_or_else(|e| panic!("reading the ready line: {e}"));
    let port = line
        .trim_end()
        .strip_prefix("Starting server on port ")
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"));
    assert_ne!(port, 0, "the real port is printed");
    Server {
        child,
        port,
        _stdout: stdout,
    }
}

impl Server {
    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([format!("-{name}"), self.child.id().to_string()])
            .status()
            .unwrap_or_else(|e| panic!("kill: {e}"));
        assert!(status.success());
    }

    /// Waits (at most 20 s) for the process to exit and returns its code.
    fn wait(mut self) -> i32 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
                return status.code().unwrap_or(-1);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("estado serve did not exit");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One HTTP/1.1 request; returns the status and the body.
    fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> (u16, String) {
        let mut stream =
            TcpStream::connect(("127.0.0.1", self.port)).unwrap_or_else(|e| panic!("{e}"));
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        req.push_str(body);
        stream
            .write_all(req.as_bytes())
            .unwrap_or_else(|e| panic!("{e}"));
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .unwrap_or_else(|e| panic!("{e}"));
        let status = answer
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("not HTTP: {answer:?}"));
        let body = answer
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (status, body)
    }

    fn call(&self, op: &str, body: &str) -> (u16, String) {
        let target = format!("AWSStepFunctions.{op}");
        self.http(
            "POST",
            "/",
            &[
                ("X-Amz-Target", &target),
                ("Content-Type", "application/x-amz-json-1.0"),
            ],
            body,
        )
    }
}

#[test]
fn it_prints_the_ready_line_answers_health_and_exits_0_on_sigterm() {
    let dir = temp_dir("health");
    let server = start(&dir, &["--data-dir", "data"]);
    assert_eq!(
        server.http("GET", "/health", &[], ""),
        (200, r#"{"status":"ok"}"#.to_owned())
    );
    server.signal("TERM");
    assert_eq!(server.wait(), 0);
    assert!(
        dir.join("data/estado.db").is_file(),
        "the default store is in the data directory"
    );
}

/// The server runs without transparent huge pages (see `no_huge_pages` in serve.rs), whatever
/// the machine's setting: the kernel reports the process's flag in `/proc/PID/status`.
#[cfg(target_os = "linux")]
#[test]
fn it_runs_without_transparent_huge_pages() {
    let dir = temp_dir("thp");
    let server = start(&dir, &["--data-dir", "data"]);
    let status = std::fs::read_to_string(format!("/proc/{}/status", server.child.id()))
        .unwrap_or_else(|e| panic!("reading the server's status: {e}"));
    let flag = status.lines().find(|l| l.starts_with("THP_enabled:"));
    server.signal("TERM");
    assert_eq!(server.wait(), 0);
    // Kernels before 5.0 do not report the flag; there is nothing to check then.
    if let Some(flag) = flag {
        assert_eq!(flag.split_whitespace().nth(1), Some("0"), "{flag}");
    }
}

#[test]
fn sigint_stops_it_as_well() {
    let dir = temp_dir("sigint");
    let server = start(&dir, &["--store", "memory:"]);
    server.signal("INT");
    assert_eq!(server.wait(), 0);
}

#[test]
fn state_machines_outlive_a_restart() {
    let dir = temp_dir("restart");
    let definition =
        r#"{\"StartAt\": \"P\", \"States\": {\"P\": {\"Type\": \"Pass\", \"End\": true}}}"#;
    let create = format!(
        r#"{{"name": "Kept", "definition": "{definition}", "roleArn": "arn:aws:iam::123456789012:role/r"}}"#
    );
    let server = start(&dir, &["--data-dir", "d", "--region", "eu-west-1"]);
    let (status, body) = server.call("CreateStateMachine", &create);
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("arn:aws:states:eu-west-1:123456789012:stateMachine:Kept"),
        "{body}"
    );
    server.signal("TERM");
    assert_eq!(server.wait(), 0);

    let server = start(&dir, &["--data-dir", "d", "--region", "eu-west-1"]);
    let (status, body) = server.call("ListStateMachines", "{}");
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"name\":\"Kept\""), "{body}");
    server.signal("TERM");
    assert_eq!(server.wait(), 0);
}

#[test]
fn settings_come_from_estado_toml() {
    let dir = temp_dir("toml");
    std::fs::write(
        dir.join("estado.toml"),
        "[server]\nstore = \"memory:\"\naccount = \"000000000000\"\n\n[functions.f]\nhandler = \"f.py:h\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("f.py"), "def h(e, c):\n    return e\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let server = start(&dir, &[]);
    let (status, body) = server.call("CreateActivity", r#"{"name": "w"}"#);
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("arn:aws:states:us-east-1:000000000000:activity:w"),
        "{body}"
    );
    server.signal("TERM");
    assert_eq!(server.wait(), 0);
}

/// Runs `estado serve ARGS` expecting it to fail at once; returns (code, stderr).
fn fails(args: &[&str]) -> (i32, String) {
    let dir = temp_dir("fails");
    let out = Command::new(env!("CARGO_BIN_EXE_estado"))
        .arg("serve")
        .args(args)
        .current_dir(&dir)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "",
        "nothing on stdout"
    );
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn an_unreachable_postgres_store_fails_at_start_without_showing_its_password() {
    // Port 9 (discard) has no PostgreSQL server.
    let url = "postgres://estado:secret@127.0.0.1:9/estado";
    let (code, stderr) = fails(&["--port", "0", "--store", url]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot open the store postgres://estado:***@127.0.0.1:9/estado")
            && stderr.contains("error connecting to server"),
        "{stderr}"
    );
    assert!(!stderr.contains("secret"), "{stderr}");
}

#[test]
fn bad_settings_exit_2() {
    let (code, stderr) = fails(&["--port", "0", "--config", "missing.toml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("missing.toml"), "{stderr}");
    let (code, stderr) = fails(&["--port", "0", "--account", "abc"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("invalid account"), "{stderr}");
    let dir = temp_dir("badfn");
    let file = dir.join("estado.toml");
    std::fs::write(&file, "[functions.f]\nhandler = \"nowhere.py:h\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let (code, stderr) = fails(&["--port", "0", "--config", &file.to_string_lossy()]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("[functions.f]") && stderr.contains("does not exist"),
        "{stderr}"
    );
}
