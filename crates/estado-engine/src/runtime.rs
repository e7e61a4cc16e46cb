//! The step workers: claim executions with due inbox rows, run them, commit.

use std::sync::Arc;
use std::time::Duration;

use estado_interp::{Delivery, Effect, Env, ExecInfo, Execution, MachineType, Status, TaskRequest};
use estado_json::Value;
pub use estado_runners::{Registry, TaskRunner};
use estado_store::{
    Claim, Dispatch, ExecutionUpdate, NewExecution, NewInbox, StepCommit, Store, StoreError, Task,
};
use tokio::sync::{broadcast, Notify, Semaphore};

use crate::clock::Clock;
use crate::dispatcher::{DispatchPayload, InFlight};
use crate::inbox::Payload;
use crate::programs::Programs;

/// Inputs of this many bytes or more are packed beside their first step
/// ([`Runtime::pack_beside`]).
const PACK_BESIDE_FROM: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Identifies this node's leases.
    pub owner: String,
    pub lease_ms: i64,
    /// Executions claimed per round.
    pub batch: usize,
    /// Steps in flight at once.
    pub concurrency: usize,
    /// Real time spent per unit of Wait/retry time (0 = none), like `WAIT_TIME_SCALE`.
    pub time_scale: f64,
    /// The longest the loop sleeps without looking at the store (a backstop for rows added by
    /// other nodes).
    pub poll_ms: u64,
}

impl Default for RuntimeConfig {
    fn default() -> Self {
        RuntimeConfig {
            owner: format!("estado-{}", uuid::Uuid::new_v4()),
            lease_ms: 30_000,
            batch: 256,
            concurrency: 512,
            time_scale: 1.0,
            poll_ms: 1_000,
        }
    }
}

/// What to start.
#[derive(Debug, Clone)]
pub struct StartRequest {
    pub execution_arn: String,
    pub state_machine_arn: String,
    pub state_machine_name: String,
    pub name: String,
    pub definition: String,
    pub role_arn: String,
    pub input: String,
    pub express: bool,
    pub version_arn: Option<String>,
    pub alias_arn: Option<String>,
    pub trace_header: Option<String>,
    /// The mock test case (`StateMachineArn#TestCase`).
    pub test_case: Option<String>,
}

/// An execution reached a terminal status.
#[derive(Debug, Clone)]
pub struct Finished {
    pub execution_arn: String,
    pub status: String,
}

pub struct Runtime {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub config: RuntimeConfig,
    programs: Programs,
    runners: Registry,
    wake: Notify,
    /// New activity tasks were committed (wakes `GetActivityTask` long polls).
    pub activity_ready: Notify,
    finished: broadcast::Sender<Finished>,
    /// The ARN of each execution that committed a step (live views; lagging receivers miss some).
    progress: broadcast::Sender<Arc<str>>,
    permits: Arc<Semaphore>,
    /// Runner tasks running on this node.
    pub(crate) in_flight: InFlight,
    /// Dispatches this node's steps committed, on their way to the dispatch loop.
    pub(crate) dispatch_tx: tokio::sync::mpsc::UnboundedSender<Dispatch>,
    pub(crate) dispatch_rx:
        std::sync::Mutex<Option<tokio::sync::mpsc::UnboundedReceiver<Dispatch>>>,
    /// The service over this runtime, for tasks that call it (nested executions).
    service: std::sync::OnceLock<std::sync::Weak<crate::service::Service>>,
    /// Children of running `.sync` nested tasks, by (parent ARN, effect id): stopped when their
    /// task is cancelled.
    children: std::sync::Mutex<std::collections::HashMap<(String, u64), String>>,
}

#[derive(Debug, thiserror::Error)]
pub enum RedriveError {
    #[error("{0}")]
    NotRedrivable(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("invalid definition: {0}")]
    Definition(String),
    #[error("invalid input: {0}")]
    Input(String),
}

