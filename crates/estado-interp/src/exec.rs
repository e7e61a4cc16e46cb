//! The execution: frames, the run loop, and the life of one state.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use estado_asl::model::{
    self, Flow, Kind, ListId, Program, QueryLanguage, State, StateId, ValueSpec, ROOT,
};
use estado_json::{Map, Value};
use estado_types::history::{
    ActivityScheduledEventDetails, ActivityStartedEventDetails, ActivitySucceededEventDetails,
    AssignedVariables, EventDetails as D, ExecutionFailedEventDetails,
    ExecutionStartedEventDetails, ExecutionSucceededEventDetails, HistoryEvent,
    LambdaFunctionScheduledEventDetails, LambdaFunctionStartFailedEventDetails,
    LambdaFunctionSucceededEventDetails, LambdaFunctionTimedOutEventDetails, Payload,
    StateExitedEventDetails, TaskFailedEventDetails, TaskScheduledEventDetails,
    TaskStartFailedEventDetails, TaskStartedEventDetails, TaskSubmittedEventDetails,
    TaskSucceededEventDetails, TaskTimedOutEventDetails,
};
use estado_types::{errors, Entropy, Scope, SplitMix64, StatesError};
use serde::{Deserialize, Serialize};

use crate::context::{self, StateFacts};
use crate::events::{self, Log};
use crate::fanout::Fanout;
use crate::frames::{Frames, Ready};
use crate::limits;
use crate::vars::{ScopeId, Scopes};
use crate::{flow, Delivery, Effect, Env, ExecInfo, MachineType, Status, TaskRequest};

pub(crate) type FrameId = u64;

/// One running state list: the top level, a Parallel branch or a Map iteration.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Frame {
    pub self_id: FrameId,
    pub list: ListId,
    pub state: StateId,
    /// The current state's raw input.
    pub input: Arc<Value>,
    /// The Map/Parallel frame that started this one, and this frame's index there.
    pub parent: Option<(FrameId, usize)>,
    pub scope: ScopeId,
    /// Whether `scope` is this frame's own (opened for it) rather than its parent's, which a
    /// branch or iteration shares until it first assigns a variable.
    #[serde(default)]
    pub owns_scope: bool,
    /// `previousEventId` of this frame's next event.
    pub prev: i64,
    /// Id of the current state's `*StateEntered` event.
    pub entered: i64,
    pub entered_at: i64,
    /// Attempts made per retrier of the current state.
    pub retries: Vec<u32>,
    pub phase: Phase,
    pub fanout: Option<Box<Fanout>>,
    /// Effect ids this frame waits on (to cancel them when it is aborted).
    pub waiting: Vec<u64>,
    /// The current `.waitForTaskToken` task's token (`$$.Task.Token`).
    pub task_token: Option<Arc<str>>,
}

