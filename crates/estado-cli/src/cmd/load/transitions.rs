//! Phase `transitions`: state transitions per second inside the server, set against the
//! in-memory figure of `estado bench` for the same workload (one execution at a time on one
//! thread: the interpreter alone, history recorded, nothing written).
//!
//! - EXPRESS, through StartSyncExecution (`choice_loop_10k`, `map_10k`): in memory, no store.
//!   The time is the client's for the whole call, so it includes HTTP and the JSON of the input
//!   and output (map_10k's are ~300 KB each). No goal: it shows the server path around the
//!   interpreter, not durability.
//! - STANDARD, durable, to the history limit (`choice_loop_10k`, `map_10k`): these workloads
//!   make ~40,000 history events, and a STANDARD execution may have 25,000, so on a STANDARD
//!   machine they run until the limit and then fail with `States.Runtime`, as on AWS. What is
//!   timed is real durable work on the 10k workloads themselves: StartExecution to the failure
//!   seen by DescribeExecution, with every transition's events committed (25,000 events).
//!   Transitions are counted from the stored history (its `…StateEntered` events). The
//!   in-memory figure is the very same execution (STANDARD, to the limit) in `estado bench`, so
//!   the share is the ratio of the two times. Goal: >= 0.5x.
//! - In every case the requests are written before the clock starts (the client's encoding of
//!   map_10k's ~300 KB StartExecution is not the server's work), and DescribeExecution is asked
//!   for the status only (`includedData` `METADATA_ONLY`) until the execution has ended: the
//!   clock stops then, and the whole description (the output) is read after it, for the check,
//!   as the sustained cases always did. Otherwise every poll had the server send back, and this
//!   client parse, the execution's whole input (208 KB for map_10k).
//! - STANDARD, durable, one at a time (`choice_loop_1k`, `map_1k`, the largest sizes of these
//!   machines that end within the limit): StartExecution to SUCCEEDED seen by
//!   DescribeExecution. One execution's latency: it includes at least one fsync of the WAL
//!   (~2.2 ms on this machine's disk), more than the whole in-memory run of these workloads
//!   (~0.65 ms for choice_loop_1k), so no goal is set on it.
//! - STANDARD, durable, sustained (`choice_loop_1k`, `map_1k`): `--concurrency` executions in
//!   flight until `sustained` have run, timed from the first start until none runs: the
//!   server's durable transition rate when commits are shared. Goal: >= 0.5x.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use estado_json::{json, Value};

use super::client::{output_of, Sfn};
use super::figure::{secs, si, Figure, Goal};
use super::inmemory::{InMemory, LIMIT_CAUSE};
use super::pool::run_all;
use super::workloads::Workload;

/// A durable figure meets its goal at this share of the in-memory figure.
pub const GOAL_SHARE: f64 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Path {
    /// StartSyncExecution on an EXPRESS machine: no store.
    Express,
    /// StartExecution on a STANDARD machine of a workload that ends past the history limit:
    /// it runs until the limit, durably, and fails there.
    DurableToLimit,
    /// StartExecution on a STANDARD machine, one at a time.
    Durable,
    /// StartExecution on a STANDARD machine, many in flight.
    DurableSustained,
}

impl Path {
    pub fn machine_type(self) -> &'static str {
        match self {
            Path::Express => "EXPRESS",
            _ => "STANDARD",
        }
    }

    /// How the figure is named after its workload.
    pub fn label(self) -> &'static str {
        match self {
            Path::Express => "EXPRESS",
            Path::DurableToLimit => "STANDARD durable, to the 25,000-event limit",
            Path::Durable => "STANDARD durable, one at a time",
            Path::DurableSustained => "STANDARD durable, sustained",
        }
    }

    /// Whether the case has a goal (and so is measured in paired rounds: see [`run`]).
    pub fn goal(self) -> bool {
        matches!(self, Path::DurableToLimit | Path::DurableSustained)
    }
}

/// What is measured, in this order.
pub const CASES: [(&str, Path); 8] = [
    ("choice_loop_10k", Path::Express),
    ("map_10k", Path::Express),
    ("choice_loop_10k", Path::DurableToLimit),
    ("map_10k", Path::DurableToLimit),
    ("choice_loop_1k", Path::Durable),
    ("map_1k", Path::Durable),
    ("choice_loop_1k", Path::DurableSustained),
    ("map_1k", Path::DurableSustained),
];