impl Runtime {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        config: RuntimeConfig,
        runners: Registry,
    ) -> Arc<Self> {
        let (finished, _) = broadcast::channel(4096);
        let (progress, _) = broadcast::channel(4096);
        let permits = Arc::new(Semaphore::new(config.concurrency.max(1)));
        let (dispatch_tx, dispatch_rx) = tokio::sync::mpsc::unbounded_channel();
        Arc::new(Runtime {
            store,
            clock,
            config,
            programs: Programs::new(),
            runners,
            wake: Notify::new(),
            activity_ready: Notify::new(),
            finished,
            progress,
            permits,
            in_flight: InFlight::default(),
            dispatch_tx,
            dispatch_rx: std::sync::Mutex::new(Some(dispatch_rx)),
            service: std::sync::OnceLock::new(),
            children: Default::default(),
        })
    }

    /// The task runners (and mocks) of this runtime.
    pub fn runners(&self) -> &Registry {
        &self.runners
    }

    /// Subscribe to executions finishing (for StopExecution and sync waits).
    pub fn subscribe(&self) -> broadcast::Receiver<Finished> {
        self.finished.subscribe()
    }

    /// Tell this node's waiters (StopExecution, `.sync` tasks) that an execution finished on
    /// another node sharing the store.
    pub fn announce_finished(&self, done: Finished) {
        let _ = self.finished.send(done);
    }

    /// Subscribe to executions advancing: each committed step sends its execution's ARN.
    pub fn subscribe_progress(&self) -> broadcast::Receiver<Arc<str>> {
        self.progress.subscribe()
    }

    /// The compiled program of a definition (cached).
    pub fn program(&self, definition: &str) -> Result<Arc<estado_asl::model::Program>, String> {
        self.programs.get(definition)
    }

    /// Look at the store now rather than at the next poll.
    pub fn poke(&self) {
        self.wake.notify_one();
    }

    /// Create an execution in one transaction: `ExecutionStarted` with its first step (see
    /// [`Runtime::first_step`]).
    pub async fn start(&self, req: StartRequest) -> Result<estado_store::Execution, StartError> {
        let input: Value =
            estado_json::from_str(&req.input).map_err(|e| StartError::Input(e.to_string()))?;
        self.start_parsed(req, input).await
    }

    /// [`Runtime::start`] with `req.input` parsed already (`input`), as the API has it after
    /// checking it: a large input is not parsed twice.
    pub async fn start_parsed(
        &self,
        req: StartRequest,
        input: Value,
    ) -> Result<estado_store::Execution, StartError> {
        let program = self
            .programs
            .get(&req.definition)
            .map_err(StartError::Definition)?;
        // Kept here too: the record keeps the input's text, which the history's
        // `ExecutionStarted` then refers to (see `encoding::run`).
        let input = Arc::new(input);
        let now = self.clock.now_ms();
        let machine_type = if req.express {
            MachineType::Express
        } else {
            MachineType::Standard
        };
        let info = ExecInfo {
            execution_arn: req.execution_arn.as_str().into(),
            name: req.name.as_str().into(),
            state_machine_arn: req.state_machine_arn.as_str().into(),
            state_machine_name: req.state_machine_name.as_str().into(),
            role_arn: req.role_arn.as_str().into(),
            start_millis: now,
            input: input.clone(),
            machine_type,
            seed: seed_of(&req.execution_arn, now),
            // Started with StartExecution (EXPRESS ones too: children of a parent's Task).
            redrive_count: machine_type.first_redrive_count(false),
            test_case: req.test_case.clone(),
        };
        let packing = self.pack_beside(&req.input);
        let first = self.first_step(&program, info, now)?;
        let record = estado_store::Execution {
            arn: req.execution_arn,
            state_machine_arn: req.state_machine_arn,
            name: req.name,
            kind: if req.express {
                "EXPRESS".into()
            } else {
                "STANDARD".into()
            },
            status: first
                .update
                .as_ref()
                .map_or_else(|| "RUNNING".into(), |u| u.status.clone()),
            start_ms: now,
            stop_ms: first.update.as_ref().and_then(|u| u.stop_ms),
            input: req.input,
            output: first.update.as_ref().and_then(|u| u.output.clone()),
            error: first.update.as_ref().and_then(|u| u.error.clone()),
            cause: first.update.as_ref().and_then(|u| u.cause.clone()),
            definition: req.definition,
            role_arn: req.role_arn,
            version_arn: req.version_arn,
            alias_arn: req.alias_arn,
            trace_header: req.trace_header,
            redrive_count: 0,
            redrive_ms: None,
            version: 0,
        };
        let runnable = !first.inbox.is_empty();
        // The execution is freed on the encoder's thread when there is one, else while the
        // commit is written, not on the way to it (a large Map's input and state take a while)
        // nor after it.
        let form = crate::encoding::commit_form(
            self.store.as_ref(),
            first.encoding,
            first.events,
            Some(Box::new(first.exec)),
            Some(&input),
        )
        .await?;
        let packed_input = match packing {
            Some(packing) => packing.await.ok().flatten(),
            None => None,
        };
        crate::encoding::freeing_meanwhile(
            self.store.create_execution(NewExecution {
                execution: record.clone(),
                snapshot: first.snapshot,
                chunks: form.chunks,
                events: form.events,
                inbox: first.inbox,
                packed_input,
            }),
            form.litter,
        )
        .await?;
        if self.progress.receiver_count() > 0 {
            let _ = self.progress.send(Arc::from(record.arn.as_str()));
        }
        if let Some(u) = &first.update {
            let _ = self.finished.send(Finished {
                execution_arn: record.arn.clone(),
                status: u.status.clone(),
            });
        }
        if runnable {
            self.poke();
        }
        Ok(record)
    }

    /// Packs a large execution input as the store keeps it ([`Store::document_packer`]) on
    /// another thread, while the first step runs on this one: map_10k's 208 KB input takes
    /// 0.35 ms to compress, which the commit otherwise waited for (bench/LOAD.md, session 10).
    /// Smaller inputs are left to the store, as before: at that rate map_1k's 17 KB input
    /// takes about 0.03 ms, and a server busy with many of them has no idle core to hand
    /// them to.
    fn pack_beside(&self, input: &str) -> Option<tokio::task::JoinHandle<Option<Vec<u8>>>> {
        if input.len() < PACK_BESIDE_FROM {
            return None;
        }
        let pack = self.store.document_packer()?;
        let text = input.to_owned();
        Some(tokio::task::spawn_blocking(move || pack(&text)))
    }

    /// A new execution's first step, run before it is created so that both are one commit:
    /// `ExecutionStarted`, then the states up to the first blocking point (a Wait's timer), or
    /// to the end. A single durable write then starts (and for short machines finishes) an
    /// execution, where a step worker would need a claim and a second commit.
    ///
    /// Only when the step leaves nothing but timers: a step that starts a task is left to the
    /// step workers (task runners can take long, and the response to StartExecution must not
    /// wait for them), so then the execution is created with `ExecutionStarted` alone and its
    /// first step queued, as if this never ran.
    fn first_step(
        &self,
        program: &estado_asl::model::Program,
        info: ExecInfo,
        now: i64,
    ) -> Result<FirstStep, StartError> {
        let env = || Env { now_millis: now };
        let mut exec = Execution::start(program, info.clone(), env());
        let (effects, mut encoding) = crate::encoding::run(
            self.store.as_ref(),
            &mut exec,
            program,
            env(),
            Some(&info.input),
        );
        let timers_only = effects
            .iter()
            .all(|e| matches!(e, Effect::StartTimer { .. } | Effect::CancelTimer { .. }));
        let mut inbox: Vec<NewInbox> = Vec::new();
        let update = if timers_only {
            let exec_now = exec.now_millis();
            for e in effects {
                match e {
                    Effect::StartTimer { id, due_millis } => {
                        inbox.retain(|r| r.key != Some(id));
                        inbox.push(self.timer_row(
                            now,
                            exec_now,
                            id,
                            due_millis,
                            exec.timer_scales(id),
                        ));
                    }
                    Effect::CancelTimer { id } => inbox.retain(|r| r.key != Some(id)),
                    Effect::RunTask(_) | Effect::CancelTask { .. } => {}
                }
            }
            terminal_update(exec.status(), now)
        } else {
            // Effects of `start` (the execution timeout) stay in the snapshot and come out of
            // the first step's `run`.
            exec = Execution::start(program, info, env());
            encoding = None;
            inbox.push(NewInbox {
                due_ms: now,
                key: None,
                payload: Payload::Kick.encode(),
            });
            None
        };
        // Taken before the snapshot, which would keep them otherwise.
        let events = exec.take_new_event_pieces();
        // Without the input: the execution's record keeps it (see `Execution::snapshot`).
        let snapshot = exec
            .snapshot()
            .map_err(|e| StartError::Input(e.to_string()))?;
        Ok(FirstStep {
            exec,
            events,
            encoding,
            snapshot,
            inbox,
            update,
        })
    }

    /// Tell an execution something (a task result, a heartbeat, a stop request).
    pub async fn deliver(
        &self,
        execution_arn: &str,
        key: Option<u64>,
        d: Delivery,
    ) -> Result<bool, StoreError> {
        let row = NewInbox {
            due_ms: self.clock.now_ms(),
            key,
            payload: Payload::Deliver(d).encode(),
        };
        let ok = self.store.deliver(row, execution_arn).await?;
        self.poke();
        Ok(ok)
    }

    /// `RedriveExecution`: reopen the execution and queue its restart.
    pub async fn redrive(&self, execution_arn: &str) -> Result<(), RedriveError> {
        let now = self.clock.now_ms();
        let row = NewInbox {
            due_ms: now,
            key: None,
            payload: Payload::Redrive.encode(),
        };
        if !self.store.reopen(execution_arn, now, row).await? {
            return Err(RedriveError::NotRedrivable(format!(
                "Execution {execution_arn} cannot be redriven"
            )));
        }
        self.poke();
        Ok(())
    }

    /// The inbox row of a timer. `exec_now` is the execution's clock (ahead of `now` after a
    /// scaled Wait); `scaled` says whether the wait-time scale applies (see
    /// [`Execution::timer_scales`]).
    fn timer_row(
        &self,
        now: i64,
        exec_now: i64,
        id: u64,
        virtual_due: i64,
        scaled: bool,
    ) -> NewInbox {
        let rate = if scaled { self.config.time_scale } else { 1.0 };
        let wait = (virtual_due - now.max(exec_now)).max(0) as f64 * rate;
        NewInbox {
            due_ms: now + wait as i64,
            key: Some(id),
            payload: Payload::Timer {
                id,
                virtual_due_ms: virtual_due,
            }
            .encode(),
        }
    }

    /// The step loop and the dispatch loop; returns when `shutdown` completes (runner tasks
    /// still running are abandoned, to run again after a restart).
    pub async fn run(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) {
        let (stop, stopped) = tokio::sync::watch::channel(false);
        // Joined, not spawned: dropping this future (a crash, in tests) stops both loops.
        let steps = async {
            self.clone().step_loop(shutdown).await;
            let _ = stop.send(true);
        };
        tokio::join!(steps, self.clone().dispatch_loop(stopped));
    }

    async fn step_loop(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()>) {
        tokio::pin!(shutdown);
        loop {
            let now = self.clock.now_ms();
            let claims = match self
                .store
                .claim_runnable(
                    &self.config.owner,
                    now,
                    self.config.lease_ms,
                    self.config.batch,
                )
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!("claiming runnable executions failed: {e}");
                    Vec::new()
                }
            };
            if !claims.is_empty() {
                for claim in claims {
                    let Ok(permit) = self.permits.clone().acquire_owned().await else {
                        return;
                    };
                    let rt = self.clone();
                    tokio::spawn(async move {
                        rt.step(claim).await;
                        drop(permit);
                    });
                }
                continue;
            }
            let sleep_ms = match self.store.next_due().await {
                Ok(Some(due)) => {
                    (due - self.clock.now_ms()).clamp(0, self.config.poll_ms as i64) as u64
                }
                _ => self.config.poll_ms,
            };
            tokio::select! {
                _ = &mut shutdown => {
                    // Let the steps in flight commit (each is one transaction either way).
                    let all = self.config.concurrency.max(1) as u32;
                    let _ = self.permits.acquire_many(all).await;
                    return;
                }
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(Duration::from_millis(sleep_ms)) => {}
            }
        }
    }

    /// One step of one claimed execution.
    async fn step(self: Arc<Self>, claim: Claim) {
        let arn = claim.execution.arn.clone();
        let outcome = self.step_inner(claim).await;
        if outcome.is_ok() && self.progress.receiver_count() > 0 {
            let _ = self.progress.send(Arc::from(arn.as_str()));
        }
        match outcome {
            Ok(Some(done)) => {
                let _ = self.finished.send(done);
            }
            Ok(None) => {}
            Err(StoreError::Conflict(why)) => tracing::debug!("step of {arn} dropped: {why}"),
            Err(e) => tracing::warn!("step of {arn} failed: {e}"),
        }
        self.poke();
    }

    async fn step_inner(self: &Arc<Self>, claim: Claim) -> Result<Option<Finished>, StoreError> {
        let arn = claim.execution.arn.clone();
        let program = match self.programs.get(&claim.execution.definition) {
            Ok(p) => p,
            Err(e) => {
                return Err(StoreError::Backend {
                    message: format!("stored definition of {arn} does not compile: {e}"),
                    retryable: false,
                })
            }
        };
        // The snapshot leaves out the documents the execution's record keeps.
        let record = &claim.execution;
        let mut exec = Execution::restore(
            &claim.snapshot,
            || estado_json::from_str(&record.input).map(Arc::new),
            || estado_json::from_str(record.output.as_deref().unwrap_or("null")).map(Arc::new),
        )
        .map_err(|e| StoreError::Backend {
            message: format!("snapshot of {arn} is unreadable: {e}"),
            retryable: false,
        })?;
        let now = self.clock.now_ms();
        let mut consumed = Vec::with_capacity(claim.inbox.len());
        // Tasks whose outcome this step takes in: their callback tokens and dispatches go.
        let mut answered = Vec::new();
        for row in &claim.inbox {
            consumed.push(row.id);
            match Payload::decode(&row.payload) {
                Some(Payload::Kick) | None => {}
                Some(Payload::Redrive) => {
                    exec.redrive(&program, Env { now_millis: now });
                }
                Some(Payload::Timer { id, virtual_due_ms }) => exec.deliver(
                    &program,
                    Delivery::TimerFired { id },
                    Env {
                        now_millis: now.max(virtual_due_ms),
                    },
                ),
                Some(Payload::Deliver(d)) => {
                    if let Delivery::TaskSucceeded { id, .. }
                    | Delivery::TaskFailed { id, .. }
                    | Delivery::TaskStartFailed { id, .. } = &d
                    {
                        answered.push(*id);
                    }
                    exec.deliver(&program, d, Env { now_millis: now })
                }
            }
        }
        let (effects, encoding) = crate::encoding::run(
            self.store.as_ref(),
            &mut exec,
            &program,
            Env { now_millis: now },
            None,
        );
        let mut commit = StepCommit {
            execution_arn: arn.clone(),
            expected_version: claim.execution.version,
            consumed,
            ..Default::default()
        };
        let mut activity_tasks = false;
        let mut abort = Vec::new();
        let exec_now = exec.now_millis();
        let lease_until = now + self.config.lease_ms;
        commit.cancel_tasks.extend(answered);
        for e in effects {
            match e {
                Effect::StartTimer { id, due_millis } => commit.new_inbox.push(self.timer_row(
                    now,
                    exec_now,
                    id,
                    due_millis,
                    exec.timer_scales(id),
                )),
                Effect::CancelTimer { id } => commit.cancel_keys.push(id),
                Effect::CancelTask { id } => {
                    commit.cancel_tasks.push(id);
                    commit.cancel_keys.push(id);
                    abort.push(id);
                }
                Effect::RunTask(req) => {
                    let input = || serde_json::to_string(&*req.input).unwrap_or_default();
                    let mocked = self.runners.mocked(exec.info(), &req.state_name);
                    if let Some(activity) = activity_arn(&req.resource).filter(|_| !mocked) {
                        activity_tasks = true;
                        commit.new_tasks.push(Task {
                            token: activity_token(&arn, req.id),
                            execution_arn: arn.clone(),
                            effect_id: req.id,
                            activity_arn: Some(activity),
                            input: input(),
                            created_ms: now,
                            worker: None,
                        });
                        continue;
                    }
                    if let Some(token) = req.task_token.as_ref().filter(|_| !mocked) {
                        // A callback: the token is answerable from this commit on, before the
                        // integration's call even goes out (it may answer from inside it).
                        commit.new_tasks.push(Task {
                            token: token.clone(),
                            execution_arn: arn.clone(),
                            effect_id: req.id,
                            activity_arn: None,
                            input: input(),
                            created_ms: now,
                            worker: None,
                        });
                    }
                    commit.new_dispatches.push(Dispatch {
                        execution_arn: arn.clone(),
                        effect_id: req.id,
                        payload: DispatchPayload::new(req, exec.info()).encode(),
                        created_ms: now,
                        lease: Some((self.config.owner.clone(), lease_until)),
                    });
                }
            }
        }
        // Taken before the snapshot, which would keep them otherwise.
        let events = exec.take_new_event_pieces();
        commit.update = terminal_update(exec.status(), now);
        let finished = commit.update.as_ref().map(|u| Finished {
            execution_arn: arn.clone(),
            status: u.status.clone(),
        });
        commit.snapshot = exec.snapshot().map_err(|e| StoreError::Backend {
            message: format!("snapshot of {arn} cannot be written: {e}"),
            retryable: false,
        })?;
        // The snapshot was written while the encoder finished the step's earlier events.
        let form = crate::encoding::commit_form(
            self.store.as_ref(),
            encoding,
            events,
            Some(Box::new(exec)),
            None,
        )
        .await?;
        commit.chunks = form.chunks;
        commit.events = form.events;
        let dispatches = commit.new_dispatches.clone();
        crate::encoding::freeing_meanwhile(
            self.store.commit_step(&self.config.owner, commit),
            form.litter,
        )
        .await?;
        self.cancel_running(&arn, &abort);
        for d in dispatches {
            self.spawn_dispatch(d);
        }
        if activity_tasks {
            self.activity_ready.notify_waiters();
        }
        Ok(finished)
    }

    pub(crate) fn attach_service(&self, service: &Arc<crate::service::Service>) {
        let _ = self.service.set(Arc::downgrade(service));
    }

    fn service(&self) -> Option<Arc<crate::service::Service>> {
        self.service.get().and_then(std::sync::Weak::upgrade)
    }

    fn children(
        &self,
    ) -> std::sync::MutexGuard<'_, std::collections::HashMap<(String, u64), String>> {
        self.children.lock().unwrap_or_else(|p| p.into_inner())
    }
    pub(crate) fn children_insert(&self, key: (String, u64), child: String) {
        self.children().insert(key, child);
    }
    pub(crate) fn children_remove(&self, key: &(String, u64)) {
        self.children().remove(key);
    }

    /// Run a task: mocked states from the mocks, nested executions through the service,
    /// anything else with the runner for its resource (see [`Registry::run`]).
    pub(crate) async fn run_task(&self, info: &ExecInfo, req: &TaskRequest) -> Delivery {
        if crate::service::nested::handles(&req.resource)
            && !self.runners.mocked(info, &req.state_name)
        {
            if let Some(service) = self.service() {
                return service.run_nested(info, req).await;
            }
        }
        self.runners.run(info, req).await
    }

    /// Cancelled tasks: abort them here, and stop the children of `.sync` nested ones.
    fn cancel_running(&self, arn: &str, ids: &[u64]) {
        for id in ids {
            self.in_flight.abort(arn, *id);
            let child = self.children().remove(&(arn.to_owned(), *id));
            if let (Some(child), Some(service)) = (child, self.service()) {
                tokio::spawn(async move { service.stop_child(&child).await });
            }
        }
    }
}