impl Frame {
    /// A frame about to enter `state` of `list` at `now`: top level (no parent, the top-level
    /// scope, its own), linked to no event yet. Callers set what differs.
    #[inline(always)]
    fn entering(
        program: &Program,
        id: FrameId,
        list: ListId,
        state: StateId,
        input: Arc<Value>,
        now: i64,
    ) -> Frame {
        Frame {
            self_id: id,
            list,
            state,
            input,
            parent: None,
            scope: 0,
            owns_scope: true,
            prev: 0,
            entered: 0,
            entered_at: now,
            retries: vec![
                0;
                program.lists[list as usize].states[state as usize]
                    .retry
                    .len()
            ],
            phase: Phase::Enter,
            fanout: None,
            waiting: Vec::new(),
            task_token: None,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub(crate) enum Phase {
    Enter,
    Execute,
    Blocked,
    /// The work finished with a result (task output, Map/Parallel results, wait over).
    Done(Arc<Value>),
    /// The work failed: Retry/Catch decide what happens.
    Error(Box<StatesError>),
}

#[derive(Debug, Serialize, Deserialize)]
enum Pending {
    WaitTimer {
        frame: FrameId,
    },
    RetryTimer {
        frame: FrameId,
    },
    TaskTimeout {
        frame: FrameId,
        task: u64,
    },
    HeartbeatTimeout {
        frame: FrameId,
        task: u64,
    },
    Task {
        frame: FrameId,
        timeout_timer: Option<u64>,
        heartbeat: Option<(u64, u64)>,
        resource: Arc<str>,
        /// A worker reported taking the task (its Started event is written).
        #[serde(default)]
        started: bool,
    },
    ExecutionTimeout,
}

/// What a state's work led to.
enum Next {
    Goto(StateId, Arc<Value>),
    End(Arc<Value>),
    Fail(StatesError),
    Block,
}

/// STANDARD executions may have 25,000 history events; EXPRESS ones keep no history on AWS
/// and have no such limit.
fn history_limit(machine_type: MachineType) -> Option<i64> {
    match machine_type {
        MachineType::Standard => Some(limits::HISTORY_EVENT_LIMIT),
        MachineType::Express => None,
    }
}

/// Everything needed to continue an execution. Serialize it (serde) to keep it between
/// steps; new history events are taken out with [`Execution::take_new_events`] and are not part
/// of the snapshot.
#[derive(Serialize, Deserialize)]
pub struct Execution {
    info: ExecInfo,
    frames: Frames,
    next_frame: FrameId,
    ready: Ready,
    pub(crate) scopes: Scopes,
    pending: HashMap<u64, Pending>,
    next_effect: u64,
    log: Log,
    effects: Vec<Effect>,
    status: Status,
    rng: u64,
    /// Where a redrive restarts: the top-level state that was running when the execution
    /// stopped unsuccessfully, with its input.
    #[serde(default)]
    redrive_from: Option<(StateId, Arc<Value>)>,
    /// Id of the top-level frame (changes when redriven).
    #[serde(default)]
    root_frame: FrameId,
    now: i64,
    transitions: u64,
    /// Set by [`Execution::run_until`] for the length of the call: pause before entering a
    /// state once the log holds this many new events.
    #[serde(skip)]
    pause_at: Option<usize>,
    /// A frame was put back in the ready queue because of `pause_at`.
    #[serde(skip)]
    paused: bool,
    /// In a [`Execution::snapshot`]: the large documents left out of it.
    #[serde(default, skip_serializing_if = "Elided::is_none")]
    elided: Elided,
}

/// What a [`Execution::snapshot`] leaves out, for [`Execution::restore`] to put back.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
struct Elided {
    /// The execution's input (`info.input`).
    #[serde(default)]
    input: bool,
    /// The restart point's input, which was the execution's input.
    #[serde(default)]
    redrive_input: bool,
    /// The top-level frame's input, which was the execution's input (its first state runs).
    #[serde(default)]
    root_input: bool,
    /// The output of a succeeded execution.
    #[serde(default)]
    output: bool,
}

impl Elided {
    fn is_none(&self) -> bool {
        *self == Elided::default()
    }
}

impl Execution {
    /// Begin an execution: `ExecutionStarted`, the first state made runnable, and the
    /// execution-timeout timer when the definition has `TimeoutSeconds`.
    pub fn start(program: &Program, info: ExecInfo, env: Env) -> Self {
        // Everything is made first and the execution is built last, in the caller's place:
        // an `Execution` is large, and building it early would copy it out again.
        let now = env.now_millis;
        let mut log = match history_limit(info.machine_type) {
            Some(limit) => Log::with_limit(limit),
            None => Log::default(),
        };
        log.push(
            0,
            now,
            D::ExecutionStarted(ExecutionStartedEventDetails::new(
                Payload::from_arc(info.input.clone()),
                info.role_arn.clone(),
            )),
        );
        let mut next_effect = 1;
        let mut pending = HashMap::default();
        let mut effects = Vec::new();
        if let Some(t) = program.timeout_seconds {
            let timer = next_effect;
            next_effect += 1;
            pending.insert(timer, Pending::ExecutionTimeout);
            effects.push(Effect::StartTimer {
                id: timer,
                due_millis: info.start_millis + t as i64 * 1000,
            });
        }
        // The top-level frame, id 0, runs the first state. AWS links the first state's entry
        // to no event (previousEventId 0), not to ExecutionStarted.
        let start = program.lists[ROOT as usize].start_at;
        let root: FrameId = 0;
        let mut frames = Frames::default();
        frames.insert(
            root,
            Box::new(Frame::entering(
                program,
                root,
                ROOT,
                start,
                info.input.clone(),
                now,
            )),
        );
        let mut ready = Ready::default();
        ready.push_back(root);
        Execution {
            frames,
            next_frame: root + 1,
            ready,
            scopes: Scopes::new(),
            pending,
            next_effect,
            log,
            effects,
            status: Status::Running,
            rng: info.seed,
            now,
            transitions: 0,
            redrive_from: None,
            root_frame: root,
            pause_at: None,
            paused: false,
            elided: Elided::default(),
            info,
        }
    }

    pub fn status(&self) -> &Status {
        &self.status
    }
    /// The events recorded since the last [`Execution::take_new_events`] (all of them when
    /// nothing was taken), copied.
    pub fn history(&self) -> Vec<HistoryEvent> {
        self.log.iter().cloned().collect()
    }
    /// How many events [`Execution::history`] would return.
    pub fn history_len(&self) -> usize {
        self.log.len()
    }
    /// Take the events recorded since the last call (to store them); ids keep counting.
    pub fn take_new_events(&mut self) -> Vec<HistoryEvent> {
        self.log.take()
    }
    /// [`Execution::take_new_events`] as the pieces the events are kept in, in order: no
    /// copy of every event into one vector (a driver that only reads them through).
    pub fn take_new_event_pieces(&mut self) -> Vec<Vec<HistoryEvent>> {
        self.log.take_pieces()
    }
    /// Drop the events recorded since the last take without collecting them (a driver that
    /// keeps no history); ids keep counting.
    pub fn discard_new_events(&mut self) {
        self.log.discard();
    }
    /// The execution serialised to continue it later, without the documents a driver keeps
    /// beside it anyway: the execution's input (also the restart point's input when that is
    /// the same document) and a succeeded execution's output. They are often the largest
    /// part, and writing them again at every step cost as much as the rest. Read it back with
    /// [`Execution::restore`].
    pub fn snapshot(&mut self) -> serde_json::Result<Vec<u8>> {
        let none = Arc::new(Value::Null);
        let input = std::mem::replace(&mut self.info.input, none.clone());
        let mut elided = Elided {
            input: true,
            ..Elided::default()
        };
        let redrive_input = match &mut self.redrive_from {
            Some((_, i)) if Arc::ptr_eq(i, &input) => {
                elided.redrive_input = true;
                Some(std::mem::replace(i, none.clone()))
            }
            _ => None,
        };
        let root = self.root_frame;
        let root_input = match self.frames.get_mut(&root) {
            Some(f) if Arc::ptr_eq(&f.input, &input) => {
                elided.root_input = true;
                Some(std::mem::replace(&mut f.input, none.clone()))
            }
            _ => None,
        };
        let output = match &mut self.status {
            Status::Succeeded { output } => {
                elided.output = true;
                Some(std::mem::replace(output, none))
            }
            _ => None,
        };
        self.elided = elided;
        let bytes = serde_json::to_vec(&*self);
        self.elided = Elided::default();
        self.info.input = input;
        if let (Some(i), Some((_, slot))) = (redrive_input, &mut self.redrive_from) {
            *slot = i;
        }
        if let (Some(i), Some(f)) = (root_input, self.frames.get_mut(&root)) {
            f.input = i;
        }
        if let (Some(o), Status::Succeeded { output }) = (output, &mut self.status) {
            *output = o;
        }
        bytes
    }

    /// An execution from its [`Execution::snapshot`] (or from the serde form of a whole
    /// execution, which needs nothing put back), given the documents the snapshot left out:
    /// its input and, asked only for a succeeded execution, its output.
    pub fn restore(
        bytes: &[u8],
        input: impl FnOnce() -> serde_json::Result<Arc<Value>>,
        output: impl FnOnce() -> serde_json::Result<Arc<Value>>,
    ) -> serde_json::Result<Execution> {
        let mut x: Execution = serde_json::from_slice(bytes)?;
        let elided = std::mem::take(&mut x.elided);
        if elided.input {
            x.info.input = input()?;
            if let (true, Some((_, slot))) = (elided.redrive_input, &mut x.redrive_from) {
                *slot = x.info.input.clone();
            }
            let root = x.root_frame;
            if let (true, Some(f)) = (elided.root_input, x.frames.get_mut(&root)) {
                f.input = x.info.input.clone();
            }
        }
        if let (true, Status::Succeeded { output: slot }) = (elided.output, &mut x.status) {
            *slot = output()?;
        }
        Ok(x)
    }

    /// Whether [`Execution::redrive`] can restart this execution: it ended unsuccessfully and
    /// its restart point is known.
    pub fn redrivable(&self) -> bool {
        // AWS: "Execution history event limit exceeded" makes an execution NOT_REDRIVABLE.
        matches!(
            self.status,
            Status::Failed { .. } | Status::TimedOut { .. } | Status::Aborted { .. }
        ) && self.redrive_from.is_some()
            && !self.log.full()
    }

    /// `RedriveExecution`: record `ExecutionRedriven` and run again from the top-level state
    /// that was running when the execution stopped, with the input it had then. (AWS also
    /// keeps the successful iterations of a redriven Map; here a redriven Map or Parallel
    /// state runs all of its branches again.) Returns false when not [`Self::redrivable`].
    pub fn redrive(&mut self, program: &Program, env: Env) -> bool {
        if !self.redrivable() {
            return false;
        }
        let Some((state, input)) = self.redrive_from.take() else {
            return false;
        };
        self.now = self.now.max(env.now_millis);
        let count = self.info.redrive_count.unwrap_or(0) + 1;
        self.info.redrive_count = Some(count);
        let prev = self.log.next_id() - 1;
        let id = self.log.push(
            prev,
            self.now,
            D::ExecutionRedriven(estado_types::history::ExecutionRedrivenEventDetails::new(
                count as i32,
            )),
        );
        self.status = Status::Running;
        if let Some(t) = program.timeout_seconds {
            let timer = self.effect_id();
            self.pending.insert(timer, Pending::ExecutionTimeout);
            self.effects.push(Effect::StartTimer {
                id: timer,
                due_millis: self.now + t as i64 * 1000,
            });
        }
        self.scopes = Scopes::new();
        let root = self.next_frame;
        self.next_frame += 1;
        // The root frame must be frame 0's successor in the same role: keep id 0 free of a
        // stale frame and register the restarted top level under a new id.
        self.frames.insert(
            root,
            Box::new(Frame {
                prev: id,
                ..Frame::entering(program, root, ROOT, state, input, self.now)
            }),
        );
        self.root_frame = root;
        self.ready.push_back(root);
        true
    }

    /// Id of the next history event.
    pub fn next_event_id(&self) -> i64 {
        self.log.next_id()
    }
    pub fn info(&self) -> &ExecInfo {
        &self.info
    }
    /// The execution's clock: the latest time it has been given (ahead of the real clock once
    /// a scaled Wait has jumped it forward).
    pub fn now_millis(&self) -> i64 {
        self.now
    }
    /// Whether the pending timer `id` is a Wait state's or a retry interval's, the times a
    /// wait-time scale (Step Functions Local's `WAIT_TIME_SCALE`) shortens. Task timeouts,
    /// heartbeat timeouts and the execution's timeout run in real time.
    pub fn timer_scales(&self, id: u64) -> bool {
        matches!(
            self.pending.get(&id),
            Some(Pending::WaitTimer { .. } | Pending::RetryTimer { .. })
        )
    }
    /// State transitions so far (states entered).
    pub fn transitions(&self) -> u64 {
        self.transitions
    }

    /// Run every runnable frame until all are finished or blocked; returns the effects to
    /// carry out.
    pub fn run(&mut self, program: &Program, env: Env) -> Vec<Effect> {
        self.now = self.now.max(env.now_millis);
        self.log.set_limit(history_limit(self.info.machine_type));
        if self.log.full() {
            self.stopped_by_history_limit();
        }
        while let Some(fid) = self.ready.pop_front() {
            if self.status.is_terminal() {
                break;
            }
            if let Some(frame) = self.frames.remove(&fid) {
                self.step(program, fid, frame);
            }
            if self.paused {
                return Vec::new();
            }
        }
        if self.status.is_terminal() {
            self.cancel_everything();
        }
        std::mem::take(&mut self.effects)
    }

    /// [`Execution::run`] in slices: runs until it is finished or blocked (then `Some`, the
    /// effects, as `run` gives them), or until at least `max_new_events` events are waiting to
    /// be taken with a state still to enter (then `None`: take the events and call again). A
    /// pause falls between two states, so the execution is the same as if `run` had stopped
    /// there; its effects stay until the call that finishes. Lets a driver store the events of
    /// a long run while the run goes on.
    pub fn run_until(
        &mut self,
        program: &Program,
        env: Env,
        max_new_events: usize,
    ) -> Option<Vec<Effect>> {
        self.pause_at = Some(max_new_events);
        let effects = self.run(program, env);
        self.pause_at = None;
        if std::mem::take(&mut self.paused) {
            None
        } else {
            Some(effects)
        }
    }

    /// Report an outcome. Unknown or stale ids are ignored (a cancelled timer may still fire).
    pub fn deliver(&mut self, program: &Program, d: Delivery, env: Env) {
        self.now = self.now.max(env.now_millis);
        self.log.set_limit(history_limit(self.info.machine_type));
        if self.status.is_terminal() {
            return;
        }
        match d {
            Delivery::Stop { error, cause } => {
                let prev = self.log.next_id() - 1;
                self.log.push(
                    prev,
                    self.now,
                    D::ExecutionAborted(estado_types::history::ExecutionAbortedEventDetails::new(
                        error.clone(),
                        cause.clone(),
                    )),
                );
                self.status = Status::Aborted { error, cause };
                self.cancel_everything();
            }
            Delivery::TimerFired { id } => match self.pending.remove(&id) {
                Some(Pending::WaitTimer { frame }) => self.resume(frame, |f| {
                    let input = f.input.clone();
                    f.phase = Phase::Done(input);
                }),
                Some(Pending::RetryTimer { frame }) => {
                    self.resume(frame, |f| f.phase = Phase::Execute)
                }
                Some(Pending::TaskTimeout { frame, task }) => {
                    if let Some(Pending::Task {
                        resource,
                        heartbeat,
                        ..
                    }) = self.pending.remove(&task)
                    {
                        self.cancel_timer(heartbeat.map(|h| h.0));
                        self.effects.push(Effect::CancelTask { id: task });
                        let e = StatesError::new(errors::TIMEOUT, "");
                        self.task_event(program, frame, &resource, TaskEvent::TimedOut(e.clone()));
                        self.resume(frame, |f| f.phase = Phase::Error(Box::new(e)));
                    }
                }
                Some(Pending::HeartbeatTimeout { frame, task }) => {
                    if let Some(Pending::Task {
                        resource,
                        timeout_timer,
                        ..
                    }) = self.pending.remove(&task)
                    {
                        self.cancel_timer(timeout_timer);
                        self.effects.push(Effect::CancelTask { id: task });
                        let e = StatesError::new(errors::HEARTBEAT_TIMEOUT, "");
                        self.task_event(program, frame, &resource, TaskEvent::TimedOut(e.clone()));
                        self.resume(frame, |f| f.phase = Phase::Error(Box::new(e)));
                    }
                }
                Some(Pending::ExecutionTimeout) => {
                    let prev = self.log.next_id() - 1;
                    self.log.push(
                        prev,
                        self.now,
                        D::ExecutionTimedOut(
                            estado_types::history::ExecutionTimedOutEventDetails::new(None, None),
                        ),
                    );
                    self.status = Status::TimedOut {
                        error: None,
                        cause: None,
                    };
                    self.cancel_everything();
                }
                Some(other) => {
                    self.pending.insert(id, other);
                }
                None => {}
            },
            Delivery::TaskSucceeded { id, output } => {
                if let Some(Pending::Task {
                    frame,
                    timeout_timer,
                    heartbeat,
                    resource,
                    started,
                }) = self.pending.remove(&id)
                {
                    self.cancel_timer(timeout_timer);
                    self.cancel_timer(heartbeat.map(|h| h.0));
                    let output = Arc::new(output);
                    if !started {
                        self.task_event(program, frame, &resource, TaskEvent::Started(None));
                    }
                    self.task_event(
                        program,
                        frame,
                        &resource,
                        TaskEvent::Succeeded(output.clone()),
                    );
                    self.resume(frame, |f| f.phase = Phase::Done(output));
                }
            }
            Delivery::TaskFailed { id, error, cause } => {
                if let Some(Pending::Task {
                    frame,
                    timeout_timer,
                    heartbeat,
                    resource,
                    started,
                }) = self.pending.remove(&id)
                {
                    self.cancel_timer(timeout_timer);
                    self.cancel_timer(heartbeat.map(|h| h.0));
                    let e = StatesError::from_task(error, cause);
                    if !started {
                        self.task_event(program, frame, &resource, TaskEvent::Started(None));
                    }
                    self.task_event(program, frame, &resource, TaskEvent::Failed(e.clone()));
                    self.resume(frame, |f| f.phase = Phase::Error(Box::new(e)));
                }
            }
            Delivery::TaskStarted { id, worker } => {
                if let Some(Pending::Task {
                    frame,
                    resource,
                    started,
                    ..
                }) = self.pending.get_mut(&id)
                {
                    if !*started {
                        *started = true;
                        let (frame, resource) = (*frame, resource.clone());
                        self.task_event(program, frame, &resource, TaskEvent::Started(worker));
                    }
                }
            }
            Delivery::TaskSubmitted { id, output } => {
                let Some(Pending::Task {
                    frame,
                    resource,
                    started,
                    ..
                }) = self.pending.get_mut(&id)
                else {
                    return;
                };
                let (frame, resource, was_started) = (*frame, resource.clone(), *started);
                *started = true;
                if !was_started {
                    self.task_event(program, frame, &resource, TaskEvent::Started(None));
                }
                if !is_activity(&resource) && !is_lambda_function(&resource) {
                    let (ty, res) = split_resource(&resource);
                    let d = D::TaskSubmitted(TaskSubmittedEventDetails::new(
                        ty,
                        res,
                        Payload::from_arc(Arc::new(output)),
                    ));
                    if let Some(f) = self.frames.get(&frame) {
                        let id = self.log.push(f.prev, self.now, d);
                        if let Some(f) = self.frames.get_mut(&frame) {
                            f.prev = id;
                        }
                    }
                }
            }
            Delivery::TaskHeartbeat { id } => {
                let now = self.now;
                let Some(Pending::Task {
                    frame,
                    heartbeat: Some((old, secs)),
                    ..
                }) = self.pending.get(&id)
                else {
                    return;
                };
                let (frame, old, secs) = (*frame, *old, *secs);
                self.cancel_timer(Some(old));
                let timer = self.effect_id();
                self.pending
                    .insert(timer, Pending::HeartbeatTimeout { frame, task: id });
                self.effects.push(Effect::StartTimer {
                    id: timer,
                    due_millis: now + secs as i64 * 1000,
                });
                if let Some(Pending::Task { heartbeat, .. }) = self.pending.get_mut(&id) {
                    *heartbeat = Some((timer, secs));
                }
                if let Some(f) = self.frames.get_mut(&frame) {
                    f.waiting.retain(|w| *w != old);
                    f.waiting.push(timer);
                }
            }
            Delivery::TaskStartFailed { id, error, cause } => {
                if let Some(Pending::Task {
                    frame,
                    timeout_timer,
                    heartbeat,
                    resource,
                    ..
                }) = self.pending.remove(&id)
                {
                    self.cancel_timer(timeout_timer);
                    self.cancel_timer(heartbeat.map(|h| h.0));
                    let e = StatesError::new(error, cause);
                    self.task_event(program, frame, &resource, TaskEvent::StartFailed(e.clone()));
                    self.resume(frame, |f| f.phase = Phase::Error(Box::new(e)));
                }
            }
        }
    }

    // ----- frames -------------------------------------------------------------------------

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn spawn(
        &mut self,
        program: &Program,
        list: ListId,
        state: StateId,
        input: Arc<Value>,
        parent: Option<(FrameId, usize)>,
        scope: ScopeId,
        owns_scope: bool,
        prev: i64,
    ) -> FrameId {
        let id = self.next_frame;
        self.next_frame += 1;
        self.frames.insert(
            id,
            Box::new(Frame {
                parent,
                scope,
                owns_scope: parent.is_none() || owns_scope,
                prev,
                ..Frame::entering(program, id, list, state, input, self.now)
            }),
        );
        self.ready.push_back(id);
        id
    }

    fn resume(&mut self, fid: FrameId, f: impl FnOnce(&mut Frame)) {
        if let Some(frame) = self.frames.get_mut(&fid) {
            f(frame);
            frame.waiting.clear();
            self.ready.push_back(fid);
        }
    }

    pub(crate) fn effect_id(&mut self) -> u64 {
        let id = self.next_effect;
        self.next_effect += 1;
        id
    }

    fn cancel_timer(&mut self, id: Option<u64>) {
        if let Some(id) = id {
            self.pending.remove(&id);
            self.effects.push(Effect::CancelTimer { id });
        }
    }

    fn cancel_everything(&mut self) {
        if let Some(root) = self.frames.get(&self.root_frame) {
            if self.redrive_from.is_none() {
                self.redrive_from = Some((root.state, root.input.clone()));
            }
        }
        if !self.pending.is_empty() {
            for (id, p) in self.pending.drain() {
                self.effects.push(match p {
                    Pending::Task { .. } => Effect::CancelTask { id },
                    _ => Effect::CancelTimer { id },
                });
            }
        }
        self.frames.clear();
        self.ready.clear();
    }

    /// Drop a frame and everything under it, cancelling what it waits on. Emits the abort
    /// events AWS writes for states interrupted by a failing sibling.
    pub(crate) fn abort_frame(&mut self, program: &Program, fid: FrameId) {
        let Some(mut f) = self.frames.remove(&fid) else {
            return;
        };
        if let Some(fo) = f.fanout.take() {
            for child in fo.running_children() {
                self.abort_frame(program, child);
            }
        }
        for id in f.waiting.drain(..) {
            match self.pending.remove(&id) {
                Some(Pending::Task {
                    timeout_timer,
                    heartbeat,
                    ..
                }) => {
                    self.effects.push(Effect::CancelTask { id });
                    self.cancel_timer(timeout_timer);
                    self.cancel_timer(heartbeat.map(|h| h.0));
                }
                Some(_) => self.effects.push(Effect::CancelTimer { id }),
                None => {}
            }
        }
        let st = &program.lists[f.list as usize].states[f.state as usize];
        if !matches!(f.phase, Phase::Enter) {
            let d = match &st.kind {
                Kind::Task(_) => Some(D::TaskStateAborted),
                Kind::Wait(_) => Some(D::WaitStateAborted),
                Kind::Map(_) => Some(D::MapStateAborted),
                Kind::Parallel { .. } => Some(D::ParallelStateAborted),
                _ => None,
            };
            if let Some(d) = d {
                self.log.push(f.prev, self.now, d);
            }
        }
        if f.parent.is_some() && f.owns_scope {
            self.scopes.close(f.scope);
        }
    }

    pub(crate) fn frame_mut(&mut self, fid: FrameId) -> Option<&mut Frame> {
        self.frames.get_mut(&fid)
    }

    pub(crate) fn make_ready(&mut self, fid: FrameId) {
        self.ready.push_back(fid);
    }

    /// Append an event at the current time after `prev`; returns its id.
    pub(crate) fn push_event(&mut self, prev: i64, d: D) -> i64 {
        self.log.push(prev, self.now, d)
    }

    // ----- the life of a state ------------------------------------------------------------

    fn step(&mut self, program: &Program, fid: FrameId, mut f: Box<Frame>) {
        loop {
            if self.log.full() {
                // The history limit was reached: the log wrote the failure.
                return self.stopped_by_history_limit();
            }
            if matches!(f.phase, Phase::Enter) && self.pause_at.is_some_and(|n| self.log.len() >= n)
            {
                // Paused between states (see `run_until`): this frame runs first next time.
                self.frames.insert(fid, f);
                self.ready.push_front(fid);
                self.paused = true;
                return;
            }
            let st = &program.lists[f.list as usize].states[f.state as usize];
            let next = match std::mem::replace(&mut f.phase, Phase::Blocked) {
                Phase::Enter => {
                    self.transitions += 1;
                    f.entered_at = self.now;
                    f.entered = self.log.push(
                        f.prev,
                        self.now,
                        events::entered(&st.kind, &st.name, &f.input),
                    );
                    f.prev = f.entered;
                    f.retries.iter_mut().for_each(|r| *r = 0);
                    f.phase = Phase::Execute;
                    continue;
                }
                Phase::Execute => match self.execute(program, fid, &mut f, st) {
                    Ok(n) => n,
                    Err(e) => self.on_error(program, &mut f, st, e),
                },
                Phase::Done(result) => match self.finish(program, &mut f, st, result) {
                    Ok(n) => n,
                    Err(e) => self.on_error(program, &mut f, st, e),
                },
                Phase::Error(e) => self.on_error(program, &mut f, st, *e),
                Phase::Blocked => Next::Block,
            };
            match next {
                Next::Goto(state, input) => {
                    f.state = state;
                    f.input = input;
                    let n = program.lists[f.list as usize].states[state as usize]
                        .retry
                        .len();
                    f.retries.clear();
                    f.retries.resize(n, 0);
                    f.phase = Phase::Enter;
                }
                Next::Block => {
                    f.phase = Phase::Blocked;
                    self.frames.insert(fid, f);
                    return;
                }
                Next::End(output) => return self.frame_ended(program, f, Ok(output)),
                Next::Fail(e) => return self.frame_ended(program, f, Err(e)),
            }
        }
    }

    // The frame stays in its box: taking it out would copy it for nothing.
    #[allow(clippy::boxed_local)]
    fn frame_ended(
        &mut self,
        program: &Program,
        f: Box<Frame>,
        outcome: Result<Arc<Value>, StatesError>,
    ) {
        match f.parent {
            None => match outcome {
                Ok(output) => {
                    self.log.push(
                        f.prev,
                        self.now,
                        D::ExecutionSucceeded(ExecutionSucceededEventDetails::new(
                            Payload::from_arc(output.clone()),
                        )),
                    );
                    self.status = Status::Succeeded { output };
                }
                Err(e) => {
                    self.redrive_from = Some((f.state, f.input.clone()));
                    self.fail_execution(f.prev, e)
                }
            },
            Some((parent, index)) => {
                if f.owns_scope {
                    self.scopes.close(f.scope);
                }
                crate::fanout::child_ended(self, program, parent, index, f.prev, outcome);
            }
        }
    }

    /// The log reached STANDARD's history limit and wrote `ExecutionFailed`: the execution
    /// is failed and nothing more runs.
    fn stopped_by_history_limit(&mut self) {
        if !self.status.is_terminal() {
            self.status = Status::Failed {
                error: Some(errors::RUNTIME.to_owned()),
                cause: Some(events::history_limit_cause(limits::HISTORY_EVENT_LIMIT)),
            };
        }
    }

    fn fail_execution(&mut self, prev: i64, e: StatesError) {
        let (error, cause) = split_error(e);
        self.log.push(
            prev,
            self.now,
            D::ExecutionFailed(ExecutionFailedEventDetails::new(
                error.clone(),
                cause.clone(),
            )),
        );
        self.status = Status::Failed { error, cause };
    }

    /// The scope an expression of this frame's current state sees.
    pub(crate) fn scoped<R>(
        &self,
        f: &Frame,
        st: &State,
        map_item: Option<(usize, &Value)>,
        body: impl FnOnce(&Scope) -> R,
    ) -> R {
        // Most states read no `$$`: they get a shared null instead of one built and dropped.
        static NO_CONTEXT: Value = Value::Null;
        let built;
        let ctx: &Value = if st.needs_context || map_item.is_some() {
            let retry_count = matches!(st.kind, Kind::Task(_)).then(|| f.retries.iter().sum());
            built = context::build(
                &self.info,
                &StateFacts {
                    name: &st.name,
                    entered_millis: f.entered_at,
                    retry_count,
                    task_token: f.task_token.as_deref(),
                    map_item,
                },
            );
            &built
        } else {
            &NO_CONTEXT
        };
        let rng =
            SplitMix64::new(self.rng ^ (f.entered as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let vars = self.scopes.view(f.scope);
        let scope = Scope {
            context: ctx,
            vars: &vars,
            entropy: &rng,
            now_millis: self.now,
        };
        body(&scope)
    }

    pub(crate) fn states_value(&self, f: &Frame, st: &State) -> Value {
        self.states_var(f, st, None, None)
    }

    /// `$states` for a Map's JSONata `ItemSelector`: the context carries `Map.Item`.
    pub(crate) fn states_value_with_item(
        &self,
        f: &Frame,
        st: &State,
        index: usize,
        item: &Value,
    ) -> Value {
        let mut m = Map::new();
        m.insert("input", (*f.input).clone());
        m.insert(
            "context",
            context::build(
                &self.info,
                &StateFacts {
                    name: &st.name,
                    entered_millis: f.entered_at,
                    retry_count: None,
                    task_token: None,
                    map_item: Some((index, item)),
                },
            ),
        );
        Value::Object(m)
    }

    /// `$states` for JSONata expressions.
    fn states_var(
        &self,
        f: &Frame,
        st: &State,
        result: Option<&Value>,
        error_output: Option<&Value>,
    ) -> Value {
        let mut m = Map::new();
        m.insert("input", (*f.input).clone());
        if let Some(r) = result {
            m.insert("result", r.clone());
        }
        if let Some(e) = error_output {
            m.insert("errorOutput", e.clone());
        }
        if st.needs_context {
            let retry_count = matches!(st.kind, Kind::Task(_)).then(|| f.retries.iter().sum());
            m.insert(
                "context",
                context::build(
                    &self.info,
                    &StateFacts {
                        name: &st.name,
                        entered_millis: f.entered_at,
                        retry_count,
                        task_token: f.task_token.as_deref(),
                        map_item: None,
                    },
                ),
            );
        }
        Value::Object(m)
    }

    /// Prefix an evaluation error's cause as AWS does.
    fn located(&self, f: &Frame, st: &State, mut e: StatesError) -> StatesError {
        if e.error == errors::RUNTIME
            || e.error == errors::QUERY_EVALUATION_ERROR
            || e.error == errors::INTRINSIC_FAILURE
        {
            e.cause = format!("An error occurred while executing the state '{}' (entered at the event id #{}). {}", st.name, f.entered, e.cause);
        }
        e
    }

    fn execute(
        &mut self,
        program: &Program,
        fid: FrameId,
        f: &mut Frame,
        st: &State,
    ) -> Result<Next, StatesError> {
        match &st.kind {
            Kind::Pass { result } => match &st.flow {
                Flow::JsonPath(fl) => {
                    let eff = self
                        .scoped(f, st, None, |s| flow::effective_input(fl, &f.input, s))
                        .map_err(|e| self.located(f, st, e))?;
                    let r = match result {
                        Some(r) => Arc::new(r.clone()),
                        None => eff,
                    };
                    self.finish(program, f, st, r)
                }
                Flow::Jsonata(_) => {
                    let input = f.input.clone();
                    self.finish(program, f, st, input)
                }
            },
            Kind::Succeed => {
                let input = f.input.clone();
                self.finish(program, f, st, input)
            }
            Kind::Fail(fail) => {
                let e = self
                    .fail_error(f, st, fail)
                    .map_err(|e| self.located(f, st, e))?;
                Ok(Next::Fail(e))
            }
            Kind::Choice(choice) => self
                .choose(f, st, choice)
                .map_err(|e| self.located(f, st, e)),
            Kind::Wait(w) => {
                let due = self
                    .wait_due(f, st, w)
                    .map_err(|e| self.located(f, st, e))?;
                let id = self.effect_id();
                self.pending.insert(id, Pending::WaitTimer { frame: fid });
                self.effects.push(Effect::StartTimer {
                    id,
                    due_millis: due,
                });
                f.waiting.push(id);
                Ok(Next::Block)
            }
            Kind::Task(task) => self
                .schedule_task(fid, f, st, task)
                .map_err(|e| self.located(f, st, e)),
            Kind::Parallel { branches } => {
                let input = self.arguments(f, st).map_err(|e| self.located(f, st, e))?;
                crate::fanout::start_parallel(self, program, fid, f, st, branches, input);
                Ok(Next::Block)
            }
            Kind::Map(map) => match crate::fanout::start_map(self, program, fid, f, st, map) {
                Ok(true) => Ok(Next::Block),
                Ok(false) => {
                    // No items: the Map succeeds at once with [].
                    Ok(self.finish(program, f, st, Arc::new(Value::Array(Vec::new())))?)
                }
                Err(e) => Err(self.located(f, st, e)),
            },
        }
    }

    /// Effective input of Task/Parallel: InputPath+Parameters, or JSONata Arguments.
    pub(crate) fn arguments(&self, f: &Frame, st: &State) -> Result<Arc<Value>, StatesError> {
        match &st.flow {
            Flow::JsonPath(fl) => {
                self.scoped(f, st, None, |s| flow::effective_input(fl, &f.input, s))
            }
            Flow::Jsonata(fl) => match &fl.arguments {
                Some(t) => {
                    let states = self.states_var(f, st, None, None);
                    self.scoped(f, st, None, |s| t.eval(&states, s, "Arguments"))
                        .map(Arc::new)
                }
                None => Ok(f.input.clone()),
            },
        }
    }

    /// Evaluate a numeric/string field given as literal, path or JSONata.
    pub(crate) fn spec_value(
        &self,
        f: &Frame,
        st: &State,
        spec: &ValueSpec,
        input: &Value,
        field: &str,
    ) -> Result<Option<Value>, StatesError> {
        match spec {
            ValueSpec::Literal(v) => Ok(Some(v.clone())),
            ValueSpec::Path(p) => self.scoped(f, st, None, |s| p.query(input, s)),
            ValueSpec::Dynamic(d) => self
                .scoped(f, st, None, |s| d.eval(input, s, field))
                .map(Some),
            ValueSpec::Jsonata(t) => {
                let states = self.states_var(f, st, None, None);
                self.scoped(f, st, None, |s| t.eval(&states, s, field))
                    .map(Some)
            }
        }
    }

    #[allow(clippy::type_complexity)]
    fn fail_error(
        &self,
        f: &Frame,
        st: &State,
        fail: &model::Fail,
    ) -> Result<StatesError, StatesError> {
        let field = |spec: &Option<ValueSpec>,
                     name: &str,
                     path_name: &str|
         -> Result<Option<String>, StatesError> {
            let Some(spec) = spec else { return Ok(None) };
            let fname = if matches!(spec, ValueSpec::Dynamic(_)) {
                path_name
            } else {
                name
            };
            match self.spec_value(f, st, spec, &f.input, fname)? {
                Some(Value::String(s)) => Ok(Some(s)),
                Some(Value::Null) | None => Ok(None),
                Some(other) => match spec {
                    ValueSpec::Jsonata(_) => Err(StatesError::query(format!(
                        "The {name} field must evaluate to a string, but was: {other}"
                    ))),
                    _ => Ok(Some(other.to_string())),
                },
            }
        };
        let error = field(&fail.error, "Error", "ErrorPath")?;
        let cause = field(&fail.cause, "Cause", "CausePath")?;
        // An absent Error/Cause travels as "" and is reported as absent.
        Ok(StatesError::new(
            error.unwrap_or_default(),
            cause.unwrap_or_default(),
        ))
    }

    fn wait_due(&self, f: &Frame, st: &State, w: &model::Wait) -> Result<i64, StatesError> {
        let input = match &st.flow {
            Flow::JsonPath(fl) => {
                self.scoped(f, st, None, |s| flow::input_path(fl, &f.input, s))?
            }
            Flow::Jsonata(_) => f.input.clone(),
        };
        match w {
            model::Wait::Seconds(spec) => {
                let v = self.spec_value(f, st, spec, &input, "Seconds")?;
                let secs = match (&v, spec) {
                    (Some(v), _) if v.as_f64().is_some_and(|n| n >= 0.0) => {
                        v.as_f64().unwrap_or(0.0)
                    }
                    (_, ValueSpec::Path(p)) => {
                        return Err(StatesError::runtime(format!(
                            "The SecondsPath parameter does not reference an input value: {}",
                            p.source()
                        )))
                    }
                    (_, ValueSpec::Jsonata(_)) => {
                        return Err(StatesError::query(format!(
                        "The Seconds field must evaluate to a non-negative integer, but was: {}",
                        v.map(|v| v.to_string())
                            .unwrap_or_else(|| "undefined".into())
                    )))
                    }
                    _ => 0.0,
                };
                Ok(self.now + (secs * 1000.0) as i64)
            }
            model::Wait::Timestamp(spec) => {
                let v = self.spec_value(f, st, spec, &input, "Timestamp")?;
                let parsed = v
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(crate::choice::parse_ts);
                match (parsed, spec) {
                    (Some(t), _) => Ok(t.as_millisecond()),
                    (None, ValueSpec::Path(p)) => Err(StatesError::runtime(format!(
                        "The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: {} == {}",
                        p.source(),
                        v.map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())).unwrap_or_default()
                    ))),
                    (None, _) => Err(StatesError::query(format!(
                        "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {}",
                        v.map(|v| v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())).unwrap_or_default()
                    ))),
                }
            }
        }
    }

    fn choose(
        &mut self,
        f: &mut Frame,
        st: &State,
        choice: &model::Choice,
    ) -> Result<Next, StatesError> {
        match &st.flow {
            Flow::JsonPath(fl) => {
                let input = self.scoped(f, st, None, |s| flow::input_path(fl, &f.input, s))?;
                let mut chosen = None;
                for rule in &choice.rules {
                    if self.scoped(f, st, None, |s| crate::choice::eval(&rule.cond, &input, s))? {
                        chosen = Some(rule);
                        break;
                    }
                }
                let (next, assign) = match chosen {
                    Some(r) => (r.next, r.assign.as_ref().or(st.assign.as_ref())),
                    None => match choice.default {
                        Some(d) => (d, st.assign.as_ref()),
                        None => {
                            return Err(StatesError::new(errors::NO_CHOICE_MATCHED, "No Matches!"))
                        }
                    },
                };
                let assigned = match assign {
                    Some(a) => Some(self.eval_assign(f, st, a, &input, None)?),
                    None => None,
                };
                let output =
                    self.scoped(f, st, None, |s| flow::output_path(fl, input.clone(), s))?;
                self.exit(f, st, output.clone(), assigned)?;
                Ok(Next::Goto(next, output))
            }
            Flow::Jsonata(_) => {
                let states = self.states_var(f, st, None, None);
                let mut chosen = None;
                for (i, rule) in choice.rules.iter().enumerate() {
                    let model::Cond::Jsonata(t) = &rule.cond else {
                        continue;
                    };
                    let field = format!("Choices/{i}/Condition");
                    let v = self.scoped(f, st, None, |s| t.eval(&states, s, &field))?;
                    match v {
                        Value::Bool(true) => {
                            chosen = Some(rule);
                            break;
                        }
                        Value::Bool(false) => {}
                        other => {
                            return Err(StatesError::query(format!(
                                "The Condition field must evaluate to a boolean, but was: {other}"
                            )))
                        }
                    }
                }
                let (next, assign, output_t) = match chosen {
                    Some(r) => (r.next, r.assign.as_ref(), r.output.as_ref()),
                    None => match choice.default {
                        Some(d) => (
                            d,
                            st.assign.as_ref(),
                            match &st.flow {
                                Flow::Jsonata(fl) => fl.output.as_ref(),
                                _ => None,
                            },
                        ),
                        None => {
                            return Err(StatesError::new(errors::NO_CHOICE_MATCHED, "No Matches!"))
                        }
                    },
                };
                let output = match output_t {
                    Some(t) => {
                        Arc::new(self.scoped(f, st, None, |s| t.eval(&states, s, "Output"))?)
                    }
                    None => f.input.clone(),
                };
                let assigned = match assign {
                    Some(a) => Some(self.eval_assign(f, st, a, &f.input.clone(), None)?),
                    None => None,
                };
                self.exit(f, st, output.clone(), assigned)?;
                Ok(Next::Goto(next, output))
            }
        }
    }

    /// Evaluate an `Assign` block. JSONPath: against `input` (the state's result, or its input
    /// for states without one). JSONata: with `$states.input` and `$states.result`.
    fn eval_assign(
        &self,
        f: &Frame,
        st: &State,
        a: &model::Assign,
        input: &Value,
        result: Option<&Value>,
    ) -> Result<Map, StatesError> {
        let v = match a {
            model::Assign::JsonPath(t) => self.scoped(f, st, None, |s| t.eval(input, s))?,
            model::Assign::Jsonata(t) => {
                let states = self.states_var(f, st, result, None);
                self.scoped(f, st, None, |s| t.eval(&states, s, "Assign"))?
            }
        };
        match v {
            Value::Object(m) => Ok(m),
            _ => Ok(Map::new()),
        }
    }

    /// Apply the assignment, then emit the state's exit event (with its variables).
    fn exit(
        &mut self,
        f: &mut Frame,
        st: &State,
        output: Arc<Value>,
        assigned: Option<Map>,
    ) -> Result<(), StatesError> {
        let mut details = StateExitedEventDetails::new(st.name.clone(), Payload::from_arc(output));
        if let Some(vars) = assigned {
            let list = vars
                .iter()
                .map(|(k, v)| (k.to_string(), Payload::new(v.clone())))
                .collect();
            if !f.owns_scope {
                f.scope = self.scopes.open(Some(f.scope));
                f.owns_scope = true;
            }
            self.scopes
                .assign(f.scope, vars)
                .map_err(|cause| self.located(f, st, StatesError::runtime(cause)))?;
            details = details.with_assigned_variables(AssignedVariables(list));
        }
        if let Some(d) = events::exited(&st.kind, details) {
            f.prev = self.log.push(f.prev, self.now, d);
        }
        Ok(())
    }

    /// After the work: ResultSelector, ResultPath, OutputPath (or JSONata Output), Assign, the
    /// exit event, and the transition.
    fn finish(
        &mut self,
        _program: &Program,
        f: &mut Frame,
        st: &State,
        result: Arc<Value>,
    ) -> Result<Next, StatesError> {
        let (output, assigned) = match &st.flow {
            Flow::JsonPath(fl) => {
                let r = match fl.result_selector {
                    Some(_) => self
                        .scoped(f, st, None, |s| flow::result_selector(fl, result, s))
                        .map_err(|e| self.located(f, st, e))?,
                    None => result,
                };
                // The output is checked below; the result needs its own check only when the
                // output does not contain it (`ResultPath: null`).
                if matches!(fl.result_path, model::PathField::Null)
                    && !matches!(st.kind, Kind::Succeed | Kind::Wait(_))
                    && limits::exceeds(&r, limits::PAYLOAD_LIMIT_BYTES)
                {
                    return Err(data_limit(st));
                }
                let assign_input: &Value = if matches!(st.kind, Kind::Succeed | Kind::Wait(_)) {
                    &f.input
                } else {
                    &r
                };
                let assigned = match &st.assign {
                    Some(a) => Some(
                        self.eval_assign(f, st, a, assign_input, None)
                            .map_err(|e| self.located(f, st, e))?,
                    ),
                    None => None,
                };
                // Paths are evaluated in a scope only when they are written as paths (`$$` and
                // variables may appear in them); the defaults need none.
                let out = match st.kind {
                    Kind::Succeed | Kind::Wait(_) => match fl.input_path {
                        // The result handed in is the input itself: no second reference.
                        model::PathField::Default if Arc::ptr_eq(&r, &f.input) => Ok(r),
                        model::PathField::Default => Ok(f.input.clone()),
                        _ => self.scoped(f, st, None, |s| flow::input_path(fl, &f.input, s)),
                    },
                    _ => flow::result_path(&fl.result_path, &f.input, r),
                };
                let out = out
                    .and_then(|o| match fl.output_path {
                        model::PathField::Default => Ok(o),
                        _ => self.scoped(f, st, None, |s| flow::output_path(fl, o, s)),
                    })
                    .map_err(|e| self.located(f, st, e))?;
                (out, assigned)
            }
            Flow::Jsonata(fl) => {
                let has_result = matches!(
                    st.kind,
                    Kind::Task(_) | Kind::Map(_) | Kind::Parallel { .. }
                );
                let states = self.states_var(f, st, has_result.then_some(&*result), None);
                let out = match &fl.output {
                    Some(t) => Arc::new(
                        self.scoped(f, st, None, |s| t.eval(&states, s, "Output"))
                            .map_err(|e| self.located(f, st, e))?,
                    ),
                    None => result.clone(),
                };
                let assigned = match &st.assign {
                    Some(a) => Some(
                        self.eval_assign(
                            f,
                            st,
                            a,
                            &f.input.clone(),
                            has_result.then_some(&*result),
                        )
                        .map_err(|e| self.located(f, st, e))?,
                    ),
                    None => None,
                };
                (out, assigned)
            }
        };
        // An output that is the state's input itself (Choice, Succeed, a Pass without changes)
        // was checked when it was made (or at StartExecution).
        if !Arc::ptr_eq(&output, &f.input) && limits::exceeds(&output, limits::PAYLOAD_LIMIT_BYTES)
        {
            return Err(data_limit(st));
        }
        self.exit(f, st, output.clone(), assigned)?;
        Ok(match st.next {
            Some(n) => Next::Goto(n, output),
            None => Next::End(output),
        })
    }

    /// Retry, then Catch, then give up.
    fn on_error(&mut self, _program: &Program, f: &mut Frame, st: &State, e: StatesError) -> Next {
        if let Some((i, r)) = st
            .retry
            .iter()
            .enumerate()
            .find(|(_, r)| e.matches(&r.errors))
        {
            let attempts = f.retries.get(i).copied().unwrap_or(0);
            if attempts < r.max_attempts {
                let mut delay = r.interval_seconds * r.backoff_rate.powi(attempts as i32);
                if let Some(max) = r.max_delay_seconds {
                    delay = delay.min(max);
                }
                if r.full_jitter {
                    let rng = SplitMix64::new(self.rng ^ (self.log.next_id() as u64));
                    delay *= (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
                }
                if let Some(c) = f.retries.get_mut(i) {
                    *c += 1;
                }
                let id = self.effect_id();
                let fid = self.frame_id_of(f);
                self.pending.insert(id, Pending::RetryTimer { frame: fid });
                self.effects.push(Effect::StartTimer {
                    id,
                    due_millis: self.now + (delay * 1000.0) as i64,
                });
                f.waiting.push(id);
                return Next::Block;
            }
        }
        if let Some(c) = st.catch.iter().find(|c| e.matches(&c.errors)) {
            let error_output = e.output();
            let caught = match st.ql {
                QueryLanguage::JsonPath => {
                    flow::result_path(&c.result_path, &f.input, Arc::new(error_output.clone()))
                        .and_then(|out| {
                            let assigned = match &c.assign {
                                Some(a) => Some(self.eval_assign(f, st, a, &error_output, None)?),
                                None => None,
                            };
                            Ok((out, assigned))
                        })
                }
                QueryLanguage::Jsonata => {
                    let states = self.states_var(f, st, None, Some(&error_output));
                    let out = match &c.output {
                        Some(t) => self
                            .scoped(f, st, None, |s| t.eval(&states, s, "Output"))
                            .map(Arc::new),
                        None => Ok(Arc::new(error_output.clone())),
                    };
                    out.and_then(|out| {
                        let assigned = match &c.assign {
                            Some(model::Assign::Jsonata(t)) => {
                                match self.scoped(f, st, None, |s| t.eval(&states, s, "Assign"))? {
                                    Value::Object(m) => Some(m),
                                    _ => None,
                                }
                            }
                            _ => None,
                        };
                        Ok((out, assigned))
                    })
                }
            };
            // AWS records the caught state's exit, with the catcher's output, before moving on.
            return match caught {
                Ok((out, assigned)) => match self.exit(f, st, out.clone(), assigned) {
                    Ok(()) => Next::Goto(c.next, out),
                    Err(e) => Next::Fail(e),
                },
                Err(e2) => Next::Fail(self.located(f, st, e2)),
            };
        }
        Next::Fail(e)
    }

    /// Frames are moved out of the map while they run; recover the id from the ready loop.
    fn frame_id_of(&self, f: &Frame) -> FrameId {
        f.self_id
    }
}

enum TaskEvent {
    Started(Option<String>),
    Succeeded(Arc<Value>),
    Failed(StatesError),
    StartFailed(StatesError),
    TimedOut(StatesError),
}

/// `arn:aws:lambda:REGION:ACCOUNT:function:NAME` (the legacy Lambda resource, with its own events).
fn is_lambda_function(resource: &str) -> bool {
    resource.starts_with("arn:aws:lambda:") && resource.contains(":function:")
}

/// `arn:aws:states:REGION:ACCOUNT:activity:NAME`.
fn is_activity(resource: &str) -> bool {
    resource.starts_with("arn:aws:states:") && resource.contains(":activity:")
}

/// `arn:aws:states:::lambda:invoke` -> (`lambda`, `invoke`); `...:::aws-sdk:s3:listBuckets` ->
/// (`aws-sdk:s3`, `listBuckets`); anything else -> (`""`, resource).
fn split_resource(resource: &str) -> (&str, &str) {
    match resource.split_once(":::") {
        Some((_, rest)) => match rest.rfind(':') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => ("", rest),
        },
        None => ("", resource),
    }
}

fn split_error(e: StatesError) -> (Option<String>, Option<String>) {
    let opt = |s: String| if s.is_empty() { None } else { Some(s) };
    (opt(e.error), opt(e.cause))
}

fn data_limit(st: &State) -> StatesError {
    StatesError::new(
        errors::DATA_LIMIT_EXCEEDED,
        format!("The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.", st.name),
    )
}

/// A whole number of seconds from a literal, path or JSONata value (strings of digits too).
pub(crate) fn as_count(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }
}

impl Execution {
    fn schedule_task(
        &mut self,
        fid: FrameId,
        f: &mut Frame,
        st: &State,
        task: &model::Task,
    ) -> Result<Next, StatesError> {
        let id = self.effect_id();
        f.task_token = task
            .resource
            .ends_with(".waitForTaskToken")
            .then(|| Arc::from(self.task_token(id).as_str()));
        let input = self.arguments(f, st)?;
        let seconds = |spec: &Option<ValueSpec>, name: &str| -> Result<Option<u64>, StatesError> {
            let Some(spec) = spec else { return Ok(None) };
            let v = self.spec_value(f, st, spec, &f.input, name)?;
            match v.as_ref().and_then(as_count) {
                Some(n) if n > 0 => Ok(Some(n as u64)),
                _ => Err(StatesError::runtime(format!(
                    "The {name} field must be a positive integer, but was: {}",
                    v.map(|v| v.to_string()).unwrap_or_else(|| "null".into())
                ))),
            }
        };
        let timeout = seconds(&task.timeout, "TimeoutSeconds")?;
        let heartbeat = seconds(&task.heartbeat, "HeartbeatSeconds")?;
        let resource: Arc<str> = Arc::from(task.resource.as_str());
        let details = if is_activity(&task.resource) {
            let mut d = ActivityScheduledEventDetails::new(
                task.resource.clone(),
                Payload::from_arc(input.clone()),
            );
            d.timeout_in_seconds = timeout.map(|t| t as i64);
            d.heartbeat_in_seconds = heartbeat.map(|t| t as i64);
            D::ActivityScheduled(d)
        } else if is_lambda_function(&task.resource) {
            let mut d = LambdaFunctionScheduledEventDetails::new(
                task.resource.clone(),
                Payload::from_arc(input.clone()),
            );
            d.timeout_in_seconds = timeout.map(|t| t as i64);
            D::LambdaFunctionScheduled(Box::new(d))
        } else {
            let (ty, res) = split_resource(&task.resource);
            let region = self
                .info
                .state_machine_arn
                .split(':')
                .nth(3)
                .unwrap_or("us-east-1")
                .to_owned();
            let mut d =
                TaskScheduledEventDetails::new(ty, res, region, Payload::from_arc(input.clone()));
            d.timeout_in_seconds = timeout.map(|t| t as i64);
            d.heartbeat_in_seconds = heartbeat.map(|t| t as i64);
            D::TaskScheduled(Box::new(d))
        };
        f.prev = self.log.push(f.prev, self.now, details);
        let timeout_timer = timeout.map(|t| {
            self.task_timer(
                f,
                t,
                Pending::TaskTimeout {
                    frame: fid,
                    task: id,
                },
            )
        });
        let heartbeat_timer = heartbeat.map(|h| {
            let timer = self.task_timer(
                f,
                h,
                Pending::HeartbeatTimeout {
                    frame: fid,
                    task: id,
                },
            );
            (timer, h)
        });
        self.pending.insert(
            id,
            Pending::Task {
                frame: fid,
                timeout_timer,
                heartbeat: heartbeat_timer,
                resource,
                started: false,
            },
        );
        f.waiting.push(id);
        self.effects.push(Effect::RunTask(TaskRequest {
            id,
            resource: task.resource.clone(),
            input,
            state_name: String::from(&*st.name),
            timeout_seconds: timeout,
            heartbeat_seconds: heartbeat,
            task_token: f.task_token.as_deref().map(str::to_owned),
        }));
        Ok(Next::Block)
    }

