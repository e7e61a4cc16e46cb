//! Phase `transitions`: state transitions per second inside the server, set against the
//! in-memory figure of `estado bench` for the same workload.
//!
//! - EXPRESS, through StartSyncExecution (`choice_loop_10k`, `map_10k`): these make about
//!   40,000 history events, more than a STANDARD execution may have, so they run as AWS would
//!   run them, in memory and without a store. The time is the client's for the whole call, so
//!   it includes HTTP and the JSON of the input and output (map_10k's are ~300 KB each).
//! - STANDARD, durable (`choice_loop_1k`, `map_1k`): StartExecution, then DescribeExecution
//!   asked again and again until the execution ended. This includes creating the execution
//!   (one commit), claiming it, interpreting it, and committing its history and final state
//!   (a second commit): what one durable execution costs from the request to a durable end.
//!   Then the same with several executions at once, where commits are shared.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use serde_json::{json, Value};

use super::client::{output_of, Sfn};
use super::figure::{secs, si, Figure, Goal};
use super::pool::run_all;
use super::workloads::Workload;

/// A durable figure meets its goal at this share of the in-memory figure.
pub const GOAL_SHARE: f64 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Path {
    /// StartSyncExecution on an EXPRESS machine: no store.
    Express,
    /// StartExecution on a STANDARD machine: history and state committed to the store.
    Durable,
}

impl Path {
    pub fn machine_type(self) -> &'static str {
        match self {
            Path::Express => "EXPRESS",
            Path::Durable => "STANDARD",
        }
    }
}

/// What is measured, in this order.
pub const CASES: [(&str, Path); 4] = [
    ("choice_loop_10k", Path::Express),
    ("map_10k", Path::Express),
    ("choice_loop_1k", Path::Durable),
    ("map_1k", Path::Durable),
];

pub struct Params {
    /// Measured executions per case (after one warm-up).
    pub runs: usize,
    /// Durable executions started at once for the shared-commit figure.
    pub concurrent: usize,
    pub tag: String,
}

