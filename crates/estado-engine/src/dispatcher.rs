//! Task dispatch: runner tasks (Lambda functions, HTTP calls, nested executions, mocks) leave a
//! step as [`Dispatch`] rows committed with their `TaskScheduled` event, run here, and come back
//! as inbox rows.
//!
//! A step that schedules a task commits its dispatch leased to this node and hands it straight
//! to the dispatch loop, so the common case costs no claim. The dispatch loop is the
//! backstop: it claims dispatches that are queued or whose lease ended (another node died, or
//! this node restarted: `release_leases` frees them at start), and renews the leases of the
//! tasks running here so that a task longer than a lease is not run twice.
//!
//! The outcome goes back with [`estado_store::Store::complete_dispatch`], which removes the dispatch and adds
//! the inbox row (keyed by the effect id, so delivering twice is harmless) in one transaction.
//! A task whose execution no longer wants it (a timeout, a stop, a failed Parallel branch) has
//! its dispatch deleted by that step; here it is aborted, and an outcome arriving anyway finds
//! no dispatch and is dropped.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use estado_interp::{Delivery, ExecInfo, TaskRequest};
use estado_json::Value;
use estado_store::{Dispatch, NewInbox, StoreError};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;
use tokio::task::{AbortHandle, JoinSet};

use crate::inbox::Payload;
use crate::runtime::Runtime;

/// What a dispatch row carries: the task and the facts of its execution a runner may use.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DispatchPayload {
    pub request: TaskRequest,
    /// The execution's info, without its input (runners get the task's input; the execution's
    /// own input would only make every row as large as it).
    pub info: ExecInfo,
}

impl DispatchPayload {
    pub fn new(request: TaskRequest, info: &ExecInfo) -> Self {
        let mut info = info.clone();
        info.input = Arc::new(Value::Null);
        DispatchPayload { request, info }
    }
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
    pub fn decode(bytes: &[u8]) -> Option<Self> {
        serde_json::from_slice(bytes).ok()
    }
}

type Key = (String, u64);

/// The tasks handed to or running on this node, to abort them when their execution cancels
/// them and to renew their leases. `None`: handed over by a step, not started yet.
#[derive(Default)]
pub(crate) struct InFlight {
    tasks: Mutex<HashMap<Key, Option<AbortHandle>>>,
}

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Key, Option<AbortHandle>>> {
        self.tasks.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub(crate) fn keys(&self) -> Vec<Key> {
        self.lock().keys().cloned().collect()
    }
    /// Stops a task, or keeps it from starting.
    pub(crate) fn abort(&self, execution_arn: &str, effect_id: u64) {
        if let Some(Some(h)) = self.lock().remove(&(execution_arn.to_owned(), effect_id)) {
            h.abort();
        }
    }
}

