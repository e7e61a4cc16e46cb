//! Runner tasks go through the store: the step commits them (with `TaskScheduled`) and
//! dispatchers run them; a crash re-runs them; timeouts, stops and failed branches drop them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use estado_engine::runtime::StartRequest;
use estado_engine::{Registry, Runtime, RuntimeConfig, SystemClock, TaskRunner};
use estado_interp::{Delivery, ExecInfo, TaskRequest};
use estado_json::{json, Value};
use estado_store::memory::MemoryStore;
use estado_store::Store;
use tokio::sync::Notify;

const SQS: &str = "arn:aws:states:::sqs:sendMessage";

/// Answers `sqs:sendMessage` with `{"echo": input}` once `gate` lets it through (at once when
/// open). Counts the calls that started and the ones dropped before answering.
#[derive(Default)]
struct Gated {
    open: std::sync::atomic::AtomicBool,
    gate: Notify,
    started: AtomicUsize,
    dropped: Arc<AtomicUsize>,
    infos: Mutex<Vec<String>>,
}

struct CountDrop(Arc<AtomicUsize>, bool);
impl Drop for CountDrop {
    fn drop(&mut self) {
        if !self.1 {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

impl Gated {
    fn release(&self) {
        self.open.store(true, Ordering::SeqCst);
        self.gate.notify_waiters();
    }
}

#[async_trait]
impl TaskRunner for Gated {
    fn handles(&self, resource: &str) -> bool {
        resource.starts_with(SQS)
    }
    async fn run(&self, info: &ExecInfo, req: &TaskRequest) -> Delivery {
        self.started.fetch_add(1, Ordering::SeqCst);
        self.infos
            .lock()
            .unwrap()
            .push(format!("{} {}", info.execution_arn, req.state_name));
        let mut guard = CountDrop(self.dropped.clone(), false);
        loop {
            let wait = self.gate.notified();
            if self.open.load(Ordering::SeqCst) {
                break;
            }
            wait.await;
        }
        guard.1 = true;
        Delivery::TaskSucceeded {
            id: req.id,
            output: json!({"echo": *req.input}),
        }
    }
}

fn config(owner: &str) -> RuntimeConfig {
    RuntimeConfig {
        owner: owner.into(),
        lease_ms: 300,
        time_scale: 0.0,
        poll_ms: 50,
        ..Default::default()
    }
}

fn arn(i: usize) -> String {
    format!("arn:aws:states:us-east-1:123456789012:execution:sm:e{i}")
}

fn start_req(i: usize, def: &Value) -> StartRequest {
    StartRequest {
        execution_arn: arn(i),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:sm".into(),
        state_machine_name: "sm".into(),
        name: format!("e{i}"),
        definition: def.to_string(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        input: json!({"n": i}).to_string(),
        express: false,
        version_arn: None,
        alias_arn: None,
        trace_header: None,
        test_case: None,
    }
}

fn runtime(store: &Arc<dyn Store>, owner: &str, runner: &Arc<Gated>) -> Arc<Runtime> {
    Runtime::new(
        store.clone(),
        Arc::new(SystemClock),
        config(owner),
        Registry::new(vec![runner.clone()]),
    )
}

async fn types(store: &Arc<dyn Store>, i: usize) -> Vec<String> {
    store
        .history(&arn(i), 0, false, 1000)
        .await
        .unwrap()
        .iter()
        .map(|e| e.event_type().to_owned())
        .collect()
}

async fn until(what: &str, limit: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + limit;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn closed(store: &Arc<dyn Store>, i: usize) -> estado_store::Execution {
    let mut last = None;
    until(
        "the execution closes",
        Duration::from_secs(10),
        async || {
            let e = store.get_execution(&arn(i)).await.unwrap().unwrap();
            let done = !e.is_open();
            last = Some(e);
            done
        },
    )
    .await;
    last.unwrap()
}

fn one_task(extra: Value) -> Value {
    let mut task = json!({"Type": "Task", "Resource": SQS, "End": true});
    if let (Some(t), Some(x)) = (task.as_object_mut(), extra.as_object()) {
        t.extend(x.clone());
    }
    json!({"StartAt": "Send", "States": {"Send": task}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_task_is_committed_before_it_runs_and_its_outcome_comes_back() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let runner = Arc::new(Gated::default());
    let rt = runtime(&store, "a", &runner);
    let loop_ = tokio::spawn(rt.clone().run(std::future::pending()));
    rt.start(start_req(0, &one_task(json!({})))).await.unwrap();
    until("the runner is called", Duration::from_secs(5), async || {
        runner.started.load(Ordering::SeqCst) == 1
    })
    .await;
    // The call is in flight: the step that scheduled it has committed, lease released.
    assert_eq!(
        types(&store, 0).await,
        ["ExecutionStarted", "TaskStateEntered", "TaskScheduled"]
    );
    assert!(store
        .get_execution(&arn(0))
        .await
        .unwrap()
        .unwrap()
        .is_open());
    runner.release();
    let e = closed(&store, 0).await;
    assert_eq!(e.status, "SUCCEEDED");
    assert_eq!(
        serde_json::from_str::<Value>(e.output.as_deref().unwrap()).unwrap(),
        json!({"echo": {"n": 0}})
    );
    assert_eq!(
        types(&store, 0).await,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "TaskScheduled",
            "TaskStarted",
            "TaskSucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    assert_eq!(
        runner.infos.lock().unwrap().clone(),
        [format!("{} Send", arn(0))],
        "the runner gets the execution's info and the state"
    );
    assert!(
        store
            .claim_dispatches("x", i64::MAX, 1, 10)
            .await
            .unwrap()
            .is_empty(),
        "nothing left to dispatch"
    );
    loop_.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_running_when_a_node_dies_run_again_on_the_next() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let stuck = Arc::new(Gated::default());
    let first = runtime(&store, "first", &stuck);
    let loop_ = tokio::spawn(first.clone().run(std::future::pending()));
    let def = json!({"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": true,
        "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": SQS, "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": SQS, "End": true}}}]}}});
    for i in 0..3 {
        first.start(start_req(i, &def)).await.unwrap();
    }
    until("six calls in flight", Duration::from_secs(5), async || {
        stuck.started.load(Ordering::SeqCst) == 6
    })
    .await;
    // Kill the node without any cleanup: its tasks die with it, their dispatches stay.
    loop_.abort();
    let _ = loop_.await;
    until(
        "the dead node's tasks are gone",
        Duration::from_secs(5),
        async || stuck.dropped.load(Ordering::SeqCst) == 6,
    )
    .await;

    let working = Arc::new(Gated::default());
    working.release();
    let second = runtime(&store, "second", &working);
    let loop_ = tokio::spawn(second.clone().run(std::future::pending()));
    for i in 0..3 {
        let e = closed(&store, i).await;
        assert_eq!(e.status, "SUCCEEDED", "{e:?}");
        let out: Value = serde_json::from_str(e.output.as_deref().unwrap()).unwrap();
        assert_eq!(out, json!([{"echo": {"n": i}}, {"echo": {"n": i}}]));
        let t = types(&store, i).await;
        assert_eq!(t.iter().filter(|t| *t == "TaskScheduled").count(), 2);
        assert_eq!(t.iter().filter(|t| *t == "TaskSucceeded").count(), 2);
    }
    assert_eq!(
        working.started.load(Ordering::SeqCst),
        6,
        "each task ran again once, after the first node's leases ended"
    );
    loop_.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn released_leases_run_again_at_once() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let stuck = Arc::new(Gated::default());
    let mut cfg = config("first");
    cfg.lease_ms = 60_000;
    let first = Runtime::new(
        store.clone(),
        Arc::new(SystemClock),
        cfg.clone(),
        Registry::new(vec![stuck.clone()]),
    );
    let loop_ = tokio::spawn(first.clone().run(std::future::pending()));
    first
        .start(start_req(0, &one_task(json!({}))))
        .await
        .unwrap();
    until(
        "the call is in flight",
        Duration::from_secs(5),
        async || stuck.started.load(Ordering::SeqCst) == 1,
    )
    .await;
    loop_.abort();
    let _ = loop_.await;
    // As `estado serve` does at start on its own store.
    assert!(store.release_leases().await.unwrap() >= 1);
    let working = Arc::new(Gated::default());
    working.release();
    cfg.owner = "second".into();
    let second = Runtime::new(
        store.clone(),
        Arc::new(SystemClock),
        cfg,
        Registry::new(vec![working.clone()]),
    );
    let started = tokio::time::Instant::now();
    let loop_ = tokio::spawn(second.clone().run(std::future::pending()));
    assert_eq!(closed(&store, 0).await.status, "SUCCEEDED");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "not after the 60 s lease"
    );
    loop_.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_longer_than_a_lease_runs_once() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let slow = Arc::new(Gated::default());
    let rt = runtime(&store, "a", &slow);
    let loop_ = tokio::spawn(rt.clone().run(std::future::pending()));
    rt.start(start_req(0, &one_task(json!({})))).await.unwrap();
    // Five leases (300 ms) long: renewals keep the dispatch from being claimed again.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(slow.started.load(Ordering::SeqCst), 1);
    slow.release();
    assert_eq!(closed(&store, 0).await.status, "SUCCEEDED");
    assert_eq!(slow.started.load(Ordering::SeqCst), 1);
    loop_.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_task_is_dropped() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let slow = Arc::new(Gated::default());
    let rt = runtime(&store, "a", &slow);
    let loop_ = tokio::spawn(rt.clone().run(std::future::pending()));
    // A wait-time scale of 0 does not shorten task timeouts: they race real work.
    let def = one_task(json!({"TimeoutSeconds": 1}));
    let begun = tokio::time::Instant::now();
    rt.start(start_req(0, &def)).await.unwrap();
    let e = closed(&store, 0).await;
    assert!(begun.elapsed() >= Duration::from_millis(900));
    assert_eq!(
        (e.status.as_str(), e.error.as_deref()),
        ("FAILED", Some("States.Timeout"))
    );
    until("the call is dropped", Duration::from_secs(5), async || {
        slow.dropped.load(Ordering::SeqCst) == 1
    })
    .await;
    assert!(store
        .claim_dispatches("x", i64::MAX, 1, 10)
        .await
        .unwrap()
        .is_empty());
    loop_.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_branch_and_a_stop_drop_running_tasks() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let slow = Arc::new(Gated::default());
    let rt = runtime(&store, "a", &slow);
    let loop_ = tokio::spawn(rt.clone().run(std::future::pending()));
    let def = json!({"StartAt": "Both", "States": {"Both": {"Type": "Parallel", "End": true,
        "Branches": [
            {"StartAt": "Slow", "States": {"Slow": {"Type": "Task", "Resource": SQS, "End": true}}},
            {"StartAt": "Nap", "States": {
                "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Boom"},
                "Boom": {"Type": "Fail", "Error": "Boom"}}}]}}});
    rt.start(start_req(0, &def)).await.unwrap();
    let e = closed(&store, 0).await;
    assert_eq!(e.error.as_deref(), Some("Boom"));
    // With a time scale of 0 the branch may fail before the call starts: then it never does.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let began = slow.started.load(Ordering::SeqCst);
    assert!(began <= 1);
    until(
        "the branch's call is dropped",
        Duration::from_secs(5),
        async || slow.dropped.load(Ordering::SeqCst) == began,
    )
    .await;

    rt.start(start_req(1, &one_task(json!({})))).await.unwrap();
    until(
        "the call is in flight",
        Duration::from_secs(5),
        async || slow.started.load(Ordering::SeqCst) == began + 1,
    )
    .await;
    rt.deliver(
        &arn(1),
        None,
        Delivery::Stop {
            error: Some("Halt".into()),
            cause: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(closed(&store, 1).await.status, "ABORTED");
    until(
        "the stopped execution's call is dropped",
        Duration::from_secs(5),
        async || slow.dropped.load(Ordering::SeqCst) == began + 1,
    )
    .await;
    assert!(store
        .claim_dispatches("x", i64::MAX, 1, 10)
        .await
        .unwrap()
        .is_empty());
    loop_.abort();
}