/// Measures one case; `in_memory` is `estado bench`'s figure (or why there is none).
pub async fn run(
    sfn: Arc<Sfn>,
    w: &Workload,
    path: Path,
    in_memory: Result<f64, String>,
    p: &Params,
) -> anyhow::Result<Figure> {
    let machine = sfn
        .create_state_machine(
            &format!("load-{}-{}-{}", w.name, path.machine_type(), p.tag),
            &w.definition,
            path.machine_type(),
        )
        .await?;
    let input = w.inputs[0].to_string();
    let expected = &w.expected[0];
    let transitions = w.transitions_per_execution as f64;

    let mut times = Vec::with_capacity(p.runs);
    let mut wrong = 0usize;
    let mut history_events = None;
    for run in 0..=p.runs {
        let (took, answer) = match path {
            Path::Express => {
                let t = Instant::now();
                let answer = sfn.start_sync_execution(&machine, &input).await?;
                (t.elapsed(), answer)
            }
            Path::Durable => {
                let t = Instant::now();
                let arn = sfn
                    .start_execution(&machine, &format!("r{run}"), &input)
                    .await?;
                let answer = until_ended(&sfn, &arn).await?;
                let took = t.elapsed();
                if history_events.is_none() {
                    history_events = Some(check_history(&sfn, &arn).await?);
                }
                (took, answer)
            }
        };
        wrong += usize::from(
            answer["status"] != "SUCCEEDED" || output_of(&answer).as_ref() != Some(expected),
        );
        // Run 0 warms up: definition compiled and cached, connections open.
        if run > 0 {
            times.push(took.as_secs_f64());
        }
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let rate = transitions / median;

    let shared = match path {
        Path::Durable if p.concurrent > 1 => {
            let (took, bad) = concurrent(sfn.clone(), &machine, &input, expected, p).await?;
            wrong += bad;
            Some((took, transitions * p.concurrent as f64 / took.as_secs_f64()))
        }
        _ => None,
    };

    let (compare, goal) = match &in_memory {
        Ok(mem) => {
            let share = rate / mem;
            let goal = (path == Path::Durable).then(|| Goal {
                text: format!(">= {GOAL_SHARE}x in-memory"),
                met: share >= GOAL_SHARE,
            });
            (format!("in-memory {}/s, {share:.2}x", si(*mem)), goal)
        }
        Err(why) => (format!("no in-memory figure: {why}"), None),
    };
    let how = match path {
        Path::Express => "EXPRESS via StartSyncExecution, no store".to_string(),
        Path::Durable => format!(
            "STANDARD durable, start to SUCCEEDED seen by DescribeExecution, {} events written",
            history_events.map_or("?".into(), |n: usize| n.to_string())
        ),
    };
    let mut text = format!(
        "{}/s ({} transitions in {} median of {}; {how}); {compare}",
        si(rate),
        w.transitions_per_execution,
        secs(median),
        times.len(),
    );
    if let Some((took, shared_rate)) = shared {
        text.push_str(&format!(
            "; {} at once: {}/s ({} for all)",
            p.concurrent,
            si(shared_rate),
            secs(took.as_secs_f64())
        ));
    }
    if wrong > 0 {
        text.push_str(&format!("; {wrong} answers wrong"));
    }
    Ok(Figure {
        phase: "transitions",
        name: format!("{} {}", w.name, path.machine_type()),
        value: rate,
        unit: "transitions/s",
        text,
        goal,
        correct: wrong == 0,
        details: json!({
            "workload": w.name,
            "machine_type": path.machine_type(),
            "path": match path { Path::Express => "StartSyncExecution", Path::Durable => "StartExecution+DescribeExecution" },
            "transitions_per_execution": w.transitions_per_execution,
            "runs": times.len(),
            "times_seconds": times,
            "median_seconds": median,
            "transitions_per_second": rate,
            "in_memory_transitions_per_second": in_memory.as_ref().ok(),
            "in_memory_error": in_memory.as_ref().err(),
            "share_of_in_memory": in_memory.as_ref().ok().map(|m| rate / m),
            "history_events": history_events,
            "concurrent_executions": shared.map(|_| p.concurrent),
            "concurrent_seconds": shared.map(|(t, _)| t.as_secs_f64()),
            "concurrent_transitions_per_second": shared.map(|(_, r)| r),
            "wrong_answers": wrong,
        }),
    })
}

/// Asks DescribeExecution until the execution is no longer RUNNING; answers the last answer.
/// Asked back to back, without sleeping: a timer would round each wait up to a millisecond.
async fn until_ended(sfn: &Sfn, arn: &str) -> anyhow::Result<Value> {
    loop {
        let answer = sfn.describe_execution(arn).await?;
        if answer["status"] != "RUNNING" {
            return Ok(answer);
        }
        tokio::task::yield_now().await;
    }
}

/// The whole history must open with ExecutionStarted and close with ExecutionSucceeded;
/// answers its number of events.
async fn check_history(sfn: &Sfn, arn: &str) -> anyhow::Result<usize> {
    let events = sfn.history(arn).await?;
    let first = events.first().and_then(|e| e["type"].as_str());
    let last = events.last().and_then(|e| e["type"].as_str());
    if first != Some("ExecutionStarted") || last != Some("ExecutionSucceeded") {
        bail!("the history of {arn} runs from {first:?} to {last:?}");
    }
    Ok(events.len())
}

/// Starts `p.concurrent` executions at once and waits until none runs; answers the time and
/// how many answers were wrong.
async fn concurrent(
    sfn: Arc<Sfn>,
    machine: &str,
    input: &str,
    expected: &Value,
    p: &Params,
) -> anyhow::Result<(Duration, usize)> {
    let t = Instant::now();
    let arns = {
        let (sfn, machine, input) = (sfn.clone(), machine.to_owned(), input.to_owned());
        run_all(p.concurrent, p.concurrent, move |i| {
            let (sfn, machine, input) = (sfn.clone(), machine.clone(), input.clone());
            async move {
                sfn.start_execution(&machine, &format!("c{i}"), &input)
                    .await
            }
        })
        .await?
    };
    while !sfn
        .list_executions(machine, "RUNNING", 1, None)
        .await?
        .items
        .is_empty()
    {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let took = t.elapsed();
    let mut wrong = 0;
    for arn in &arns {
        let answer = sfn.describe_execution(arn).await?;
        wrong += usize::from(
            answer["status"] != "SUCCEEDED" || output_of(&answer).as_ref() != Some(expected),
        );
    }
    Ok((took, wrong))
}