/// What [`Runtime::first_step`] leaves for the creating commit.
struct FirstStep {
    /// The execution after its first step.
    exec: Execution,
    /// Its events (the last ones, when `encoding` has the others).
    events: Vec<Vec<estado_types::history::HistoryEvent>>,
    /// A long first step's earlier events, being encoded.
    encoding: Option<crate::encoding::Encoding>,
    snapshot: Vec<u8>,
    inbox: Vec<NewInbox>,
    /// Set when the first step ended the execution.
    update: Option<ExecutionUpdate>,
}

/// The summary of an execution that reached a terminal status at `now`; `None` while running.
fn terminal_update(status: &Status, now: i64) -> Option<ExecutionUpdate> {
    let (error, cause) = match status {
        Status::Running => return None,
        Status::Failed { error, cause }
        | Status::TimedOut { error, cause }
        | Status::Aborted { error, cause } => (error.clone(), cause.clone()),
        _ => (None, None),
    };
    let output = match status {
        Status::Succeeded { output } => serde_json::to_string(&**output).ok(),
        _ => None,
    };
    Some(ExecutionUpdate {
        status: status.name().into(),
        stop_ms: Some(now),
        output,
        error,
        cause,
    })
}

/// `arn:aws:states:REGION:ACCOUNT:activity:NAME` -> the activity ARN.
fn activity_arn(resource: &str) -> Option<String> {
    (resource.starts_with("arn:aws:states:") && resource.contains(":activity:"))
        .then(|| resource.to_owned())
}

/// An activity task's token: unique per execution and task, opaque to workers.
fn activity_token(execution_arn: &str, effect_id: u64) -> String {
    let seed = seed_of(execution_arn, effect_id as i64);
    let r = estado_types::SplitMix64::new(seed);
    use estado_types::Entropy;
    (0..8).map(|_| format!("{:016x}", r.next_u64())).collect()
}

/// A stable 64-bit seed from text and a number (FNV-1a).
fn seed_of(text: &str, n: i64) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes().iter().chain(n.to_le_bytes().iter()) {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
