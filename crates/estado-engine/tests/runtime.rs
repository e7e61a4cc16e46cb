//! The runtime over the in-memory store: executions run to their end through the store, and a
//! runtime that dies mid-way is replaced by another that finishes the work from the last commits.

use std::sync::Arc;
use std::time::Duration;

use estado_engine::runtime::StartRequest;
use estado_engine::{Registry, Runtime, RuntimeConfig, SystemClock};
use estado_json::{json, Value};
use estado_store::memory::MemoryStore;
use estado_store::Store;

fn config(owner: &str) -> RuntimeConfig {
    RuntimeConfig {
        owner: owner.into(),
        lease_ms: 300,
        time_scale: 0.0,
        poll_ms: 50,
        ..Default::default()
    }
}

fn start_req(i: usize, def: &Value, input: Value) -> StartRequest {
    StartRequest {
        execution_arn: format!("arn:aws:states:us-east-1:123456789012:execution:sm:e{i}"),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:sm".into(),
        state_machine_name: "sm".into(),
        name: format!("e{i}"),
        definition: def.to_string(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        input: input.to_string(),
        express: false,
        version_arn: None,
        alias_arn: None,
        trace_header: None,
        test_case: None,
    }
}

fn mixed() -> Value {
    json!({"StartAt": "Count", "States": {
        "Count": {"Type": "Pass", "Parameters": {"n.$": "$.n", "items.$": "States.ArrayRange(1, $.n, 1)"}, "Next": "Wait"},
        "Wait": {"Type": "Wait", "Seconds": 30, "Next": "Each"},
        "Each": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 2, "ItemProcessor": {"StartAt": "Nap", "States": {
            "Nap": {"Type": "Wait", "Seconds": 5, "Next": "Double"},
            "Double": {"Type": "Pass", "Parameters": {"v.$": "States.MathAdd($, $)"}, "End": true}}}, "ResultPath": "$.doubled", "Next": "Both"},
        "Both": {"Type": "Parallel", "Branches": [
            {"StartAt": "A", "States": {"A": {"Type": "Pass", "Result": "a", "End": true}}},
            {"StartAt": "B", "States": {"B": {"Type": "Wait", "Seconds": 1, "End": true}}}], "ResultPath": "$.both", "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericGreaterThan": 2, "Next": "Big"}], "Default": "Small"},
        "Big": {"Type": "Pass", "Parameters": {"size": "big", "doubled.$": "$.doubled"}, "End": true},
        "Small": {"Type": "Pass", "Parameters": {"size": "small", "doubled.$": "$.doubled"}, "End": true}}})
}

fn expected(n: i64) -> Value {
    let doubled: Vec<Value> = (1..=n).map(|i| json!({"v": i * 2})).collect();
    json!({"size": if n > 2 { "big" } else { "small" }, "doubled": doubled})
}