pub struct Params {
    /// Measured executions per one-at-a-time case (after one warm-up).
    pub runs: usize,
    /// Executions in flight at once for the sustained cases.
    pub in_flight: usize,
    /// Executions in all for the sustained cases.
    pub sustained: usize,
    /// Paired rounds (the in-memory figure, then the server's) for the cases with a goal.
    pub rounds: usize,
    pub tag: String,
}

/// Measures one case; `in_memory` gives `estado bench`'s figure (or why there is none): of the
/// same workload and type, except for [`Path::DurableToLimit`], whose in-memory run is the same
/// execution to the limit, compared by time (its rate is the server's transitions over the
/// in-memory time).
///
/// A case with a goal is measured in `p.rounds` paired rounds: each takes a fresh in-memory
/// figure and then the server's, one right after the other, and the figure is the round whose
/// share is the median (every round is printed). This machine's speed moves by up to 1.7x
/// within minutes; an in-memory figure taken once, minutes before the server's, made the same
/// binary's share range from 0.35x to 0.65x from one run of `estado load` to the next.
pub async fn run(
    sfn: Arc<Sfn>,
    w: &Workload,
    path: Path,
    mut in_memory: impl FnMut() -> Result<InMemory, String>,
    p: &Params,
) -> anyhow::Result<Figure> {
    let kind = match path {
        Path::Express => "express",
        Path::DurableToLimit => "limit",
        Path::Durable => "single",
        Path::DurableSustained => "sustained",
    };
    let machine = sfn
        .create_state_machine(
            &format!("load-{}-{kind}-{}", w.name, p.tag),
            &w.definition,
            path.machine_type(),
        )
        .await?;
    let rounds = if path.goal() { p.rounds.max(1) } else { 1 };
    let mut measured = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let mem = in_memory();
        let m = match path {
            Path::DurableSustained => sustained(&sfn, w, &machine, p, round).await?,
            _ => one_at_a_time(&sfn, w, path, &machine, p, round).await?,
        };
        let mem = mem.map(|mem| match path {
            Path::DurableToLimit => m.transitions as f64 / mem.median_seconds,
            _ => mem.transitions_per_second,
        });
        let share = mem.as_ref().ok().map(|mem| m.rate / mem);
        measured.push((m, mem, share));
    }
    let wrong: usize = measured.iter().map(|(m, _, _)| m.wrong).sum();
    let all_rounds: Vec<Value> = measured
        .iter()
        .map(|(m, mem, share)| {
            json!({
                "transitions_per_second": m.rate,
                "in_memory_transitions_per_second": mem.as_ref().ok(),
                "share_of_in_memory": share,
            })
        })
        .collect();
    let rounds_text = (rounds > 1).then(|| {
        measured
            .iter()
            .map(|(m, mem, share)| match (mem, share) {
                (Ok(mem), Some(share)) => {
                    format!("{}/s vs {}/s = {share:.2}x", si(m.rate), si(*mem))
                }
                _ => format!("{}/s", si(m.rate)),
            })
            .collect::<Vec<_>>()
            .join(", ")
    });
    // The round whose share is the median (the lower middle one of an even number).
    let mut order: Vec<usize> = (0..measured.len()).collect();
    order.sort_by(|&a, &b| {
        let key = |i: usize| measured[i].2.unwrap_or(measured[i].0.rate);
        key(a).total_cmp(&key(b))
    });
    let (m, in_memory, share) = measured.swap_remove(order[(order.len() - 1) / 2]);
    let (compare, goal) = match (&in_memory, share) {
        (Ok(mem), Some(share)) => {
            let goal = path.goal().then(|| Goal {
                text: format!(">= {GOAL_SHARE}x in-memory"),
                met: share >= GOAL_SHARE,
            });
            (format!("in-memory {}/s, {share:.2}x", si(*mem)), goal)
        }
        (Err(why), _) => (format!("no in-memory figure: {why}"), None),
        (Ok(_), None) => ("no in-memory figure".to_owned(), None),
    };
    let mut text = format!("{}/s ({}); {compare}", si(m.rate), m.how);
    if let Some(r) = rounds_text {
        text.push_str(&format!(
            "; the median of {rounds} paired rounds (server vs in-memory): {r}"
        ));
    }
    if wrong > 0 {
        text.push_str(&format!("; {wrong} answers wrong"));
    }
    let mut details = m.details;
    details["rounds"] = json!(all_rounds);
    details["workload"] = json!(w.name);
    details["machine_type"] = json!(path.machine_type());
    details["path"] = json!(path.label());
    details["transitions_per_second"] = json!(m.rate);
    details["in_memory_transitions_per_second"] = json!(in_memory.as_ref().ok());
    details["in_memory_error"] = json!(in_memory.as_ref().err());
    details["share_of_in_memory"] = json!(share);
    details["wrong_answers"] = json!(wrong);
    Ok(Figure {
        phase: "transitions",
        name: format!("{} {}", w.name, path.label()),
        value: m.rate,
        unit: "transitions/s",
        text,
        goal,
        correct: wrong == 0,
        details,
    })
}

