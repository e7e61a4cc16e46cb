//! The interpreter driven as a server would drive it: a manual clock, timers fired in due
//! order, and task outcomes delivered by the test.

use std::sync::Arc;

use estado_asl::model::Program;
use estado_interp::{Delivery, Effect, Env, ExecInfo, Execution, MachineType, Status, TaskRequest};
use estado_json::{json, Value};
use estado_types::history::{EventDetails, HistoryEvent};
use estado_types::StatesError;

const T0: i64 = 1_700_000_000_000;

fn program(def: Value) -> Program {
    estado_asl::compile(&def).expect("definition compiles")
}

fn info(input: Value, machine_type: MachineType, seed: u64) -> ExecInfo {
    ExecInfo {
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:sm:run".into(),
        name: "run".into(),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:sm".into(),
        state_machine_name: "sm".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        start_millis: T0,
        input: Arc::new(input),
        machine_type,
        seed,
        // An EXPRESS one runs as StartSyncExecution's.
        redrive_count: machine_type.first_redrive_count(true),
        test_case: None,
    }
}

/// Drives an execution to its end. `task` answers each task request (None = never answers).
struct Run {
    exec: Execution,
    timers: Vec<(i64, u64)>,
    now: i64,
    tasks_seen: Vec<TaskRequest>,
}

impl Run {
    fn new(p: &Program, input: Value, machine_type: MachineType) -> Self {
        Run {
            exec: Execution::start(p, info(input, machine_type, 42), Env { now_millis: T0 }),
            timers: Vec::new(),
            now: T0,
            tasks_seen: Vec::new(),
        }
    }

    fn go(
        &mut self,
        p: &Program,
        mut task: impl FnMut(&TaskRequest) -> Option<Delivery>,
    ) -> &Status {
        loop {
            let effects = self.exec.run(
                p,
                Env {
                    now_millis: self.now,
                },
            );
            let mut deliveries = Vec::new();
            for e in effects {
                match e {
                    Effect::StartTimer { id, due_millis } => self.timers.push((due_millis, id)),
                    Effect::CancelTimer { id } => self.timers.retain(|t| t.1 != id),
                    Effect::RunTask(req) => {
                        if let Some(d) = task(&req) {
                            deliveries.push(d);
                        }
                        self.tasks_seen.push(req);
                    }
                    Effect::CancelTask { .. } => {}
                }
            }
            if self.exec.status().is_terminal() {
                return self.exec.status();
            }
            if !deliveries.is_empty() {
                for d in deliveries {
                    self.exec.deliver(
                        p,
                        d,
                        Env {
                            now_millis: self.now,
                        },
                    );
                }
                continue;
            }
            self.timers.sort();
            if self.timers.is_empty() {
                return self.exec.status();
            }
            let (due, id) = self.timers.remove(0);
            self.now = self.now.max(due);
            self.exec.deliver(
                p,
                Delivery::TimerFired { id },
                Env {
                    now_millis: self.now,
                },
            );
        }
    }

    fn types(&self) -> Vec<&'static str> {
        self.exec.history().iter().map(|e| e.event_type()).collect()
    }
}

fn fail_task(req: &TaskRequest) -> Option<Delivery> {
    Some(Delivery::TaskFailed {
        id: req.id,
        error: "Boom".into(),
        cause: "it broke".into(),
    })
}

#[test]
fn retry_waits_with_backoff_then_catch_records_the_exit() {
    let p = program(json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Retry": [{"ErrorEquals": ["Boom"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 2}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Done"}], "End": true},
        "Done": {"Type": "Pass", "End": true}}}));
    let mut run = Run::new(&p, json!({"a": 1}), MachineType::Standard);
    let status = run.go(&p, fail_task).clone();
    assert_eq!(
        status,
        Status::Succeeded {
            output: Arc::new(json!({"a": 1, "err": {"Error": "Boom", "Cause": "it broke"}}))
        }
    );
    assert_eq!(run.tasks_seen.len(), 3, "one try and two retries");
    // Retries at +2 s and then +6 s later: the clock reached T0 + 8 s.
    assert_eq!(run.now, T0 + 8_000);
    let types = run.types();
    assert_eq!(types.iter().filter(|t| **t == "TaskScheduled").count(), 3);
    assert_eq!(
        types.iter().filter(|t| **t == "TaskStateEntered").count(),
        1,
        "a retry does not re-enter the state"
    );
    let exit = types
        .iter()
        .position(|t| *t == "TaskStateExited")
        .expect("caught state exits");
    assert_eq!(types[exit + 1], "PassStateEntered");
}

