//! A worker slot: one warm process at a time, serving a function's invocations one by one.
//!
//! The slot takes the next call from its function's queue, starts a process if it has none
//! (a cold start), hands the event over the process's own Runtime API listener and waits for
//! the answer, the deadline, or the process's death. At the deadline the process is killed and
//! the call fails as Lambda's do (`Sandbox.Timedout`); a process that dies mid-call fails it
//! with `Runtime.ExitError`, one whose resident memory exceeds the function's `memory` is killed
//! (`Runtime.OutOfMemory`, checked every 50 ms on Linux). Either way the next call starts a
//! fresh process.

use std::collections::VecDeque;
use std::process::Stdio;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

use crate::invoke::{runtime_error, InvokeOutput};
use crate::pool::{Job, Pool};
use crate::runtime_api::{self, Event, Reply};
use crate::spec::Source;

/// Lambda's `LogResult` holds the last 4 KB of the log.
const LOG_TAIL: usize = 4096;
/// How often a running call's memory is checked against the function's `memory`.
const MEMORY_CHECK: std::time::Duration = std::time::Duration::from_millis(50);

/// Log lines of the invocation in progress, when it asked for them.
#[derive(Default)]
struct LogCapture {
    on: bool,
    buf: VecDeque<u8>,
}

impl LogCapture {
    fn push(&mut self, line: &str) {
        if !self.on {
            return;
        }
        self.buf.extend(line.as_bytes());
        self.buf.push_back(b'\n');
        let excess = self.buf.len().saturating_sub(LOG_TAIL);
        self.buf.drain(..excess);
    }
}

/// A running worker process and the channels of its Runtime API.
struct Process {
    child: Child,
    next: mpsc::Sender<Event>,
    replies: mpsc::UnboundedReceiver<(String, Reply)>,
    server: tokio::task::JoinHandle<()>,
    init_error: Option<Vec<u8>>,
}

impl Drop for Process {
    fn drop(&mut self) {
        self.server.abort();
        let _ = self.child.start_kill();
    }
}

pub(crate) async fn run_slot(pool: Arc<Pool>, slot: usize) {
    let logs = Arc::new(Mutex::new(LogCapture::default()));
    let mut process: Option<Process> = None;
    let mut shutdown = pool.shutdown.subscribe();
    loop {
        pool.idle.fetch_add(1, Ordering::SeqCst);
        let job = tokio::select! {
            job = async { pool.queue.lock().await.recv().await } => job,
            _ = shutdown.wait_for(|s| *s) => None,
        };
        pool.idle.fetch_sub(1, Ordering::SeqCst);
        let Some(job) = job else { break };
        pool.waiting.fetch_sub(1, Ordering::SeqCst);
        if let Some(p) = &mut process {
            if !matches!(p.child.try_wait(), Ok(None)) {
                process = None;
            }
        }
        if process.is_none() {
            match start(&pool, slot, logs.clone()).await {
                Ok(p) => process = Some(p),
                Err(message) => {
                    let request_id = uuid::Uuid::new_v4().to_string();
                    tracing::warn!(function = %pool.spec.name, "cannot start a worker: {message}");
                    let _ = job.reply.send(Ok(InvokeOutput {
                        payload: runtime_error(&request_id, "Runtime.InvalidEntrypoint", &message),
                        request_id,
                        function_error: Some("Unhandled".into()),
                        executed_version: "$LATEST".into(),
                        log_result: None,
                    }));
                    continue;
                }
            }
        }
        let Some(p) = process.as_mut() else { continue };
        let keep = serve(&pool, p, job, &logs).await;
        if !keep {
            pool.pids.lock().map(|mut m| m.remove(&slot)).ok();
            process = None;
        }
    }
    pool.pids.lock().map(|mut m| m.remove(&slot)).ok();
    pool.slots.fetch_sub(1, Ordering::SeqCst);
}