    /// Arm a timer `secs` from now that fires `pending`, owned by frame `f`.
    fn task_timer(&mut self, f: &mut Frame, secs: u64, pending: Pending) -> u64 {
        let id = self.effect_id();
        self.pending.insert(id, pending);
        self.effects.push(Effect::StartTimer {
            id,
            due_millis: self.now + secs as i64 * 1000,
        });
        f.waiting.push(id);
        id
    }

    /// An opaque, unguessable-looking token for a callback task, derived from the execution's
    /// seed so that replay gives the same token.
    fn task_token(&self, effect: u64) -> String {
        let rng = SplitMix64::new(self.rng ^ effect.wrapping_mul(0xA076_1D64_78BD_642F));
        (0..8).map(|_| format!("{:016x}", rng.next_u64())).collect()
    }

    fn task_event(&mut self, _program: &Program, fid: FrameId, resource: &str, ev: TaskEvent) {
        let now = self.now;
        let Some(f) = self.frames.get_mut(&fid) else {
            return;
        };
        let lambda = is_lambda_function(resource);
        let (ty, res) = split_resource(resource);
        let d = if is_activity(resource) {
            match ev {
                TaskEvent::Started(worker) => {
                    let mut d = ActivityStartedEventDetails::new("");
                    d.worker_name = worker;
                    D::ActivityStarted(d)
                }
                TaskEvent::Succeeded(o) => {
                    D::ActivitySucceeded(ActivitySucceededEventDetails::new(Payload::from_arc(o)))
                }
                TaskEvent::Failed(e) => D::ActivityFailed(e.into()),
                TaskEvent::StartFailed(e) => D::ActivityScheduleFailed(e.into()),
                TaskEvent::TimedOut(e) => D::ActivityTimedOut(e.into()),
            }
        } else {
            match (ev, lambda) {
                (TaskEvent::Started(_), true) => D::LambdaFunctionStarted,
                (TaskEvent::Started(_), false) => {
                    D::TaskStarted(TaskStartedEventDetails::new(ty, res))
                }
                (TaskEvent::Succeeded(o), true) => D::LambdaFunctionSucceeded(
                    LambdaFunctionSucceededEventDetails::new(Payload::from_arc(o)),
                ),
                (TaskEvent::Succeeded(o), false) => D::TaskSucceeded(
                    TaskSucceededEventDetails::new(ty, res, Payload::from_arc(o)),
                ),
                (TaskEvent::Failed(e), true) => D::LambdaFunctionFailed(e.into()),
                (TaskEvent::Failed(e), false) => {
                    D::TaskFailed(TaskFailedEventDetails::from_error(ty, res, e))
                }
                (TaskEvent::StartFailed(e), true) => {
                    D::LambdaFunctionStartFailed(LambdaFunctionStartFailedEventDetails::from(e))
                }
                (TaskEvent::StartFailed(e), false) => {
                    D::TaskStartFailed(TaskStartFailedEventDetails::from_error(ty, res, e))
                }
                (TaskEvent::TimedOut(e), true) => {
                    D::LambdaFunctionTimedOut(LambdaFunctionTimedOutEventDetails::from(e))
                }
                (TaskEvent::TimedOut(e), false) => {
                    D::TaskTimedOut(TaskTimedOutEventDetails::from_error(ty, res, e))
                }
            }
        };
        let prev = f.prev;
        let id = self.log.push(prev, now, d);
        if let Some(f) = self.frames.get_mut(&fid) {
            f.prev = id;
        }
    }
}