async fn wait_all_closed(store: &Arc<dyn Store>, n: usize, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let mut open = 0;
        for i in 0..n {
            let e = store
                .get_execution(&format!(
                    "arn:aws:states:us-east-1:123456789012:execution:sm:e{i}"
                ))
                .await
                .unwrap()
                .unwrap();
            if e.is_open() {
                open += 1;
            }
        }
        if open == 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{open} executions still open"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn check_all(store: &Arc<dyn Store>, n: usize) {
    for i in 0..n {
        let arn = format!("arn:aws:states:us-east-1:123456789012:execution:sm:e{i}");
        let e = store.get_execution(&arn).await.unwrap().unwrap();
        assert_eq!(e.status, "SUCCEEDED", "{arn}: {e:?}");
        let out: Value = serde_json::from_str(e.output.as_deref().unwrap()).unwrap();
        assert_eq!(out, expected((i % 4 + 1) as i64), "{arn}");
        let events = store.history(&arn, 0, false, 100_000).await.unwrap();
        for (k, ev) in events.iter().enumerate() {
            assert_eq!(ev.id, k as i64 + 1, "{arn}: ids are consecutive");
        }
        let terminal = events
            .iter()
            .filter(|e| {
                e.event_type().starts_with("Execution") && e.event_type() != "ExecutionStarted"
            })
            .count();
        assert_eq!(terminal, 1, "{arn}: exactly one terminal event");
        assert_eq!(
            events.last().map(|e| e.event_type()),
            Some("ExecutionSucceeded")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn executions_run_to_their_end_through_the_store() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = Runtime::new(
        store.clone(),
        Arc::new(SystemClock),
        config("a"),
        Registry::default(),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(rt.clone().run(async {
        let _ = stopped.await;
    }));
    let def = mixed();
    for i in 0..40 {
        rt.start(start_req(i, &def, json!({"n": i % 4 + 1})))
            .await
            .unwrap();
    }
    wait_all_closed(&store, 40, Duration::from_secs(20)).await;
    check_all(&store, 40).await;
    let _ = stop.send(());
    handle.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_runtime_is_replaced_and_nothing_is_lost_or_run_twice() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let def = mixed();
    let first = Runtime::new(
        store.clone(),
        Arc::new(SystemClock),
        config("first"),
        Registry::default(),
    );
    for i in 0..60 {
        first
            .start(start_req(i, &def, json!({"n": i % 4 + 1})))
            .await
            .unwrap();
    }
    // Let the first runtime do part of the work (until an execution closed: starting ran each
    // one's first step already), then kill it without any cleanup.
    let handle = tokio::spawn(first.clone().run(std::future::pending()));
    let some_closed = || async {
        for i in 0..60 {
            let arn = format!("arn:aws:states:us-east-1:123456789012:execution:sm:e{i}");
            if !store.get_execution(&arn).await.unwrap().unwrap().is_open() {
                return true;
            }
        }
        false
    };
    while !some_closed().await {
        tokio::task::yield_now().await;
    }
    handle.abort();
    let _ = handle.await;
    let mut open = 0;
    for i in 0..60 {
        let e = store
            .get_execution(&format!(
                "arn:aws:states:us-east-1:123456789012:execution:sm:e{i}"
            ))
            .await
            .unwrap()
            .unwrap();
        open += usize::from(e.is_open());
    }
    assert!(
        open > 0,
        "the first runtime must die with work left, or this test proves nothing"
    );
    let second = Runtime::new(
        store.clone(),
        Arc::new(SystemClock),
        config("second"),
        Registry::default(),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(second.run(async {
        let _ = stopped.await;
    }));
    wait_all_closed(&store, 60, Duration::from_secs(20)).await;
    check_all(&store, 60).await;
    let _ = stop.send(());
    handle.await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tasks_without_a_runner_fail_naming_the_resource() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = Runtime::new(
        store.clone(),
        Arc::new(SystemClock),
        config("a"),
        Registry::default(),
    );
    let handle = tokio::spawn(rt.clone().run(std::future::pending()));
    let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}}});
    rt.start(start_req(0, &def, json!({}))).await.unwrap();
    wait_all_closed(&store, 1, Duration::from_secs(5)).await;
    let e = store
        .get_execution("arn:aws:states:us-east-1:123456789012:execution:sm:e0")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(e.status, "FAILED");
    assert_eq!(e.error.as_deref(), Some("States.TaskFailed"));
    assert!(e
        .cause
        .unwrap()
        .contains("arn:aws:states:::sqs:sendMessage"));
    handle.abort();
}