/// Run one invocation on `p`. Returns whether the process may serve the next one.
async fn serve(pool: &Pool, p: &mut Process, job: Job, logs: &Arc<Mutex<LogCapture>>) -> bool {
    let request_id = uuid::Uuid::new_v4().to_string();
    let timeout = pool.spec.timeout;
    let started = Instant::now();
    let deadline_ms = now_ms() + timeout.as_millis() as i64;
    let tail = job.inv.tail_log;
    if let Ok(mut l) = logs.lock() {
        l.on = tail;
        l.buf.clear();
        l.push(&format!("START RequestId: {request_id} Version: $LATEST"));
    }
    let mut output = InvokeOutput {
        request_id: request_id.clone(),
        payload: Vec::new(),
        function_error: None,
        executed_version: "$LATEST".into(),
        log_result: None,
    };
    let mut keep = true;
    if let Some(body) = &p.init_error {
        output.payload = body.clone();
        output.function_error = Some("Unhandled".into());
        keep = false;
    } else {
        let ev = Event {
            request_id: request_id.clone(),
            body: job.inv.payload,
            deadline_ms,
            invoked_arn: job.inv.invoked_arn,
            client_context: job.inv.client_context,
        };
        if p.next.send(ev).await.is_err() {
            keep = false;
            output.payload = runtime_error(
                &request_id,
                "Runtime.ExitError",
                "Runtime exited unexpectedly",
            );
            output.function_error = Some("Unhandled".into());
        } else {
            let sleep = tokio::time::sleep(timeout);
            tokio::pin!(sleep);
            // The memory limit, checked while the call runs (calls shorter than one period
            // never pay for a check).
            let limit_kb = u64::from(pool.spec.memory_mb) * 1024;
            let pid = p.child.id();
            let mut memory =
                tokio::time::interval_at(tokio::time::Instant::now() + MEMORY_CHECK, MEMORY_CHECK);
            loop {
                tokio::select! {
                    _ = memory.tick() => {
                        let used = pid.and_then(|pid| crate::pool::rss_kb(pid, "VmRSS"));
                        if used.is_some_and(|kb| kb > limit_kb) {
                            keep = false;
                            let _ = p.child.start_kill();
                            output.payload = runtime_error(&request_id, "Runtime.OutOfMemory", "Runtime exited with error: signal: killed");
                            output.function_error = Some("Unhandled".into());
                            if let Ok(mut l) = logs.lock() {
                                l.push(&format!("{} {request_id} the function used more than its {} MB of memory", jiff_like_now(), pool.spec.memory_mb));
                            }
                            break;
                        }
                    }
                    reply = p.replies.recv() => match reply {
                        Some((id, Reply::Response(body))) if id == request_id => {
                            output.payload = body;
                            break;
                        }
                        Some((id, Reply::Error(body))) if id == request_id => {
                            output.payload = body;
                            output.function_error = Some("Unhandled".into());
                            break;
                        }
                        Some((_, Reply::InitError(body))) => {
                            p.init_error = Some(body.clone());
                            output.payload = body;
                            output.function_error = Some("Unhandled".into());
                            break;
                        }
                        // A late answer to an earlier invocation: ignore it.
                        Some(_) => continue,
                        None => {
                            keep = false;
                            output.payload = runtime_error(&request_id, "Runtime.ExitError", "Runtime exited unexpectedly");
                            output.function_error = Some("Unhandled".into());
                            break;
                        }
                    },
                    _ = &mut sleep => {
                        keep = false;
                        let _ = p.child.start_kill();
                        let secs = timeout.as_secs_f64();
                        output.payload = runtime_error(&request_id, "Sandbox.Timedout", &format!("Task timed out after {secs:.2} seconds"));
                        output.function_error = Some("Unhandled".into());
                        if let Ok(mut l) = logs.lock() {
                            l.push(&format!("{} {request_id} Task timed out after {secs:.2} seconds", jiff_like_now()));
                        }
                        break;
                    }
                    status = p.child.wait() => {
                        keep = false;
                        let how = match status {
                            Ok(s) => exit_text(s),
                            Err(e) => e.to_string(),
                        };
                        output.payload = runtime_error(&request_id, "Runtime.ExitError", &format!("Runtime exited with error: {how}"));
                        output.function_error = Some("Unhandled".into());
                        break;
                    }
                }
            }
        }
    }
    let elapsed = started.elapsed();
    if tail {
        // Lines the handler printed just before answering may still be in the pipe.
        tokio::task::yield_now().await;
        let used = p
            .child
            .id()
            .and_then(|pid| crate::pool::rss_kb(pid, "VmHWM"))
            .map(|kb| kb / 1024)
            .unwrap_or(0);
        let ms = elapsed.as_secs_f64() * 1000.0;
        if let Ok(mut l) = logs.lock() {
            l.push(&format!("END RequestId: {request_id}"));
            l.push(&format!(
                "REPORT RequestId: {request_id}\tDuration: {ms:.2} ms\tBilled Duration: {} ms\tMemory Size: {} MB\tMax Memory Used: {used} MB\t",
                ms.ceil() as u64,
                pool.spec.memory_mb
            ));
            let bytes: Vec<u8> = l.buf.iter().copied().collect();
            output.log_result = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
            l.on = false;
        }
    }
    let _ = job.reply.send(Ok(output));
    keep
}