#[test]
fn max_delay_caps_the_backoff() {
    let p = program(json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Retry": [{"ErrorEquals": ["States.ALL"], "IntervalSeconds": 10, "BackoffRate": 10, "MaxAttempts": 3, "MaxDelaySeconds": 15}],
              "End": true}}}));
    let mut run = Run::new(&p, json!({}), MachineType::Standard);
    let status = run.go(&p, fail_task).clone();
    assert_eq!(
        status,
        Status::Failed {
            error: Some("Boom".into()),
            cause: Some("it broke".into())
        }
    );
    assert_eq!(run.now, T0 + 10_000 + 15_000 + 15_000);
}

#[test]
fn states_all_does_not_catch_runtime_errors() {
    let p = program(json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "InputPath": "$.missing",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": true},
        "Done": {"Type": "Pass", "End": true}}}));
    let mut run = Run::new(&p, json!({}), MachineType::Standard);
    let Status::Failed { error, cause } = run.go(&p, fail_task).clone() else {
        panic!("should fail")
    };
    assert_eq!(error.as_deref(), Some("States.Runtime"));
    assert_eq!(
        cause.as_deref(),
        Some("An error occurred while executing the state 'P' (entered at the event id #2). Invalid path '$.missing' : No results for path: $['missing']")
    );
}

#[test]
fn task_timeout_fails_with_states_timeout() {
    let p = program(json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "TimeoutSeconds": 5, "End": true}}}));
    let mut run = Run::new(&p, json!({}), MachineType::Standard);
    let status = run.go(&p, |_| None).clone();
    assert_eq!(
        status,
        Status::Failed {
            error: Some("States.Timeout".into()),
            cause: None
        }
    );
    assert_eq!(run.now, T0 + 5_000);
    assert!(run.types().contains(&"TaskTimedOut"));
}

#[test]
fn execution_timeout_ends_a_long_wait() {
    let p = program(
        json!({"TimeoutSeconds": 3, "StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}}),
    );
    let mut run = Run::new(&p, json!({}), MachineType::Standard);
    assert!(matches!(run.go(&p, fail_task), Status::TimedOut { .. }));
    assert_eq!(run.now, T0 + 3_000);
    assert_eq!(run.types().last(), Some(&"ExecutionTimedOut"));
}

#[test]
fn wait_timestamp_and_seconds_path_advance_the_clock() {
    let p = program(json!({"StartAt": "A", "States": {
        "A": {"Type": "Wait", "SecondsPath": "$.s", "Next": "B"},
        "B": {"Type": "Wait", "Timestamp": "2030-01-01T00:00:00Z", "End": true}}}));
    let mut run = Run::new(&p, json!({"s": 7}), MachineType::Standard);
    assert!(matches!(run.go(&p, fail_task), Status::Succeeded { .. }));
    assert_eq!(run.now, 1_893_456_000_000);
}

#[test]
fn a_failing_branch_aborts_its_waiting_sibling() {
    let p = program(
        json!({"StartAt": "Par", "States": {"Par": {"Type": "Parallel", "End": true, "Branches": [
        {"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": true}}},
        {"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "Nope", "Cause": "no"}}}]}}}),
    );
    let mut run = Run::new(&p, json!({}), MachineType::Standard);
    let status = run.go(&p, fail_task).clone();
    assert_eq!(
        status,
        Status::Failed {
            error: Some("Nope".into()),
            cause: Some("no".into())
        }
    );
    let types = run.types();
    assert!(types.contains(&"WaitStateAborted"), "{types:?}");
    assert!(types.contains(&"ParallelStateFailed"), "{types:?}");
    assert_eq!(run.now, T0, "the aborted wait never fired");
}

#[test]
fn map_tolerates_failures_up_to_the_count() {
    let def = |count: u64| {
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "ToleratedFailureCount": count, "End": true,
            "ItemProcessor": {"StartAt": "C", "States": {
                "C": {"Type": "Choice", "Choices": [{"Variable": "$", "NumericGreaterThan": 2, "Next": "Bad"}], "Default": "Good"},
                "Bad": {"Type": "Fail", "Error": "TooBig"},
                "Good": {"Type": "Pass", "End": true}}}}}})
    };
    let p = program(def(2));
    let mut run = Run::new(&p, json!([1, 2, 3, 4]), MachineType::Standard);
    let Status::Succeeded { output } = run.go(&p, fail_task).clone() else {
        panic!("tolerated")
    };
    assert_eq!(output.as_array().map(|a| a.len()), Some(4));
    assert_eq!(output[0], json!(1));
    let p = program(def(1));
    let mut run = Run::new(&p, json!([1, 2, 3, 4]), MachineType::Standard);
    let status = run.go(&p, fail_task).clone();
    assert!(
        matches!(status, Status::Failed { error: Some(ref e), .. } if e == "States.ExceedToleratedFailureThreshold"),
        "{status:?}"
    );
}

#[test]
fn map_concurrency_one_runs_iterations_in_order() {
    let p = program(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": 1, "End": true,
        "ItemProcessor": {"StartAt": "W", "States": {"W": {"Type": "Wait", "SecondsPath": "$", "End": true}}}}}}),
    );
    let mut run = Run::new(&p, json!([3, 1, 2]), MachineType::Standard);
    assert!(matches!(run.go(&p, fail_task), Status::Succeeded { .. }));
    assert_eq!(run.now, T0 + 6_000, "one after another: 3 + 1 + 2 seconds");
}