/// What one case measured.
struct Measured {
    rate: f64,
    transitions: u64,
    /// How the rate came about, as people read it.
    how: String,
    wrong: usize,
    details: Value,
}

/// One execution at a time, `p.runs` times after a warm-up; the median time.
async fn one_at_a_time(
    sfn: &Sfn,
    w: &Workload,
    path: Path,
    machine: &str,
    p: &Params,
    round: usize,
) -> anyhow::Result<Measured> {
    let input = w.inputs[0].to_string();
    let expected = &w.expected[0];
    let mut times = Vec::with_capacity(p.runs);
    let mut wrong = 0usize;
    let mut history: Option<Stored> = None;
    for run in 0..=p.runs {
        // The request is written before the clock starts (map_10k's is ~300 KB of JSON).
        let (took, answer) = match path {
            Path::Express => {
                let body = Sfn::start_body(machine, None, &input)?;
                let t = Instant::now();
                let answer = sfn.start_sync_prepared(body).await?;
                (t.elapsed(), answer)
            }
            _ => {
                let body = Sfn::start_body(machine, Some(&format!("r{round}-{run}")), &input)?;
                let t = Instant::now();
                let arn = sfn.start_prepared(body).await?;
                until_ended(sfn, &arn).await?;
                let took = t.elapsed();
                // The clock stopped when the execution was seen to have ended; its whole
                // description (the output) is read for the check after.
                let answer = sfn.describe_execution(&arn).await?;
                if history.is_none() {
                    history = Some(stored_history(sfn, &arn, path).await?);
                }
                (took, answer)
            }
        };
        wrong += usize::from(!right_answer(path, &answer, expected));
        // Run 0 warms up: definition compiled and cached, connections open.
        if run > 0 {
            times.push(took.as_secs_f64());
        }
    }
    times.sort_by(f64::total_cmp);
    let median = times[times.len() / 2];
    let transitions = match (&history, path) {
        (Some(h), Path::DurableToLimit) => h.transitions as u64,
        _ => w.transitions_per_execution,
    };
    let rate = transitions as f64 / median;
    let how = match (path, &history) {
        (Path::Express, _) => format!(
            "{transitions} transitions in {} median of {}; StartSyncExecution, in memory, no store",
            secs(median),
            times.len()
        ),
        (_, h) => format!(
            "{transitions} transitions in {} median of {}; StartExecution to {} seen by \
             DescribeExecution, {} events written",
            secs(median),
            times.len(),
            if path == Path::DurableToLimit {
                "FAILED (States.Runtime, the history limit)"
            } else {
                "SUCCEEDED"
            },
            h.as_ref().map_or("?".into(), |h| h.events.to_string())
        ),
    };
    Ok(Measured {
        rate,
        transitions,
        how,
        wrong,
        details: json!({
            "transitions_per_execution": transitions,
            "runs": times.len(),
            "times_seconds": times,
            "median_seconds": median,
            "history_events": history.as_ref().map(|h| h.events),
        }),
    })
}

