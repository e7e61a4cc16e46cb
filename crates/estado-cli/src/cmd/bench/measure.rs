//! One workload measured: its runs timed, its heap counted, its answers checked.
//!
//! What is timed is the execution phase only, as in the peer's figures: the definition is
//! validated and compiled, and the inputs parsed and copied, before the clock starts. Every
//! run's answers are checked against the expected outputs after its clock stops.

use std::sync::Arc;
use std::time::{Duration, Instant};

use estado_interp::Status;
use estado_json::Value;

use super::fleet::{mismatch, Fleet, Machine};
use super::workload::{Mode, Workload};
use crate::alloc;

/// How many wrong answers are described in full (the rest are only counted).
const FAILURES_SHOWN: usize = 3;

/// What the runs of one workload showed.
#[derive(Debug, Default)]
pub struct Measurement {
    /// Execution-phase wall time of each measured run.
    pub times: Vec<Duration>,
    /// The most heap the counted (first, unmeasured) run held above what was in use before it
    /// began (the inputs' copies the executions own included).
    pub heap_peak: usize,
    /// `many_concurrent`: heap held per execution while all of them wait on their timers.
    pub heap_per_waiting: Option<usize>,
    /// Transitions the interpreter counted in one run, all executions together.
    pub transitions: u64,
    /// History events recorded in one run, all executions together.
    pub history_events: u64,
    /// Wrong answers of all runs: how many, and the first few described.
    pub wrong: usize,
    pub failures: Vec<String>,
}

impl Measurement {
    /// The median run time (the mean of the two middle ones for an even count).
    pub fn median(&self) -> Duration {
        let mut t = self.times.clone();
        t.sort();
        match t.len() {
            0 => Duration::ZERO,
            n if n % 2 == 1 => t[n / 2],
            n => (t[n / 2 - 1] + t[n / 2]) / 2,
        }
    }

    fn check(&mut self, index: usize, status: &Status, expected: &Value) {
        if let Some(why) = mismatch(status, expected) {
            self.wrong += 1;
            if self.failures.len() < FAILURES_SHOWN {
                self.failures.push(format!("execution {index}: {why}"));
            }
        }
    }
}

/// Run `w` `warmup` times unmeasured (answers still checked), then `runs` times measured.
pub fn measure(
    machine: &Machine,
    w: &Workload,
    warmup: usize,
    runs: usize,
    now: i64,
) -> Measurement {
    let mut m = Measurement::default();
    // The first run (a warm-up one, or an extra one when there is no warm-up) counts the heap;
    // the others are timed without counting, which costs two locked atomic operations per
    // allocation (see `alloc`).
    let counted = warmup.max(1);
    for r in 0..counted.max(warmup) + runs {
        let counting = r == 0;
        alloc::set_counting(counting);
        let run = match w.mode {
            Mode::Single => single(machine, w, now, &mut m),
            Mode::Many => many(machine, w, now, &mut m),
            Mode::ManyConcurrent => concurrent(machine, w, now, &mut m),
        };
        alloc::set_counting(false);
        if counting {
            m.heap_peak = run.heap_peak;
            m.heap_per_waiting = run.heap_per_waiting;
        }
        if r >= counted {
            m.times.push(run.time);
        }
        m.transitions = run.transitions;
        m.history_events = run.history_events;
    }
    m
}

struct Run {
    time: Duration,
    heap_peak: usize,
    heap_per_waiting: Option<usize>,
    transitions: u64,
    history_events: u64,
}

/// One execution to its end. The clock stops when it has ended: freeing its history
/// afterwards is not part of the execution.
fn single(machine: &Machine, w: &Workload, now: i64, m: &mut Measurement) -> Run {
    alloc::reset_peak();
    let base = alloc::in_use();
    let input = w.inputs.first().map_or(Value::Null, Value::clone);
    let input = Arc::new(input);

    let started = Instant::now();
    let mut fleet = Fleet::new(machine, now);
    fleet.start(0, input);
    fleet.run_timers();
    let time = started.elapsed();
    let heap_peak = alloc::peak().saturating_sub(base);

    let (mut transitions, mut history_events) = (0, 0);
    for (i, (exec, expected)) in fleet.executions().iter().zip(&w.expected).enumerate() {
        transitions += exec.transitions();
        history_events += exec.history_len() as u64;
        m.check(i, exec.status(), expected);
    }
    Run {
        time,
        heap_peak,
        heap_per_waiting: None,
        transitions,
        history_events,
    }
}

/// Each execution to its end before the next starts. Finished executions are dropped inside
/// the timed loop (freeing is part of the per-execution cost), their status kept for the
/// check.
fn many(machine: &Machine, w: &Workload, now: i64, m: &mut Measurement) -> Run {
    alloc::reset_peak();
    let base = alloc::in_use();
    let inputs: Vec<Arc<Value>> = w.inputs.iter().map(|v| Arc::new(v.clone())).collect();
    let mut statuses: Vec<Status> = Vec::with_capacity(inputs.len());
    let (mut transitions, mut history_events) = (0, 0);

    let started = Instant::now();
    let mut fleet = Fleet::with_capacity(machine, now, 1);
    for (i, input) in inputs.into_iter().enumerate() {
        fleet.start(i, input);
        fleet.run_timers();
        for exec in fleet.executions() {
            transitions += exec.transitions();
            history_events += exec.history_len() as u64;
            statuses.push(exec.status().clone());
        }
        fleet.clear();
    }
    let time = started.elapsed();
    let heap_peak = alloc::peak().saturating_sub(base);

    for (i, (status, expected)) in statuses.iter().zip(&w.expected).enumerate() {
        m.check(i, status, expected);
    }
    Run {
        time,
        heap_peak,
        heap_per_waiting: None,
        transitions,
        history_events,
    }
}

/// Every execution started (each runs until it waits on its timer), the heap they hold
/// counted, then every timer fired on the virtual clock.
fn concurrent(machine: &Machine, w: &Workload, now: i64, m: &mut Measurement) -> Run {
    alloc::reset_peak();
    let base = alloc::in_use();
    let inputs: Vec<Arc<Value>> = w.inputs.iter().map(|v| Arc::new(v.clone())).collect();
    let count = inputs.len();

    let started = Instant::now();
    let mut fleet = Fleet::with_capacity(machine, now, count);
    for (i, input) in inputs.into_iter().enumerate() {
        fleet.start(i, input);
    }
    let waiting_heap = alloc::in_use().saturating_sub(base);
    let waiting = fleet
        .executions()
        .iter()
        .filter(|x| !x.status().is_terminal())
        .count();
    fleet.run_timers();
    let time = started.elapsed();
    let heap_peak = alloc::peak().saturating_sub(base);

    if waiting != count {
        m.wrong += 1;
        m.failures.push(format!(
            "{waiting} of {count} executions were waiting once all had started"
        ));
    }
    let (mut transitions, mut history_events) = (0, 0);
    for (i, (exec, expected)) in fleet.executions().iter().zip(&w.expected).enumerate() {
        transitions += exec.transitions();
        history_events += exec.history_len() as u64;
        m.check(i, exec.status(), expected);
    }
    Run {
        time,
        heap_peak,
        heap_per_waiting: Some(waiting_heap / count.max(1)),
        transitions,
        history_events,
    }
}