struct AbortOnDrop(AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// How a runner's answer goes back to the execution.
fn outcome_row(req: &TaskRequest, outcome: Delivery, now_ms: i64) -> NewInbox {
    let (key, d) = match (&req.task_token, outcome) {
        // A callback's call went out: the task has started and waits for its token. Not keyed
        // by the effect id, which the token's answer uses (it may even come first).
        (Some(_), Delivery::TaskSucceeded { output, .. }) => {
            (None, Delivery::TaskSubmitted { id: req.id, output })
        }
        (_, d) => (Some(req.id), d),
    };
    NewInbox {
        due_ms: now_ms,
        key,
        payload: Payload::Deliver(d).encode(),
    }
}

impl Runtime {
    /// Run a dispatch leased to this node (by the dispatch loop, which owns the tasks so that
    /// stopping it stops them).
    pub(crate) fn spawn_dispatch(&self, d: Dispatch) {
        let key = (d.execution_arn.clone(), d.effect_id);
        self.in_flight.lock().entry(key).or_insert(None);
        // Fails only when the loop is gone (shut down): the dispatch stays for the next start.
        let _ = self.dispatch_tx.send(d);
    }

    /// Starts a dispatch handed over by a step (`handed`: unless cancelled meanwhile) or
    /// claimed from the store (unless it is here already).
    fn start_dispatch(self: &Arc<Self>, running: &mut JoinSet<()>, d: Dispatch, handed: bool) {
        let key = (d.execution_arn.clone(), d.effect_id);
        let mut tasks = self.in_flight.lock();
        let startable = match tasks.get(&key) {
            Some(None) => handed,
            Some(Some(_)) => false,
            None => !handed,
        };
        if !startable {
            return;
        }
        let rt = self.clone();
        // Registered under the lock, so the task cannot finish (and unregister) first.
        let handle = running.spawn(async move {
            rt.run_dispatch(d).await;
        });
        tasks.insert(key, Some(handle));
    }

    async fn run_dispatch(self: Arc<Self>, d: Dispatch) {
        let row = match DispatchPayload::decode(&d.payload) {
            Some(p) => {
                // On a task of its own, so that a panicking runner fails the task instead of
                // leaving it running (and renewed) forever; aborted with this one.
                let rt = self.clone();
                let (info, req) = (p.info.clone(), p.request.clone());
                let runner = tokio::spawn(async move { rt.run_task(&info, &req).await });
                let guard = AbortOnDrop(runner.abort_handle());
                let outcome = match runner.await {
                    Ok(d) => d,
                    Err(_) => crate::local::runner_panicked(p.request.id),
                };
                drop(guard);
                if self.runners().mocked(&p.info, &p.request.state_name) {
                    // A mock's answer is final, whatever the integration pattern.
                    NewInbox {
                        due_ms: self.clock.now_ms(),
                        key: Some(p.request.id),
                        payload: Payload::Deliver(outcome).encode(),
                    }
                } else {
                    outcome_row(&p.request, outcome, self.clock.now_ms())
                }
            }
            None => NewInbox {
                due_ms: self.clock.now_ms(),
                key: Some(d.effect_id),
                payload: Payload::Deliver(Delivery::TaskFailed {
                    id: d.effect_id,
                    error: "States.Runtime".into(),
                    cause: "The task's dispatch record is unreadable.".into(),
                })
                .encode(),
            },
        };
        let mut delay = Duration::from_millis(50);
        for attempt in 0.. {
            match self
                .store
                .complete_dispatch(&d.execution_arn, d.effect_id, row.clone())
                .await
            {
                Ok(_) => break,
                Err(StoreError::Backend {
                    retryable: true,
                    message,
                }) if attempt < 5 => {
                    tracing::debug!("completing a task of {} failed: {message}", d.execution_arn);
                    tokio::time::sleep(delay).await;
                    delay *= 2;
                }
                Err(e) => {
                    // The dispatch stays; once its lease ends it runs again.
                    tracing::warn!("completing a task of {} failed: {e}", d.execution_arn);
                    break;
                }
            }
        }
        self.in_flight
            .lock()
            .remove(&(d.execution_arn.clone(), d.effect_id));
        self.poke();
    }

    /// Runs the dispatches handed over by steps, claims free ones and renews the leases of
    /// running ones, until `stop` is set.
    pub(crate) async fn dispatch_loop(self: Arc<Self>, mut stop: watch::Receiver<bool>) {
        let Some(mut handed) = self
            .dispatch_rx
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        else {
            tracing::warn!("the dispatch loop of this runtime is running already");
            return;
        };
        let lease = self.config.lease_ms.max(3);
        // Renew well before a lease ends; look for free dispatches as often.
        let every = Duration::from_millis((lease / 3) as u64);
        let mut running: JoinSet<()> = JoinSet::new();
        let mut next_round = tokio::time::Instant::now();
        loop {
            tokio::select! {
                _ = stop.wait_for(|s| *s) => break,
                Some(d) = handed.recv() => {
                    self.start_dispatch(&mut running, d, true);
                    continue;
                }
                Some(_) = running.join_next(), if !running.is_empty() => continue,
                _ = tokio::time::sleep_until(next_round) => {}
            }
            next_round = tokio::time::Instant::now() + every;
            let now = self.clock.now_ms();
            let keys = self.in_flight.keys();
            if !keys.is_empty() {
                if let Err(e) = self
                    .store
                    .renew_dispatches(&self.config.owner, &keys, now + lease)
                    .await
                {
                    tracing::warn!("renewing task leases failed: {e}");
                }
            }
            match self
                .store
                .claim_dispatches(&self.config.owner, now, lease, self.config.batch)
                .await
            {
                Ok(claimed) => {
                    for d in claimed {
                        self.start_dispatch(&mut running, d, false);
                    }
                }
                Err(e) => tracing::warn!("claiming tasks failed: {e}"),
            }
        }
        // Tasks still running are abandoned: their dispatches stay, and run again after a
        // restart (or on another node once their leases end).
        running.abort_all();
        self.in_flight.lock().clear();
    }
}
