//! `estado bench-functions`: how fast local Lambda functions are called through warm workers.
//!
//! A trivial Python handler (it returns its event and how long it ran) is hosted exactly as
//! `estado serve` hosts functions (Estado's bootstrap, the Runtime API, a worker pool). After
//! warming the workers it measures, and prints:
//! - the latency of one call at a time, and the time Estado adds to it (the call's round trip
//!   minus the handler's own run time, as the handler measured it);
//! - invocations per second with `--concurrency` callers and as many workers;
//! - the same calls through the Lambda runner (`arn:aws:states:::lambda:invoke`, with the
//!   result shape a Task state gets);
//! - the resident memory of each idle worker.
//!
//! Goals (issue 4): under 1 ms added per call, at least 2,000 calls per second.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use estado_functions::{FunctionConfig, FunctionHost, HostSettings, Invocation};
use estado_interp::{Delivery, ExecInfo, MachineType, TaskRequest};
use estado_json::{json, Value};
use estado_runners::{LambdaRunner, TaskRunner};

const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:trivial";
const HANDLER: &str = "import time\n\ndef handler(event, context):\n    t = time.perf_counter_ns()\n    out = {\"echo\": event}\n    out[\"handler_ns\"] = time.perf_counter_ns() - t\n    return out\n";

#[derive(clap::Args)]
pub struct Args {
    /// Calls measured one at a time (and again per concurrent caller).
    #[arg(long, default_value_t = 3000)]
    pub invocations: usize,
    /// Concurrent callers, and workers, for the throughput figure.
    #[arg(long, default_value_t = 2)]
    pub concurrency: usize,
    /// The Python interpreter of the workers.
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// Print the figures as one JSON object.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> anyhow::Result<i32> {
    if args.invocations == 0 || args.concurrency == 0 {
        bail!("--invocations and --concurrency must be at least 1");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let figures = rt.block_on(measure(&args))?;
    if args.json {
        println!("{}", serde_json::to_string(&figures)?);
    } else {
        let f = |k: &str| figures[k].as_f64().unwrap_or(0.0);
        println!(
            "trivial Python handler, warm workers, {} calls each way",
            args.invocations
        );
        println!(
            "one at a time:    p50 {:.3} ms  p99 {:.3} ms  mean {:.3} ms  ({:.0} calls/s)",
            f("sequential_p50_ms"),
            f("sequential_p99_ms"),
            f("sequential_mean_ms"),
            f("sequential_per_s")
        );
        println!(
            "added by Estado:  p50 {:.3} ms  mean {:.3} ms  (handler itself: mean {:.4} ms)",
            f("overhead_p50_ms"),
            f("overhead_mean_ms"),
            f("handler_mean_ms")
        );
        println!(
            "{} callers, {} workers: {:.0} calls/s",
            args.concurrency,
            args.concurrency,
            f("concurrent_per_s")
        );
        println!(
            "through the Lambda runner (lambda:invoke result shape): p50 {:.3} ms, {} callers: {:.0} calls/s",
            f("runner_p50_ms"),
            args.concurrency,
            f("runner_concurrent_per_s")
        );
        println!(
            "memory per idle worker: {:.1} MB resident",
            f("idle_worker_rss_mb")
        );
        println!(
            "goals: added < 1 ms: {}; >= 2000 calls/s: {}",
            if f("overhead_p50_ms") < 1.0 {
                "met"
            } else {
                "NOT met"
            },
            if f("concurrent_per_s") >= 2000.0 {
                "met"
            } else {
                "NOT met"
            }
        );
    }
    Ok(0)
}

async fn measure(args: &Args) -> anyhow::Result<Value> {
    let dir = std::env::temp_dir().join(format!("estado-bench-fn-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join("trivial.py"), HANDLER)?;
    let spec = FunctionConfig {
        handler: Some("trivial.py:handler".into()),
        python: Some(args.python.clone()),
        concurrency: Some(args.concurrency),
        ..Default::default()
    }
    .resolve("trivial", &dir)?;
    let host = Arc::new(FunctionHost::new(
        vec![spec],
        HostSettings {
            log_sink: Arc::new(|_, _| {}),
            ..Default::default()
        },
    ));
    let payload = serde_json::to_vec(&json!({"order": 42, "item": "pizza"}))?;
    let call = |host: Arc<FunctionHost>, payload: Vec<u8>| async move {
        let t = Instant::now();
        let out = host
            .invoke(
                "trivial",
                ARN,
                Invocation {
                    payload,
                    invoked_arn: ARN.into(),
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let took = t.elapsed();
        if out.function_error.is_some() {
            bail!(
                "the handler failed: {}",
                String::from_utf8_lossy(&out.payload)
            );
        }
        let v: Value = serde_json::from_slice(&out.payload)?;
        let handler = Duration::from_nanos(v["handler_ns"].as_u64().unwrap_or(0));
        Ok::<_, anyhow::Error>((took, handler))
    };
    // Warm every worker: concurrent calls until each has started.
    for _ in 0..3 {
        let warm: Vec<_> = (0..args.concurrency)
            .map(|_| tokio::spawn(call(host.clone(), payload.clone())))
            .collect();
        for w in warm {
            w.await??;
        }
    }
    // One at a time.
    let mut total = Vec::with_capacity(args.invocations);
    let mut overhead = Vec::with_capacity(args.invocations);
    let mut handler_sum = Duration::ZERO;
    let t = Instant::now();
    for _ in 0..args.invocations {
        let (took, handler) = call(host.clone(), payload.clone()).await?;
        total.push(took);
        overhead.push(took.saturating_sub(handler));
        handler_sum += handler;
    }
    let sequential = t.elapsed();
    // Concurrent callers.
    let concurrent = throughput(args, {
        let (host, payload) = (host.clone(), payload.clone());
        move || {
            let (host, payload) = (host.clone(), payload.clone());
            async move { call(host, payload).await.map(|_| ()) }
        }
    })
    .await?;
    // Through the runner.
    let runner = Arc::new(LambdaRunner::new(host.clone()));
    let info = Arc::new(exec_info());
    let req = Arc::new(TaskRequest {
        id: 1,
        resource: "arn:aws:states:::lambda:invoke".into(),
        input: Arc::new(json!({"FunctionName": "trivial", "Payload": {"order": 42}})),
        state_name: "Call".into(),
        timeout_seconds: None,
        heartbeat_seconds: None,
        task_token: None,
    });
    let run_once = {
        let (runner, info, req) = (runner.clone(), info.clone(), req.clone());
        move || {
            let (runner, info, req) = (runner.clone(), info.clone(), req.clone());
            async move {
                match runner.run(&info, &req).await {
                    Delivery::TaskSucceeded { .. } => Ok(()),
                    other => bail!("the Lambda task did not succeed: {other:?}"),
                }
            }
        }
    };
    let mut runner_times = Vec::with_capacity(args.invocations);
    for _ in 0..args.invocations {
        let t = Instant::now();
        run_once().await?;
        runner_times.push(t.elapsed());
    }
    let runner_concurrent = throughput(args, run_once).await?;
    let rss: Vec<u64> = host
        .worker_pids("trivial")
        .into_iter()
        .filter_map(|pid| estado_functions::rss_kb(pid, "VmRSS"))
        .collect();
    host.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let n = args.invocations as f64;
    Ok(json!({
        "invocations": args.invocations,
        "concurrency": args.concurrency,
        "sequential_p50_ms": ms(pct(&mut total, 0.50)),
        "sequential_p99_ms": ms(pct(&mut total, 0.99)),
        "sequential_mean_ms": ms(sequential) / n,
        "sequential_per_s": n / sequential.as_secs_f64(),
        "overhead_p50_ms": ms(pct(&mut overhead, 0.50)),
        "overhead_mean_ms": overhead.iter().map(|d| ms(*d)).sum::<f64>() / n,
        "handler_mean_ms": ms(handler_sum) / n,
        "concurrent_per_s": concurrent,
        "runner_p50_ms": ms(pct(&mut runner_times, 0.50)),
        "runner_concurrent_per_s": runner_concurrent,
        "idle_workers": rss.len(),
        "idle_worker_rss_mb": if rss.is_empty() { 0.0 } else { rss.iter().sum::<u64>() as f64 / rss.len() as f64 / 1024.0 },
    }))
}

/// Calls per second with `--concurrency` callers, each making `--invocations` calls.
async fn throughput<F, Fut>(args: &Args, call: F) -> anyhow::Result<f64>
where
    F: Fn() -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let t = Instant::now();
    let callers: Vec<_> = (0..args.concurrency)
        .map(|_| {
            let call = call.clone();
            let n = args.invocations;
            tokio::spawn(async move {
                for _ in 0..n {
                    call().await?;
                }
                Ok::<_, anyhow::Error>(())
            })
        })
        .collect();
    for c in callers {
        c.await??;
    }
    Ok((args.invocations * args.concurrency) as f64 / t.elapsed().as_secs_f64())
}

fn pct(v: &mut [Duration], p: f64) -> Duration {
    v.sort_unstable();
    v.get(((v.len() as f64 - 1.0) * p).round() as usize)
        .copied()
        .unwrap_or_default()
}

fn exec_info() -> ExecInfo {
    ExecInfo {
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:bench:one".into(),
        name: "one".into(),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:bench".into(),
        state_machine_name: "bench".into(),
        role_arn: "arn:aws:iam::123456789012:role/bench".into(),
        start_millis: 0,
        input: Arc::new(json!({})),
        machine_type: MachineType::Standard,
        seed: 1,
        redrive_count: Some(0),
        test_case: None,
    }
}
