//! The in-memory driver of express executions and `estado run`: tasks run concurrently, task
//! timeouts race them in real time, Wait states follow the time scale.

use std::sync::Arc;
use std::time::{Duration, Instant};

use estado_engine::{Clock, SystemClock};
use estado_interp::{Delivery, Env, ExecInfo, Execution, MachineType, Status, TaskRequest};
use estado_json::{json, Value};

fn start(def: &Value) -> (Arc<estado_asl::model::Program>, Execution) {
    let program = Arc::new(estado_asl::compile(def).expect("compiles"));
    let now = SystemClock.now_ms();
    let info = ExecInfo {
        execution_arn: "arn:aws:states:us-east-1:123456789012:express:sm:e:1".into(),
        name: "e".into(),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:sm".into(),
        state_machine_name: "sm".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        start_millis: now,
        input: Arc::new(json!({})),
        machine_type: MachineType::Express,
        seed: 7,
        redrive_count: None,
        test_case: None,
    };
    let exec = Execution::start(&program, info, Env { now_millis: now });
    (program, exec)
}

/// Sleeps the number of milliseconds in its input's `ms`, then echoes it.
async fn sleepy(_info: ExecInfo, req: TaskRequest) -> Delivery {
    let ms = req.input.get("ms").and_then(Value::as_u64).unwrap_or(0);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Delivery::TaskSucceeded {
        id: req.id,
        output: (*req.input).clone(),
    }
}

fn task(ms: u64) -> Value {
    json!({"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
           "Parameters": {"ms": ms}, "End": true})
}

#[tokio::test]
async fn parallel_tasks_run_at_once_and_waits_follow_the_scale() {
    let def = json!({"StartAt": "Nap", "States": {
        "Nap": {"Type": "Wait", "Seconds": 3600, "Next": "Both"},
        "Both": {"Type": "Parallel", "End": true, "Branches": [
            {"StartAt": "A", "States": {"A": task(400)}},
            {"StartAt": "B", "States": {"B": task(400)}},
            {"StartAt": "C", "States": {"C": task(400)}}]}}});
    let (program, mut exec) = start(&def);
    let began = Instant::now();
    let mut events = 0;
    estado_engine::local::drive(
        &program,
        &mut exec,
        &SystemClock,
        0.0,
        sleepy,
        Some(|e: Vec<_>| events += e.len()),
    )
    .await;
    let took = began.elapsed();
    assert!(
        took < Duration::from_millis(1_000),
        "three 400 ms tasks side by side, the hour's wait skipped: {took:?}"
    );
    assert!(matches!(exec.status(), Status::Succeeded { .. }));
    assert!(
        exec.now_millis() >= SystemClock.now_ms() + 3_500_000,
        "the execution's clock moved past the wait"
    );
    assert!(events > 10, "the history reaches the caller");
}

#[tokio::test]
async fn a_task_timeout_cuts_a_slow_task_short_in_real_time() {
    let def = json!({"StartAt": "Slow", "States": {"Slow": {
        "Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"ms": 5000}, "TimeoutSeconds": 1, "End": true}}});
    let (program, mut exec) = start(&def);
    let began = Instant::now();
    estado_engine::local::drive(
        &program,
        &mut exec,
        &SystemClock,
        0.0,
        sleepy,
        None::<fn(_)>,
    )
    .await;
    let took = began.elapsed();
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_millis(3_000),
        "{took:?}"
    );
    match exec.status() {
        Status::Failed { error, .. } => assert_eq!(error.as_deref(), Some("States.Timeout")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_panicking_runner_fails_its_task() {
    let def = json!({"StartAt": "T", "States": {"T": task(0)}});
    let (program, mut exec) = start(&def);
    estado_engine::local::drive(
        &program,
        &mut exec,
        &SystemClock,
        0.0,
        |_info, _req| async { panic!("runner bug") },
        None::<fn(_)>,
    )
    .await;
    match exec.status() {
        Status::Failed { error, .. } => assert_eq!(error.as_deref(), Some("States.TaskFailed")),
        other => panic!("{other:?}"),
    }
}
