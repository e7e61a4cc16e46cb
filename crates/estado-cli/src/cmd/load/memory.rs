//! Phase `memory`: the server's resident memory with many executions parked in an hour-long
//! Wait state (STANDARD), read from `/proc/<pid>/status` before the first start and once
//! every execution is parked and the server is idle.
//!
//! "Parked" is checked, not assumed: the newest history event of the last executions started
//! (the server claims in due order, so they are parked last) and of an even sample of the
//! others must be `WaitStateEntered`; then the server's CPU time must stop growing.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use estado_json::json;

use super::client::Sfn;
use super::figure::{bytes, si, Figure, Goal};
use super::pool::run_all;
use super::procfs;
use super::server::Server;

pub const WAIT_MACHINE: &str =
    r#"{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":3600,"End":true}}}"#;
pub const GOAL_TOTAL_BYTES: f64 = 300e6;
/// How many of the last-started executions must show they are parked.
const LAST_CHECKED: usize = 64;
/// Executions checked across the whole range.
const SAMPLE: usize = 100;
/// The server counts as idle when it used at most this many CPU ticks (1/100 s) in
/// [`IDLE_WINDOW`].
const IDLE_TICKS: u64 = 3;
const IDLE_WINDOW: Duration = Duration::from_millis(500);

pub struct Params {
    pub count: usize,
    pub concurrency: usize,
    pub tag: String,
}

pub async fn run(sfn: Arc<Sfn>, server: &Server, p: &Params) -> anyhow::Result<Figure> {
    let Some(pid) = server.pid else {
        bail!("the server's process id is unknown: use --spawn, or --server-pid with --endpoint");
    };
    let rss = |field: &str| match procfs::status_bytes(pid, field) {
        Some(b) => Ok(b),
        None => Err(anyhow::anyhow!("cannot read {field} of process {pid}")),
    };
    let machine = sfn
        .create_state_machine(&format!("load-wait-{}", p.tag), WAIT_MACHINE, "STANDARD")
        .await?;
    let before = rss("VmRSS")?;
    let disk_before = server.disk_bytes();

    let started = Instant::now();
    let arns = {
        let (sfn, machine) = (sfn.clone(), machine.clone());
        run_all(p.count, p.concurrency, move |i| {
            let (sfn, machine) = (sfn.clone(), machine.clone());
            async move { sfn.start_execution(&machine, &format!("w{i}"), "{}").await }
        })
        .await?
    };
    let all_started = started.elapsed();

    let mut to_check: Vec<&String> = arns.iter().rev().take(LAST_CHECKED).collect();
    to_check.extend(arns.iter().step_by((arns.len() / SAMPLE).max(1)));
    while !to_check.is_empty() {
        let mut still = Vec::new();
        for arn in to_check {
            let newest = sfn.history_page(arn, 1, true, None).await?;
            match newest.items.first().and_then(|e| e["type"].as_str()) {
                Some("WaitStateEntered") => {}
                Some(t) if t != "ExecutionStarted" => {
                    bail!("{arn} is not waiting: its newest event is {t}")
                }
                _ => still.push(arn),
            }
        }
        to_check = still;
        if !to_check.is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let parked = started.elapsed();
    wait_idle(pid).await?;
    let after = rss("VmRSS")?;
    let peak = rss("VmHWM")?;
    let disk_after = server.disk_bytes();

    let per = (after as f64 - before as f64) / p.count as f64;
    let disk_per = match (disk_before, disk_after) {
        (Some(b), Some(a)) => Some((a as f64 - b as f64) / p.count as f64),
        _ => None,
    };
    Ok(Figure {
        phase: "memory",
        name: format!("server RSS with {} executions waiting", p.count),
        value: after as f64,
        unit: "bytes",
        text: format!(
            "{} (before the starts {}, +{} per waiting execution; peak {}; {} on disk{}); \
             started in {:.1} s = {}/s, all parked after {:.1} s",
            bytes(after as f64),
            bytes(before as f64),
            bytes(per),
            bytes(peak as f64),
            disk_after.map_or("?".into(), |d| bytes(d as f64)),
            disk_per.map_or(String::new(), |d| format!(", {} per execution", bytes(d))),
            all_started.as_secs_f64(),
            si(p.count as f64 / all_started.as_secs_f64()),
            parked.as_secs_f64(),
        ),
        goal: Some(Goal {
            text: format!("< {} in all", bytes(GOAL_TOTAL_BYTES)),
            met: (after as f64) < GOAL_TOTAL_BYTES,
        }),
        correct: true,
        details: json!({
            "waiting_executions": p.count,
            "connections": p.concurrency,
            "rss_before_bytes": before,
            "rss_after_bytes": after,
            "rss_peak_bytes": peak,
            "bytes_per_waiting_execution": per,
            "disk_bytes": disk_after,
            "disk_bytes_per_execution": disk_per,
            "all_started_seconds": all_started.as_secs_f64(),
            "all_parked_seconds": parked.as_secs_f64(),
        }),
    })
}

/// Waits until the server's CPU time stops growing (its step loop and writer are done).
async fn wait_idle(pid: u32) -> anyhow::Result<()> {
    let ticks = || match procfs::cpu_ticks(pid) {
        Some(t) => Ok(t),
        None => Err(anyhow::anyhow!("cannot read the CPU time of process {pid}")),
    };
    let mut last = ticks()?;
    loop {
        tokio::time::sleep(IDLE_WINDOW).await;
        let now = ticks()?;
        if now.saturating_sub(last) <= IDLE_TICKS {
            return Ok(());
        }
        last = now;
    }
}