#[test]
fn same_seed_same_history() {
    let p = program(
        json!({"StartAt": "U", "States": {"U": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()"}, "End": true}}}),
    );
    let history = |seed| {
        let mut exec = Execution::start(
            &p,
            info(json!({}), MachineType::Standard, seed),
            Env { now_millis: T0 },
        );
        exec.run(&p, Env { now_millis: T0 });
        serde_json::to_string(&exec.history()).unwrap()
    };
    assert_eq!(history(7), history(7));
    assert_ne!(history(7), history(8));
}

#[test]
fn oversized_results_fail_with_data_limit_exceeded() {
    let big = "x".repeat(300 * 1024);
    let p = program(
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": big, "End": true}}}),
    );
    let mut run = Run::new(&p, json!({}), MachineType::Standard);
    let status = run.go(&p, fail_task).clone();
    assert!(
        matches!(status, Status::Failed { error: Some(ref e), .. } if e == "States.DataLimitExceeded"),
        "{status:?}"
    );
}

#[test]
fn standard_executions_stop_at_the_history_limit_express_do_not() {
    let p = program(json!({"StartAt": "Inc", "States": {
        "Inc": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.n, 1)"}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.n", "NumericLessThan": 10000, "Next": "Inc"}], "Default": "Done"},
        "Done": {"Type": "Succeed"}}}));
    let mut run = Run::new(&p, json!({"n": 0}), MachineType::Standard);
    let status = run.go(&p, fail_task).clone();
    assert!(
        matches!(status, Status::Failed { error: Some(ref e), .. } if e == "States.Runtime"),
        "{status:?}"
    );
    assert_full_history(&run.exec.history());
    let mut run = Run::new(&p, json!({"n": 0}), MachineType::Express);
    assert_eq!(
        run.go(&p, fail_task).clone(),
        Status::Succeeded {
            output: Arc::new(json!({"n": 10000}))
        }
    );
}

/// A history cut at the limit: 25,000 events numbered 1 to 25,000, ExecutionFailed last with
/// AWS's cause, and no other end.
#[track_caller]
fn assert_full_history(history: &[HistoryEvent]) {
    assert_eq!(history.len(), 25_000);
    for (i, e) in history.iter().enumerate() {
        assert_eq!(e.id, i as i64 + 1);
        assert!(e.previous_event_id < e.id);
    }
    let last = history.last().unwrap();
    match &last.details {
        EventDetails::ExecutionFailed(d) => {
            assert_eq!(d.error.as_deref(), Some("States.Runtime"));
            assert_eq!(
                d.cause.as_deref(),
                Some("The execution reached the maximum number of history events (25000).")
            );
        }
        other => panic!("last event: {other:?}"),
    }
    let ends = history
        .iter()
        .filter(|e| e.details.event_type().starts_with("Execution") && e.id != 1)
        .count();
    assert_eq!(ends, 1);
}

