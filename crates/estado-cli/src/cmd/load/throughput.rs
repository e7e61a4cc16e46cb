//! Phase `throughput`: completed executions per second of `many_small` started through the
//! API with many connections at once, on a STANDARD (durable) machine.
//!
//! The clock runs from the first StartExecution until ListExecutions shows none of the
//! machine's executions RUNNING any more (polled with `maxResults` 1, so a poll costs one
//! short request). Every StartExecution was answered before that, so each execution then has
//! a terminal status; ListExecutions with `statusFilter` SUCCEEDED must then list all of them.
//! After the clock stopped, every output is read with DescribeExecution and compared with
//! `many_small.expected.json`, and a sample of histories is read back in full.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use estado_json::{json, Value};

use super::client::{output_of, Sfn};
use super::figure::{si, Figure, Goal};
use super::pool::run_all;
use super::workloads::Workload;

pub const GOAL_PER_SECOND: f64 = 5_000.0;
/// Histories read back in full after the run (evenly spread over the executions).
const HISTORY_SAMPLE: usize = 100;
const POLL: Duration = Duration::from_millis(10);

pub struct Params {
    pub count: usize,
    pub concurrency: usize,
    /// Makes names unique when a server is reused.
    pub tag: String,
}

pub async fn run(sfn: Arc<Sfn>, w: &Workload, p: &Params) -> anyhow::Result<Figure> {
    let machine = sfn
        .create_state_machine(
            &format!("load-{}-{}", w.name, p.tag),
            &w.definition,
            "STANDARD",
        )
        .await?;
    let count = p.count;
    let inputs: Arc<Vec<String>> = Arc::new(
        (0..count)
            .map(|i| w.inputs[i % w.inputs.len()].to_string())
            .collect(),
    );

    let started = Instant::now();
    let arns = {
        let (sfn, machine, inputs) = (sfn.clone(), machine.clone(), inputs.clone());
        run_all(count, p.concurrency, move |i| {
            let (sfn, machine, inputs) = (sfn.clone(), machine.clone(), inputs.clone());
            async move {
                sfn.start_execution(&machine, &format!("e{i}"), &inputs[i])
                    .await
            }
        })
        .await?
    };
    let all_started = started.elapsed();
    let mut polls = 0u64;
    loop {
        polls += 1;
        let running = sfn.list_executions(&machine, "RUNNING", 1, None).await?;
        if running.items.is_empty() {
            break;
        }
        tokio::time::sleep(POLL).await;
    }
    let completed = started.elapsed();

    let succeeded: HashSet<String> = sfn
        .list_all_executions(&machine, "SUCCEEDED")
        .await?
        .iter()
        .filter_map(|e| e["executionArn"].as_str().map(str::to_owned))
        .collect();
    let not_succeeded = arns.iter().filter(|a| !succeeded.contains(*a)).count();

    let verify_started = Instant::now();
    let outputs = {
        let (sfn, arns) = (sfn.clone(), Arc::new(arns.clone()));
        run_all(count, p.concurrency, move |i| {
            let (sfn, arns) = (sfn.clone(), arns.clone());
            async move { Ok(output_of(&sfn.describe_execution(&arns[i]).await?)) }
        })
        .await?
    };
    let verify = verify_started.elapsed();
    let mut wrong = Vec::new();
    for (i, out) in outputs.iter().enumerate() {
        let expected = &w.expected[i % w.expected.len()];
        if out.as_ref() != Some(expected) {
            wrong.push(json!({"execution": i, "output": out, "expected": expected}));
        }
    }

    let histories = check_histories(&sfn, &arns).await?;

    let rate = count as f64 / completed.as_secs_f64();
    let correct = not_succeeded == 0 && wrong.is_empty() && histories.bad == 0;
    let text = format!(
        "{count} executions completed in {:.2} s = {}/s ({} connections; all started after \
         {:.2} s = {}/s); {}/{count} SUCCEEDED, {} outputs wrong; {} histories read back, {}",
        completed.as_secs_f64(),
        si(rate),
        p.concurrency,
        all_started.as_secs_f64(),
        si(count as f64 / all_started.as_secs_f64()),
        count - not_succeeded,
        wrong.len(),
        histories.checked,
        if histories.bad == 0 {
            format!("all complete ({} events each)", histories.events_each)
        } else {
            format!("{} INCOMPLETE", histories.bad)
        },
    );
    wrong.truncate(5);
    Ok(Figure {
        phase: "throughput",
        name: format!("{} completed executions/s", w.name),
        value: rate,
        unit: "executions/s",
        text,
        goal: Some(Goal {
            text: format!(">= {}/s", si(GOAL_PER_SECOND)),
            met: rate >= GOAL_PER_SECOND,
        }),
        correct,
        details: json!({
            "executions": count,
            "connections": p.concurrency,
            "machine_type": "STANDARD",
            "all_started_seconds": all_started.as_secs_f64(),
            "starts_per_second": count as f64 / all_started.as_secs_f64(),
            "completed_seconds": completed.as_secs_f64(),
            "completed_per_second": rate,
            "running_polls": polls,
            "succeeded": count - not_succeeded,
            "wrong_outputs_first": wrong,
            "describe_seconds": verify.as_secs_f64(),
            "describes_per_second": count as f64 / verify.as_secs_f64(),
            "histories_checked": histories.checked,
            "histories_incomplete": histories.bad,
            "history_events_per_execution": histories.events_each,
        }),
    })
}

struct Histories {
    checked: usize,
    bad: usize,
    /// Events of the last history read (all are alike for many_small).
    events_each: usize,
}

/// Reads whole histories of an even sample of the executions: each must open with
/// `ExecutionStarted` and close with `ExecutionSucceeded`.
async fn check_histories(sfn: &Sfn, arns: &[String]) -> anyhow::Result<Histories> {
    let step = (arns.len() / HISTORY_SAMPLE).max(1);
    let mut h = Histories {
        checked: 0,
        bad: 0,
        events_each: 0,
    };
    for arn in arns.iter().step_by(step) {
        let events = sfn.history(arn).await?;
        let kind = |e: Option<&Value>| e.and_then(|e| e["type"].as_str()).map(str::to_owned);
        let complete = kind(events.first()).as_deref() == Some("ExecutionStarted")
            && kind(events.last()).as_deref() == Some("ExecutionSucceeded");
        h.checked += 1;
        h.bad += usize::from(!complete);
        h.events_each = events.len();
    }
    Ok(h)
}
