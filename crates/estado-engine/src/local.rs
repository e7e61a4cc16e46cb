//! Runs one execution in memory from start to end, with no store: express executions and
//! `estado run`.
//!
//! Tasks run concurrently (a Parallel state's branches call their runners at once) while
//! timers wait, so `TimeoutSeconds` and `HeartbeatSeconds` cut a slow task short as they do in
//! the durable runtime.
//!
//! Time: the execution's clock is the real clock plus an offset. A Wait state's or a retry's
//! timer waits `scale` times its length in real time and then moves the offset forward to its
//! due time, so the execution sees the full wait (Step Functions Local's `WAIT_TIME_SCALE`).
//! Task timeouts and heartbeats race real work and so run in real time; when nothing is
//! running, nothing but the next timer can happen, and every timer is scaled.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::future::Future;
use std::time::Duration;

use estado_asl::model::Program;
use estado_interp::{Delivery, Effect, Env, ExecInfo, Execution, TaskRequest};
use estado_types::history::HistoryEvent;
use tokio::task::JoinSet;

use crate::clock::Clock;

/// Runs `exec` until it ends or has nothing left to wait for. `run_task` starts one task (it
/// is spawned, so it must own what it uses); `events` receives the history as it grows, or,
/// when `None`, the history is dropped as it grows (not collected only to be thrown away).
pub async fn drive<F, Fut>(
    program: &Program,
    exec: &mut Execution,
    clock: &dyn Clock,
    scale: f64,
    run_task: F,
    mut events: Option<impl FnMut(Vec<HistoryEvent>)>,
) where
    F: Fn(ExecInfo, TaskRequest) -> Fut,
    Fut: Future<Output = Delivery> + Send + 'static,
{
    let scale = scale.abs();
    // Execution time minus real time.
    let mut offset: i64 = 0;
    let now = |offset: i64, exec: &Execution| (clock.now_ms() + offset).max(exec.now_millis());
    let mut timers: BinaryHeap<Reverse<(i64, u64)>> = BinaryHeap::new();
    let mut cancelled: HashSet<u64> = HashSet::new();
    let mut running: JoinSet<(u64, Delivery)> = JoinSet::new();
    let mut tasks: HashMap<u64, tokio::task::AbortHandle> = HashMap::new();
    let mut effect_of: HashMap<tokio::task::Id, u64> = HashMap::new();
    loop {
        let env = Env {
            now_millis: now(offset, exec),
        };
        for e in exec.run(program, env) {
            match e {
                Effect::StartTimer { id, due_millis } => timers.push(Reverse((due_millis, id))),
                Effect::CancelTimer { id } => {
                    cancelled.insert(id);
                }
                Effect::RunTask(req) => {
                    let id = req.id;
                    let task = run_task(exec.info().clone(), req);
                    let handle = running.spawn(async move { (id, task.await) });
                    effect_of.insert(handle.id(), id);
                    tasks.insert(id, handle);
                }
                Effect::CancelTask { id } => {
                    if let Some(h) = tasks.remove(&id) {
                        h.abort();
                    }
                }
            }
        }
        match events.as_mut() {
            Some(keep) => keep(exec.take_new_events()),
            None => exec.discard_new_events(),
        }
        if exec.status().is_terminal() {
            break;
        }
        while let Some(Reverse((_, id))) = timers.peek() {
            if cancelled.remove(id) {
                timers.pop();
            } else {
                break;
            }
        }
        let next = timers.peek().map(|Reverse(t)| *t);
        if tasks.is_empty() && next.is_none() {
            // Blocked on nothing this driver can deliver (the caller reports it).
            break;
        }
        let sleep = next.map(|(due, id)| {
            let rate = if exec.timer_scales(id) || tasks.is_empty() {
                scale
            } else {
                1.0
            };
            let gap = (due - now(offset, exec)).max(0) as f64 * rate;
            Duration::from_millis(gap as u64)
        });
        tokio::select! {
            done = running.join_next(), if !tasks.is_empty() => {
                let d = match done {
                    Some(Ok((id, d))) => tasks.remove(&id).map(|_| d),
                    // A runner that panicked fails its task rather than leaving it running.
                    Some(Err(e)) if e.is_panic() => effect_of
                        .remove(&e.id())
                        .and_then(|id| tasks.remove(&id).map(|_| runner_panicked(id))),
                    _ => None,
                };
                if let Some(d) = d {
                    let env = Env { now_millis: now(offset, exec) };
                    exec.deliver(program, d, env);
                }
            }
            _ = tokio::time::sleep(sleep.unwrap_or_default()), if sleep.is_some() => {
                if let Some(Reverse((due, id))) = timers.pop() {
                    let current = now(offset, exec);
                    if due > current {
                        offset += due - current;
                    }
                    let env = Env { now_millis: now(offset, exec) };
                    exec.deliver(program, Delivery::TimerFired { id }, env);
                }
            }
        }
    }
}

/// The outcome of a task whose runner panicked.
pub(crate) fn runner_panicked(id: u64) -> Delivery {
    Delivery::TaskFailed {
        id,
        error: "States.TaskFailed".into(),
        cause: "The task's runner failed unexpectedly (an internal error in Estado).".into(),
    }
}