#[test]
fn a_map_that_reaches_the_history_limit_stops_at_exactly_the_limit() {
    // 10,000 iterations of one Pass make about 40,000 events; the Map's own iteration events
    // are what reach the limit.
    let p = program(json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "ItemsPath": "$.items",
              "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
              "End": true}}}));
    let items: Vec<u32> = (0..10_000).collect();
    let mut run = Run::new(&p, json!({ "items": items }), MachineType::Standard);
    let status = run.go(&p, fail_task).clone();
    assert!(
        matches!(status, Status::Failed { error: Some(ref e), .. } if e == "States.Runtime"),
        "{status:?}"
    );
    assert_full_history(&run.exec.history());
    assert!(
        !run.exec.redrivable(),
        "AWS does not redrive past the history limit"
    );
}

#[test]
fn stop_aborts_and_cancels_pending_work() {
    let p = program(
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 100, "End": true}}}),
    );
    let mut exec = Execution::start(
        &p,
        info(json!({}), MachineType::Standard, 1),
        Env { now_millis: T0 },
    );
    let effects = exec.run(&p, Env { now_millis: T0 });
    assert!(matches!(effects[0], Effect::StartTimer { .. }));
    exec.deliver(
        &p,
        Delivery::Stop {
            error: Some("User".into()),
            cause: None,
        },
        Env { now_millis: T0 + 1 },
    );
    assert!(matches!(exec.status(), Status::Aborted { .. }));
    assert_eq!(
        exec.history().last().map(|e| e.event_type()),
        Some("ExecutionAborted")
    );
}

#[test]
fn item_batcher_groups_selected_items() {
    let p = program(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemSelector": {"v.$": "$$.Map.Item.Value"},
        "ItemBatcher": {"MaxItemsPerBatch": 2, "BatchInput": {"tag.$": "$.tag"}},
        "ItemsPath": "$.xs",
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
    );
    let mut run = Run::new(
        &p,
        json!({"xs": [1, 2, 3], "tag": "t"}),
        MachineType::Standard,
    );
    assert_eq!(
        run.go(&p, fail_task).clone(),
        Status::Succeeded {
            output: Arc::new(json!([
                {"BatchInput": {"tag": "t"}, "Items": [{"v": 1}, {"v": 2}]},
                {"BatchInput": {"tag": "t"}, "Items": [{"v": 3}]}
            ]))
        }
    );
}

#[test]
fn item_reader_fails_clearly() {
    let p = program(
        json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
        "ItemReader": {"Resource": "arn:aws:states:::s3:getObject", "Parameters": {"Bucket": "b", "Key": "k"}},
        "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
            "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}}}}),
    );
    let mut run = Run::new(&p, json!({}), MachineType::Standard);
    let Status::Failed { error, cause } = run.go(&p, fail_task).clone() else {
        panic!("fails")
    };
    assert_eq!(error.as_deref(), Some("States.ItemReaderFailed"));
    assert!(cause
        .unwrap_or_default()
        .contains("arn:aws:states:::s3:getObject"));
}

#[test]
fn callback_tasks_get_a_token_in_the_context() {
    let p = program(
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "End": true,
        "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        "Parameters": {"MessageBody": {"token.$": "$$.Task.Token"}}}}}),
    );
    let mut run = Run::new(&p, json!({}), MachineType::Standard);
    let status = run
        .go(&p, |req| {
            Some(Delivery::TaskSucceeded {
                id: req.id,
                output: json!({"ok": true}),
            })
        })
        .clone();
    assert_eq!(
        status,
        Status::Succeeded {
            output: Arc::new(json!({"ok": true}))
        }
    );
    let req = &run.tasks_seen[0];
    let token = req.task_token.clone().expect("a token");
    assert!(token.len() >= 64);
    assert_eq!(req.input["MessageBody"]["token"], json!(token));
}

