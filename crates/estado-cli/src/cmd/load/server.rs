//! The server under load: either one this command spawned (`estado serve` of this same binary,
//! on a free port of 127.0.0.1, with its own SQLite data directory) or one already running at
//! a loopback endpoint.
//!
//! A spawned server is killed when its [`Server`] is dropped (also when a phase fails or times
//! out), and a temporary data directory is removed with it.

use std::fs::File;
use std::io::{BufRead as _, BufReader};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context as _};
use reqwest::Url;

/// How long a spawned server has to print its `Starting server on port P` line.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The line `estado serve` prints once it listens.
const READY_PREFIX: &str = "Starting server on port ";

pub struct Server {
    pub endpoint: Url,
    /// The server's process, when known (always for a spawned one): its memory is read from
    /// `/proc/<pid>/status`.
    pub pid: Option<u32>,
    /// The server's data directory, when known (for its size on disk).
    pub data_dir: Option<PathBuf>,
    spawned: Option<Spawned>,
}

struct Spawned {
    child: Child,
    log: PathBuf,
    /// Removed on drop: the directory was made for this server alone.
    temporary: Option<PathBuf>,
}

impl Server {
    /// A server already running at `endpoint`, which must be a loopback `http://` URL: load is
    /// never sent anywhere else.
    pub fn attach(endpoint: &str, pid: Option<u32>) -> anyhow::Result<Server> {
        let url = Url::parse(endpoint).with_context(|| format!("{endpoint:?} is not a URL"))?;
        if url.scheme() != "http" {
            bail!("--endpoint {endpoint}: only http:// endpoints are supported");
        }
        let host = url.host_str().unwrap_or("");
        // `host_str` writes IPv6 addresses in brackets.
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let loopback = host.eq_ignore_ascii_case("localhost")
            || bare.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback());
        if !loopback {
            bail!(
                "--endpoint {endpoint}: the load goes to this machine only (127.0.0.0/8, \
                 localhost or [::1])"
            );
        }
        Ok(Server {
            endpoint: url,
            pid,
            data_dir: None,
            spawned: None,
        })
    }

    /// Starts `estado serve` (this executable) on a free port of 127.0.0.1. Its data goes to
    /// `parent/label` when `parent` is given (kept afterwards), otherwise to a temporary
    /// directory removed when the server is dropped.
    pub fn spawn(parent: Option<&Path>, label: &str) -> anyhow::Result<Server> {
        let exe = std::env::current_exe().context("cannot find this executable")?;
        let (dir, temporary) = match parent {
            Some(p) => (p.join(label), None),
            None => {
                let nanos = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map(|d| d.subsec_nanos())
                    .unwrap_or(0);
                let d = std::env::temp_dir().join(format!(
                    "estado-load-{}-{label}-{nanos:x}",
                    std::process::id()
                ));
                (d.clone(), Some(d))
            }
        };
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let log = dir.join("serve.log");
        let log_file =
            File::create(&log).with_context(|| format!("cannot create {}", log.display()))?;
        let store = format!("sqlite:{}", dir.join("estado.db").display());
        let mut child = Command::new(exe)
            .args([
                "serve",
                "--bind",
                "127.0.0.1",
                "--port",
                "0",
                "--store",
                &store,
            ])
            .arg("--data-dir")
            .arg(&dir)
            // Wait states really wait (the memory phase parks executions for an hour).
            .args(["--wait-time-scale", "1"])
            // Run where no estado.toml is, so that no settings file changes the server.
            .current_dir(&dir)
            .env("RUST_LOG", "warn")
            .env_remove("ESTADO_ACCESS_KEY_ID")
            .env_remove("ESTADO_SECRET_ACCESS_KEY")
            .env_remove("ESTADO_CONFIG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .context("cannot start `estado serve`")?;
        let mut server = Server {
            endpoint: Url::parse("http://127.0.0.1/")?,
            pid: Some(child.id()),
            data_dir: Some(dir),
            spawned: None,
        };
        let stdout = child.stdout.take();
        server.spawned = Some(Spawned {
            child,
            log,
            temporary,
        });
        let Some(stdout) = stdout else {
            bail!("`estado serve` has no standard output");
        };
        let port = match ready_port(stdout) {
            Ok(p) => p,
            Err(e) => bail!("{e:#}{}", server.log_tail()),
        };
        server.endpoint = Url::parse(&format!("http://127.0.0.1:{port}/"))?;
        Ok(server)
    }

    /// The last lines the spawned server logged, as a suffix for an error message (empty
    /// when there is nothing to show).
    pub fn log_tail(&self) -> String {
        let Some(s) = &self.spawned else {
            return String::new();
        };
        let text = std::fs::read_to_string(&s.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        if lines.is_empty() {
            return String::new();
        }
        let tail = lines[lines.len().saturating_sub(10)..].join("\n");
        format!(
            "\nthe server's last log lines ({}):\n{tail}",
            s.log.display()
        )
    }

    /// Bytes the data directory's files take (the database, its WAL and shared memory).
    pub fn disk_bytes(&self) -> Option<u64> {
        let dir = self.data_dir.as_ref()?;
        let mut total = 0;
        for entry in std::fs::read_dir(dir).ok()?.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with("estado.db") {
                total += entry.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
        Some(total)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut s) = self.spawned.take() {
            // SIGKILL: what was acknowledged is durable by then; a graceful stop would only
            // add its grace period to every run.
            let _ = s.child.kill();
            let _ = s.child.wait();
            if let Some(dir) = s.temporary {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

/// Reads the server's standard output until its ready line and answers the port. A thread
/// keeps draining the pipe afterwards so that the server never blocks on a full pipe.
fn ready_port(stdout: std::process::ChildStdout) -> anyhow::Result<u16> {
    let (tx, rx) = mpsc::channel::<Result<u16, String>>();
    std::thread::Builder::new()
        .name("estado-load-serve-stdout".into())
        .spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let mut sent = false;
            loop {
                line.clear();
                match reader.read_line(&mut line) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
                if sent {
                    continue;
                }
                if let Some(port) = line.trim().strip_prefix(READY_PREFIX) {
                    let parsed = port
                        .trim()
                        .parse::<u16>()
                        .map_err(|_| format!("`estado serve` printed {:?}", line.trim()));
                    let _ = tx.send(parsed);
                    sent = true;
                }
            }
            if !sent {
                let _ = tx.send(Err("`estado serve` exited before it was ready".to_string()));
            }
        })
        .context("cannot start a thread")?;
    match rx.recv_timeout(START_TIMEOUT) {
        Ok(Ok(port)) => Ok(port),
        Ok(Err(e)) => bail!("{e}"),
        Err(_) => bail!(
            "`estado serve` did not print {READY_PREFIX:?} within {}s",
            START_TIMEOUT.as_secs()
        ),
    }
}