fn exit_text(s: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = s.signal() {
            return format!("signal: {}", signal_name(sig));
        }
    }
    match s.code() {
        Some(c) => format!("exit status {c}"),
        None => "exited".into(),
    }
}

#[cfg(unix)]
fn signal_name(sig: i32) -> String {
    match sig {
        9 => "killed".into(),
        11 => "segmentation fault".into(),
        6 => "aborted".into(),
        15 => "terminated".into(),
        n => format!("signal {n}"),
    }
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `2024-11-28T12:40:57.123Z`, as Lambda's own log lines start.
fn jiff_like_now() -> String {
    let ms = now_ms();
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        ms.rem_euclid(1000)
    )
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Start a worker process with its own Runtime API listener.
async fn start(
    pool: &Arc<Pool>,
    slot: usize,
    logs: Arc<Mutex<LogCapture>>,
) -> Result<Process, String> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .map_err(|e| format!("cannot listen for the Runtime API: {e}"))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot listen for the Runtime API: {e}"))?;
    let (next_tx, next_rx) = mpsc::channel(1);
    let (rep_tx, rep_rx) = mpsc::unbounded_channel();
    let app = runtime_api::router(next_rx, rep_tx);
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let spec = &pool.spec;
    let mut cmd = match &spec.source {
        Source::Python {
            python,
            dir,
            module,
            function,
        } => {
            let mut c = Command::new(python);
            c.arg("-c")
                .arg(crate::BOOTSTRAP_PY)
                .arg(dir)
                .arg(module)
                .arg(function)
                .current_dir(dir)
                .env("_HANDLER", format!("{module}.{function}"))
                .env("LAMBDA_TASK_ROOT", dir);
            c
        }
        Source::Command { argv, dir, handler } => {
            let mut c = Command::new(&argv[0]);
            c.args(&argv[1..])
                .current_dir(dir)
                .env("LAMBDA_TASK_ROOT", dir);
            if let Some(h) = handler {
                c.env("_HANDLER", h);
            }
            c
        }
        Source::Endpoint { .. } => return Err("an endpoint function has no workers".into()),
    };
    let name = &spec.name;
    let stream = format!(
        "{}/[$LATEST]{}",
        &jiff_like_now()[..10].replace('-', "/"),
        uuid::Uuid::new_v4().simple()
    );
    cmd.env_remove("AWS_LAMBDA_MAX_CONCURRENCY")
        .envs(pool.settings.extra_env.iter().map(|(k, v)| (k, v)))
        .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env(
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            spec.memory_mb.to_string(),
        )
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}"))
        .env("AWS_LAMBDA_LOG_STREAM_NAME", stream)
        .env("AWS_REGION", &pool.settings.region)
        .env("AWS_DEFAULT_REGION", &pool.settings.region)
        .env("PYTHONUNBUFFERED", "1")
        .envs(spec.environment.iter())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().map_err(|e| {
        server.abort();
        let program = match &spec.source {
            Source::Python { python, .. } => python.clone(),
            Source::Command { argv, .. } => argv[0].clone(),
            Source::Endpoint { .. } => String::new(),
        };
        format!("cannot start {program}: {e}")
    })?;
    if let Some(pid) = child.id() {
        pool.pids.lock().map(|mut m| m.insert(slot, pid)).ok();
    }
    if let Some(out) = child.stdout.take() {
        tokio::spawn(pump(out, pool.clone(), logs.clone()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(pump(err, pool.clone(), logs));
    }
    Ok(Process {
        child,
        next: next_tx,
        replies: rep_rx,
        server,
        init_error: None,
    })
}

/// Forward a worker's output, line by line, to the log sink and the invocation's capture.
async fn pump(stream: impl AsyncRead + Unpin, pool: Arc<Pool>, logs: Arc<Mutex<LogCapture>>) {
    let mut lines = BufReader::new(stream).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        (pool.settings.log_sink)(&pool.spec.name, &line);
        if let Ok(mut l) = logs.lock() {
            l.push(&line);
        }
    }
}