#[test]
fn heartbeats_keep_a_task_alive_until_they_stop() {
    let p = program(
        json!({"StartAt": "T", "States": {"T": {"Type": "Task", "End": true,
        "Resource": "arn:aws:states:us-east-1:123456789012:activity:work", "HeartbeatSeconds": 10}}}),
    );
    let mut exec = Execution::start(
        &p,
        info(json!({}), MachineType::Standard, 1),
        Env { now_millis: T0 },
    );
    let effects = exec.run(&p, Env { now_millis: T0 });
    let task = effects
        .iter()
        .find_map(|e| match e {
            Effect::RunTask(r) => Some(r.id),
            _ => None,
        })
        .expect("task");
    let hb_timer = |effects: &[Effect]| {
        effects.iter().find_map(|e| match e {
            Effect::StartTimer { id, due_millis } => Some((*id, *due_millis)),
            _ => None,
        })
    };
    let (first, due) = hb_timer(&effects).expect("heartbeat timer");
    assert_eq!(due, T0 + 10_000);
    exec.deliver(
        &p,
        Delivery::TaskHeartbeat { id: task },
        Env {
            now_millis: T0 + 8_000,
        },
    );
    let effects = exec.run(
        &p,
        Env {
            now_millis: T0 + 8_000,
        },
    );
    assert!(effects.contains(&Effect::CancelTimer { id: first }));
    let (second, due) = hb_timer(&effects).expect("a new heartbeat timer");
    assert_eq!(due, T0 + 18_000);
    exec.deliver(
        &p,
        Delivery::TimerFired { id: first },
        Env {
            now_millis: T0 + 10_000,
        },
    );
    assert_eq!(
        exec.status(),
        &Status::Running,
        "the cancelled timer does nothing"
    );
    exec.deliver(
        &p,
        Delivery::TimerFired { id: second },
        Env {
            now_millis: T0 + 18_000,
        },
    );
    exec.run(
        &p,
        Env {
            now_millis: T0 + 18_000,
        },
    );
    assert_eq!(
        exec.status(),
        &Status::Failed {
            error: Some("States.HeartbeatTimeout".into()),
            cause: None
        }
    );
}

#[test]
fn variables_over_the_size_limit_fail_the_state() {
    let big = "x".repeat(200 * 1024);
    let p = program(
        json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true,
        "Assign": {"one": big.clone(), "two": big}}}}),
    );
    let mut run = Run::new(&p, json!({}), MachineType::Standard);
    let Status::Failed { error, cause } = run.go(&p, fail_task).clone() else {
        panic!("fails")
    };
    assert_eq!(error.as_deref(), Some("States.Runtime"));
    assert!(cause
        .unwrap_or_default()
        .contains("maximum of 262144 bytes for one Assign"));
}

/// A durable driver stores the snapshot and the new events after each step and resumes from
/// the snapshot later: the result must be the same history as an uninterrupted run.
#[test]
fn resuming_from_a_snapshot_gives_the_same_history() {
    for (concurrency, input) in [
        (2, json!([2, 1, 3])),
        // More iterations at once than the frames kept in a vector: the hash map form.
        (0, json!([2, 1, 3, 1, 1, 2, 3, 1, 2, 2, 1, 3])),
    ] {
        resumes_with_the_same_history(concurrency, input);
    }
}

fn resumes_with_the_same_history(concurrency: u32, input: Value) {
    let p = program(json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "MaxConcurrency": concurrency, "ItemProcessor": {"StartAt": "W", "States": {
            "W": {"Type": "Wait", "SecondsPath": "$", "Next": "P"},
            "P": {"Type": "Pass", "Parameters": {"id.$": "States.UUID()", "v.$": "$"}, "End": true}}}, "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "ResultPath": null, "Retry": [{"ErrorEquals": ["States.ALL"], "MaxAttempts": 1}],
              "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.e", "Next": "Done"}], "End": true},
        "Done": {"Type": "Succeed"}}}));

    // Uninterrupted.
    let mut run = Run::new(&p, input.clone(), MachineType::Standard);
    let expected_status = run.go(&p, fail_task).clone();
    let expected = estado_json::to_value(run.exec.history()).unwrap();

    // Snapshot after every step, resume from the stored bytes.
    let mut stored_events: Vec<estado_types::history::HistoryEvent> = Vec::new();
    let mut snapshot = {
        let mut exec = Execution::start(
            &p,
            info(input, MachineType::Standard, 42),
            Env { now_millis: T0 },
        );
        stored_events.extend(exec.take_new_events());
        serde_json::to_vec(&exec).unwrap()
    };
    let mut timers: Vec<(i64, u64)> = Vec::new();
    let mut now = T0;
    let mut pending: Vec<Delivery> = Vec::new();
    loop {
        let mut exec: Execution = serde_json::from_slice(&snapshot).unwrap();
        for d in pending.drain(..) {
            exec.deliver(&p, d, Env { now_millis: now });
        }
        for e in exec.run(&p, Env { now_millis: now }) {
            match e {
                Effect::StartTimer { id, due_millis } => timers.push((due_millis, id)),
                Effect::CancelTimer { id } => timers.retain(|t| t.1 != id),
                Effect::RunTask(req) => pending.push(fail_task(&req).unwrap()),
                Effect::CancelTask { .. } => {}
            }
        }
        stored_events.extend(exec.take_new_events());
        let done = exec.status().is_terminal();
        let status = exec.status().clone();
        snapshot = serde_json::to_vec(&exec).unwrap();
        if done {
            let got = estado_json::to_value(&stored_events).unwrap();
            for (a, b) in got
                .as_array()
                .unwrap()
                .iter()
                .zip(expected.as_array().unwrap())
            {
                assert_eq!(a, b);
            }
            assert_eq!(status, expected_status);
            break;
        }
        if pending.is_empty() {
            timers.sort();
            let (due, id) = timers.remove(0);
            now = now.max(due);
            pending.push(Delivery::TimerFired { id });
        }
    }
    assert_eq!(estado_json::to_value(&stored_events).unwrap(), expected);
}