/// Starting an execution runs its first step in the same commit, with no step worker running:
/// a machine without a blocking point is finished when `start` answers, one with a Wait is
/// parked at its Wait, and one whose first step starts a task is left to a step worker with
/// `ExecutionStarted` alone (task runners do not run inside StartExecution).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_commits_the_first_step_with_the_execution() {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let rt = Runtime::new(
        store.clone(),
        Arc::new(SystemClock),
        RuntimeConfig {
            time_scale: 1.0,
            ..config("idle")
        },
        Registry::default(),
    );
    let types = |arn: String| {
        let store = store.clone();
        async move {
            store
                .history(&arn, 0, false, 100)
                .await
                .unwrap()
                .iter()
                .map(|e| e.event_type())
                .collect::<Vec<_>>()
        }
    };

    let pass =
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"r": 1}, "End": true}}});
    let done = rt.start(start_req(0, &pass, json!({}))).await.unwrap();
    assert_eq!(done.status, "SUCCEEDED");
    let stored = store.get_execution(&done.arn).await.unwrap().unwrap();
    assert_eq!(
        (stored.status.as_str(), stored.output.as_deref()),
        ("SUCCEEDED", Some(r#"{"r":1}"#))
    );
    assert_eq!(stored.stop_ms, Some(stored.start_ms));
    assert_eq!(
        types(done.arn.clone()).await,
        [
            "ExecutionStarted",
            "PassStateEntered",
            "PassStateExited",
            "ExecutionSucceeded"
        ]
    );

    let wait =
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}});
    let parked = rt.start(start_req(1, &wait, json!({}))).await.unwrap();
    assert_eq!(parked.status, "RUNNING");
    assert_eq!(
        types(parked.arn.clone()).await,
        ["ExecutionStarted", "WaitStateEntered"]
    );
    let due = store.next_due().await.unwrap().expect("the Wait's timer");
    assert!(
        due >= parked.start_ms + 3_600_000,
        "only the timer is pending, an hour on: {due}"
    );

    let fail =
        json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}});
    let failed = rt.start(start_req(2, &fail, json!({}))).await.unwrap();
    let stored = store.get_execution(&failed.arn).await.unwrap().unwrap();
    assert_eq!(
        (
            stored.status.as_str(),
            stored.error.as_deref(),
            stored.cause.as_deref()
        ),
        ("FAILED", Some("E"), Some("c"))
    );

    let task = json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}}});
    let queued = rt.start(start_req(3, &task, json!({}))).await.unwrap();
    assert_eq!(queued.status, "RUNNING");
    assert_eq!(types(queued.arn.clone()).await, ["ExecutionStarted"]);
    let a_minute_on = queued.start_ms + 60_000;
    let claims = store
        .claim_runnable("w", a_minute_on, 1_000, 10)
        .await
        .unwrap();
    assert_eq!(
        claims
            .iter()
            .map(|c| c.execution.arn.as_str())
            .collect::<Vec<_>>(),
        [queued.arn.as_str()],
        "only the task's execution waits for a step worker"
    );
}