/// `p.sustained` executions, `p.in_flight` at a time, timed from the first start until none
/// runs.
async fn sustained(
    sfn: &Arc<Sfn>,
    w: &Workload,
    machine: &str,
    p: &Params,
    round: usize,
) -> anyhow::Result<Measured> {
    let input = w.inputs[0].to_string();
    let expected = &w.expected[0];
    // A warm-up execution: definition compiled and cached.
    let warm = sfn
        .start_execution(machine, &format!("warm-up-{round}"), &input)
        .await?;
    until_ended(sfn, &warm).await?;

    // Every request is written before the clock starts, each taken by the call that sends it.
    let bodies = (0..p.sustained)
        .map(|i| Sfn::start_body(machine, Some(&format!("s{round}-{i}")), &input).map(Some))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let bodies = Arc::new(std::sync::Mutex::new(bodies));
    let t = Instant::now();
    let arns = {
        let sfn = sfn.clone();
        run_all(p.sustained, p.in_flight, move |i| {
            let sfn = sfn.clone();
            let body = bodies.lock().ok().and_then(|mut b| b[i].take());
            async move {
                match body {
                    Some(body) => sfn.start_prepared(body).await,
                    None => bail!("the request of execution {i} was taken already"),
                }
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
    let took = t.elapsed().as_secs_f64();
    let mut wrong = 0;
    for arn in &arns {
        let answer = sfn.describe_execution(arn).await?;
        wrong += usize::from(!right_answer(Path::Durable, &answer, expected));
    }
    // Spot checks that the histories are there, whole.
    let mut events = None;
    for arn in [arns.first(), arns.last()].into_iter().flatten() {
        events = Some(
            stored_history(sfn, arn, Path::DurableSustained)
                .await?
                .events,
        );
    }
    let transitions = w.transitions_per_execution * arns.len() as u64;
    let rate = transitions as f64 / took;
    Ok(Measured {
        rate,
        transitions: w.transitions_per_execution,
        how: format!(
            "{} executions, {} in flight, {transitions} transitions in {}; first StartExecution \
             until ListExecutions RUNNING is empty, {} events written each",
            arns.len(),
            p.in_flight,
            secs(took),
            events.map_or("?".into(), |n| n.to_string())
        ),
        wrong,
        details: json!({
            "executions": arns.len(),
            "in_flight": p.in_flight,
            "transitions_per_execution": w.transitions_per_execution,
            "seconds": took,
            "history_events": events,
        }),
    })
}

fn right_answer(path: Path, answer: &Value, expected: &Value) -> bool {
    match path {
        Path::DurableToLimit => {
            answer["status"] == "FAILED"
                && answer["error"] == "States.Runtime"
                && answer["cause"] == LIMIT_CAUSE
        }
        _ => answer["status"] == "SUCCEEDED" && output_of(answer).as_ref() == Some(expected),
    }
}

/// Asks DescribeExecution (its status only: see [`Sfn::execution_status`]) until the
/// execution is no longer RUNNING; answers the last answer. Asked back to back, without
/// sleeping: a timer would round each wait up to a millisecond.
async fn until_ended(sfn: &Sfn, arn: &str) -> anyhow::Result<Value> {
    loop {
        let answer = sfn.execution_status(arn).await?;
        if answer["status"] != "RUNNING" {
            return Ok(answer);
        }
        tokio::task::yield_now().await;
    }
}

/// What a finished execution's stored history holds.
struct Stored {
    events: usize,
    /// `…StateEntered` events: the transitions that were recorded.
    transitions: usize,
}

/// The whole history must open with ExecutionStarted, close with the expected terminal event,
/// and have ids 1, 2, 3, ...
async fn stored_history(sfn: &Sfn, arn: &str, path: Path) -> anyhow::Result<Stored> {
    let events = sfn.history(arn).await?;
    let first = events.first().and_then(|e| e["type"].as_str());
    let last = events.last().and_then(|e| e["type"].as_str());
    let end = match path {
        Path::DurableToLimit => "ExecutionFailed",
        _ => "ExecutionSucceeded",
    };
    if first != Some("ExecutionStarted") || last != Some(end) {
        bail!("the history of {arn} runs from {first:?} to {last:?}");
    }
    if let Some((i, _)) = events
        .iter()
        .enumerate()
        .find(|(i, e)| e["id"].as_u64() != Some(*i as u64 + 1))
    {
        bail!("the history of {arn} has event #{} out of place", i + 1);
    }
    let transitions = events
        .iter()
        .filter(|e| {
            e["type"]
                .as_str()
                .is_some_and(|t| t.ends_with("StateEntered"))
        })
        .count();
    Ok(Stored {
        events: events.len(),
        transitions,
    })
}