#[test]
fn retry_and_catch_see_the_input_before_a_result_path_that_was_followed_by_a_failure() {
    // ResultPath `$.r` succeeds, OutputPath then fails: the retried task and the Catch see the
    // state's input as it was, without `r`.
    let p = program(json!({"StartAt": "P", "States": {
        "P": {"Type": "Pass", "Parameters": {"a": 1}, "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:w",
              "Parameters": {"x.$": "$.a"}, "ResultPath": "$.r", "OutputPath": "$.r.nope",
              "Retry": [{"ErrorEquals": ["States.Runtime"], "MaxAttempts": 1, "IntervalSeconds": 1}],
              "Catch": [{"ErrorEquals": ["States.Runtime"], "ResultPath": "$.error", "Next": "Done"}],
              "Next": "Done"},
        "Done": {"Type": "Pass", "End": true}}}));
    let mut run = Run::new(&p, json!({"in": true}), MachineType::Standard);
    let status = run
        .go(&p, |req| {
            Some(Delivery::TaskSucceeded {
                id: req.id,
                output: json!({"done": req.input["x"]}),
            })
        })
        .clone();
    assert_eq!(run.tasks_seen.len(), 2, "retried once");
    for req in &run.tasks_seen {
        assert_eq!(*req.input, json!({"x": 1}));
    }
    let Status::Succeeded { output } = status else {
        panic!("caught: {status:?}")
    };
    assert_eq!(output["a"], json!(1));
    assert_eq!(output.get("r"), None, "{output}");
    assert_eq!(output["error"]["Error"], json!("States.Runtime"));
    // The history still shows each state's input and output as they were then.
    let history = run.exec.history();
    let entered_t: Vec<_> = history
        .iter()
        .filter(|e| e.event_type() == "TaskStateEntered")
        .map(|e| estado_json::to_value(e).unwrap()["stateEnteredEventDetails"]["input"].clone())
        .collect();
    assert_eq!(entered_t, vec![json!(r#"{"a":1}"#)]);
}

#[test]
fn result_path_chains_record_every_input_and_output_as_it_was() {
    let p = program(json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Parameters": {"n": 0, "keep": [1, 2]}, "Next": "B"},
        "B": {"Type": "Pass", "Result": 1, "ResultPath": "$.n", "Next": "C"},
        "C": {"Type": "Pass", "Result": 2, "ResultPath": "$.n", "Next": "D"},
        "D": {"Type": "Pass", "Result": "new", "ResultPath": "$.added", "End": true}}}));
    let mut run = Run::new(&p, json!({}), MachineType::Standard);
    let status = run.go(&p, fail_task).clone();
    assert_eq!(
        status,
        Status::Succeeded {
            output: Arc::new(json!({"n": 2, "keep": [1, 2], "added": "new"}))
        }
    );
    let data: Vec<String> = run
        .exec
        .history()
        .iter()
        .filter_map(|e| {
            let v = estado_json::to_value(e).unwrap();
            ["stateEnteredEventDetails", "stateExitedEventDetails"]
                .iter()
                .find_map(|m| v.get(*m))
                .map(|d| {
                    let text = d.get("input").or(d.get("output")).unwrap();
                    format!("{} {}", v["type"].as_str().unwrap(), text.as_str().unwrap())
                })
        })
        .collect();
    assert_eq!(
        data,
        vec![
            r#"PassStateEntered {}"#,
            r#"PassStateExited {"n":0,"keep":[1,2]}"#,
            r#"PassStateEntered {"n":0,"keep":[1,2]}"#,
            r#"PassStateExited {"n":1,"keep":[1,2]}"#,
            r#"PassStateEntered {"n":1,"keep":[1,2]}"#,
            r#"PassStateExited {"n":2,"keep":[1,2]}"#,
            r#"PassStateEntered {"n":2,"keep":[1,2]}"#,
            r#"PassStateExited {"n":2,"keep":[1,2],"added":"new"}"#,
        ]
    );
}