/// With a store that keeps history chunks (SQLite), a long step's events are encoded on
/// another thread while the step runs (`encoding.rs`): the stored history must be exactly
/// the interpreter's, whole and in order, for a long first step (inside StartExecution), a long
/// later step (after a timer) and a long step ended by a task's effect. Timestamps aside, the
/// events equal those of the same execution driven in memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_steps_encoded_while_they_run_are_stored_whole() {
    use estado_interp::{Delivery, Effect, Env, ExecInfo, Execution, MachineType};
    let store: Arc<dyn Store> =
        Arc::new(estado_store_sqlite::SqliteStore::open_in_memory().unwrap());
    assert!(store.keeps_chunks());
    let rt = Runtime::new(
        store.clone(),
        Arc::new(SystemClock),
        config("long"),
        Registry::default(),
    );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(rt.clone().run(async {
        let _ = stopped.await;
    }));
    let counter = |name: &str, to: u32, next: &str| {
        json!({
            format!("{name}Check"): {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": to, "Next": format!("{name}Incr")}], "Default": next},
            format!("{name}Incr"): {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)", "tag.$": "$.tag"}, "Next": format!("{name}Check")}
        })
    };
    let mut states = json!({
        "Init": {"Type": "Pass", "Parameters": {"i": 0, "tag.$": "$.tag"}, "Next": "FirstCheck"},
        "Nap": {"Type": "Wait", "Seconds": 1, "Next": "Reset"},
        "Reset": {"Type": "Pass", "Parameters": {"i": 0, "tag.$": "$.tag"}, "Next": "SecondCheck"},
        "Done": {"Type": "Pass", "End": true}
    });
    // Each loop makes ~4 events per round: past the 4,096 from which a step is encoded beside
    // it.
    for part in [
        counter("First", 2500, "Nap"),
        counter("Second", 3000, "Done"),
    ] {
        states
            .as_object_mut()
            .unwrap()
            .extend(part.as_object().unwrap().clone());
    }
    let def = json!({"StartAt": "Init", "States": states});
    let input = json!({"tag": "long"});
    let started = rt.start(start_req(0, &def, input.clone())).await.unwrap();
    assert_eq!(started.status, "RUNNING", "parked on the Wait");
    let first = store
        .history(&started.arn, 0, false, 100_000)
        .await
        .unwrap();
    assert!(first.len() > 4 * 2500, "the first step's loop is stored");
    wait_all_closed(&store, 1, Duration::from_secs(20)).await;

    // The same execution in memory.
    let program = rt.program(&def.to_string()).unwrap();
    let info = ExecInfo {
        execution_arn: started.arn.as_str().into(),
        name: "e0".into(),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:sm".into(),
        state_machine_name: "sm".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        start_millis: 0,
        input: Arc::new(input),
        machine_type: MachineType::Standard,
        seed: 1,
        redrive_count: Some(0),
        test_case: None,
    };
    let mut exec = Execution::start(&program, info, Env { now_millis: 0 });
    let mut timer = None;
    for e in exec.run(&program, Env { now_millis: 0 }) {
        if let Effect::StartTimer { id, .. } = e {
            timer = Some(id);
        }
    }
    exec.deliver(
        &program,
        Delivery::TimerFired {
            id: timer.expect("the Wait's timer"),
        },
        Env { now_millis: 1_000 },
    );
    exec.run(&program, Env { now_millis: 1_000 });
    assert!(exec.status().is_terminal());
    let without_time = |events: Vec<estado_types::history::HistoryEvent>| {
        events
            .into_iter()
            .map(|e| {
                let mut v = estado_json::to_value(e).unwrap();
                v.as_object_mut().unwrap().remove("timestamp");
                v
            })
            .collect::<Vec<_>>()
    };
    let stored = store
        .history(&started.arn, 0, false, 100_000)
        .await
        .unwrap();
    let expected = without_time(exec.take_new_events());
    assert!(expected.len() > 4 * 5500, "{} events", expected.len());
    assert_eq!(stored.len(), expected.len());
    assert_eq!(without_time(stored), expected);

    // A long step whose effects include a task is not committed with the execution: the
    // execution starts with ExecutionStarted alone and a step worker runs the step.
    let mut states = counter("Only", 2500, "T");
    states.as_object_mut().unwrap().extend(
        json!({
            "Init": {"Type": "Pass", "Parameters": {"i": 0, "tag": "t"}, "Next": "OnlyCheck"},
            "T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage", "End": true}
        })
        .as_object()
        .unwrap()
        .clone(),
    );
    let def = json!({"StartAt": "Init", "States": states});
    let queued = rt.start(start_req(1, &def, json!({}))).await.unwrap();
    wait_all_closed(&store, 2, Duration::from_secs(20)).await;
    let events = store.history(&queued.arn, 0, false, 100_000).await.unwrap();
    for (k, ev) in events.iter().enumerate() {
        assert_eq!(ev.id, k as i64 + 1, "ids are consecutive");
    }
    assert!(events.len() > 4 * 2500);
    assert_eq!(
        events.last().map(|e| e.event_type()),
        Some("ExecutionFailed"),
        "the task has no runner here"
    );
    let _ = stop.send(());
    handle.await.unwrap();
}