#[test]
fn states_all_catches_a_terminal_error_name_when_a_task_reported_it() {
    // AWS-recorded: a Lambda result over 256 KiB fails the task with States.DataLimitExceeded,
    // and a States.ALL Catch takes it; raised by the interpreter itself, it is terminal.
    let p = program(json!({"StartAt": "T", "States": {
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
              "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Done"}], "End": true},
        "Done": {"Type": "Pass", "End": true}}}));
    let mut run = Run::new(&p, json!({}), MachineType::Standard);
    let status = run
        .go(&p, |req| {
            Some(Delivery::TaskFailed {
                id: req.id,
                error: "States.DataLimitExceeded".into(),
                cause: "too big".into(),
            })
        })
        .clone();
    assert!(matches!(status, Status::Succeeded { .. }), "{status:?}");
    let e = StatesError::new("States.DataLimitExceeded", "");
    assert!(!e.matches(&["States.ALL".to_string()]));
    assert!(e.matches(&["States.DataLimitExceeded".to_string()]));
    assert!(
        StatesError::from_task("States.DataLimitExceeded", "").matches(&["States.ALL".to_string()])
    );
    assert!(!StatesError::new("States.Timeout", "").matches(&["States.TaskFailed".to_string()]));
}

/// `run_until` pauses between states once enough events wait, and a run made of such slices
/// (events taken at each pause) is the same run: the same events, effects and outcome as
/// `run` in one go, for a loop in one frame, a Map's many frames with a task and timers, and
/// an execution stopped by the history limit.
#[test]
fn a_run_in_slices_is_the_same_run() {
    let loop_def = json!({"StartAt": "Init", "States": {
        "Init": {"Type": "Pass", "Parameters": {"i": 0}, "Next": "Check"},
        "Check": {"Type": "Choice", "Choices": [{"Variable": "$.i", "NumericLessThan": 40, "Next": "Incr"}], "Default": "Done"},
        "Incr": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
        "Done": {"Type": "Succeed"}}});
    let map_def = json!({"StartAt": "M", "States": {
        "M": {"Type": "Map", "MaxConcurrency": 3, "ItemProcessor": {"StartAt": "P", "States": {
            "P": {"Type": "Pass", "Next": "W"},
            "W": {"Type": "Wait", "SecondsPath": "$", "Next": "Q"},
            "Q": {"Type": "Pass", "End": true}}}, "Next": "T"},
        "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true}}});
    let limit_def = json!({"StartAt": "A", "States": {
        "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "A"}}});
    let cases = [
        (loop_def, json!({})),
        (map_def, json!([2, 1, 3, 1, 1, 2, 3, 1])),
        (limit_def, json!({})),
    ];
    for (def, input) in cases {
        let p = program(def);
        let whole = drive_in_slices(&p, input.clone(), None);
        for slice in [1, 2, 7, 100] {
            let sliced = drive_in_slices(&p, input.clone(), Some(slice));
            assert_eq!(sliced.0, whole.0, "events, slices of {slice}");
            assert_eq!(sliced.1, whole.1, "effects, slices of {slice}");
            assert_eq!(sliced.2, whole.2, "status, slices of {slice}");
            assert!(slice == 100 || sliced.3 > 0, "slices of {slice} paused");
        }
    }
}

/// Runs to the end, answering tasks at once and firing timers in due order; `slice` runs
/// with `run_until` and takes the events at every pause. Gives the events, every effect (as
/// debug text), the status and the number of pauses.
fn drive_in_slices(
    p: &Program,
    input: Value,
    slice: Option<usize>,
) -> (Value, Vec<String>, Status, usize) {
    let mut exec = Execution::start(
        p,
        info(input, MachineType::Standard, 42),
        Env { now_millis: T0 },
    );
    let (mut events, mut effects_seen, mut pauses) = (Vec::new(), Vec::new(), 0);
    let mut timers: Vec<(i64, u64)> = Vec::new();
    let mut now = T0;
    loop {
        let env = || Env { now_millis: now };
        let effects = match slice {
            None => exec.run(p, env()),
            Some(n) => loop {
                match exec.run_until(p, env(), n) {
                    Some(effects) => break effects,
                    None => {
                        let taken = exec.take_new_events();
                        assert!(taken.len() >= n, "a pause waits for {n} events");
                        events.extend(taken);
                        pauses += 1;
                    }
                }
            },
        };
        events.extend(exec.take_new_events());
        let mut delivered = false;
        for e in effects {
            effects_seen.push(format!("{e:?}"));
            match e {
                Effect::StartTimer { id, due_millis } => timers.push((due_millis, id)),
                Effect::CancelTimer { id } => timers.retain(|t| t.1 != id),
                Effect::RunTask(req) => {
                    let output = json!({"ok": req.id});
                    exec.deliver(p, Delivery::TaskSucceeded { id: req.id, output }, env());
                    delivered = true;
                }
                Effect::CancelTask { .. } => {}
            }
        }
        if exec.status().is_terminal() {
            break;
        }
        if !delivered {
            timers.sort();
            let (due, id) = timers.remove(0);
            now = now.max(due);
            exec.deliver(p, Delivery::TimerFired { id }, Env { now_millis: now });
        }
    }
    let status = exec.status().clone();
    (
        estado_json::to_value(&events).unwrap(),
        effects_seen,
        status,
        pauses,
    )
}

/// `snapshot` leaves out the execution's input and a succeeded execution's output, and
/// `restore` puts them back: the restored execution serialises exactly as the original, for a
/// running, a failed (its restart point's input being the execution's input) and a succeeded
/// execution, and the one snapshotted is left as it was.
#[test]
fn a_snapshot_leaves_out_the_input_and_output_and_restore_puts_them_back() {
    let marker = "a-large-document-kept-beside-the-snapshot";
    let input = json!({"doc": marker, "n": 1, "items": [1, 2, 3]});
    let cases = [
        // Running: parked on its first state's timer.
        json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 60, "End": true}}}),
        // Failed in its first state: the restart point's input is the execution's input.
        json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "Cause": "c"}}}),
        // Succeeded: the output holds the input.
        json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"out.$": "$"}, "End": true}}}),
    ];
    for def in cases {
        let p = program(def.clone());
        let mut exec = Execution::start(
            &p,
            info(input.clone(), MachineType::Standard, 7),
            Env { now_millis: T0 },
        );
        exec.run(&p, Env { now_millis: T0 });
        exec.take_new_events();
        let whole = estado_json::to_value(&exec).unwrap();
        let snapshot = exec.snapshot().unwrap();
        let text = String::from_utf8_lossy(&snapshot);
        assert!(
            !text.contains(marker),
            "{def}: the snapshot leaves the documents out: {text}"
        );
        assert_eq!(
            estado_json::to_value(&exec).unwrap(),
            whole,
            "{def}: left as it was"
        );
        let output = match exec.status() {
            Status::Succeeded { output } => Some(output.to_string()),
            _ => None,
        };
        let restored = Execution::restore(
            &snapshot,
            || Ok(Arc::new(input.clone())),
            || serde_json::from_str(output.as_deref().expect("asked only when succeeded")),
        )
        .unwrap();
        assert_eq!(
            estado_json::to_value(&restored).unwrap(),
            whole,
            "{def}: restored"
        );
        // The whole serde form restores as well, with nothing to put back.
        let plain = Execution::restore(
            &serde_json::to_vec(&exec).unwrap(),
            || panic!("nothing left out"),
            || panic!("nothing left out"),
        )
        .unwrap();
        assert_eq!(
            estado_json::to_value(&plain).unwrap(),
            whole,
            "{def}: whole form"
        );
    }
}
