//! The execution verbs through `Service`, over the in-memory store with a running runtime.

use std::sync::Arc;
use std::time::Duration;

use estado_api::shapes::*;
use estado_api::ErrorCode;
use estado_engine::service::{Ctx, Service, ServiceConfig};
use estado_engine::{Runtime, RuntimeConfig, SystemClock};
use estado_json::{json, Value};
use estado_store::memory::MemoryStore;
use estado_store::{StateMachine, Store};

struct World {
    svc: Arc<Service>,
    ctx: Ctx,
}

async fn world() -> World {
    world_scaled(0.0).await
}

/// A world whose Wait states take `time_scale` of their time (0: none).
async fn world_scaled(time_scale: f64) -> World {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let config = RuntimeConfig {
        time_scale,
        poll_ms: 20,
        ..Default::default()
    };
    let rt = Runtime::new(
        store,
        Arc::new(SystemClock),
        config,
        estado_engine::Registry::default(),
    );
    tokio::spawn(rt.clone().run(std::future::pending()));
    let svc = Service::with_activity_poll(rt, ServiceConfig::default(), Duration::from_secs(2));
    let ctx = svc.default_ctx();
    World { svc, ctx }
}

impl World {
    async fn machine(&self, name: &str, kind: &str, def: Value) -> String {
        let arn = self.ctx.arn("stateMachine", name);
        self.svc
            .store
            .create_state_machine(StateMachine {
                arn: arn.clone(),
                name: name.into(),
                kind: kind.into(),
                definition: def.to_string(),
                role_arn: "arn:aws:iam::123456789012:role/r".into(),
                created_ms: 1,
                updated_ms: 1,
                revision_id: "r1".into(),
                description: None,
                logging: None,
                tracing: None,
                encryption: None,
                next_version: 1,
            })
            .await
            .unwrap();
        arn
    }

    async fn start(
        &self,
        sm: &str,
        name: Option<&str>,
        input: Value,
    ) -> Result<StartExecutionOutput, estado_api::ApiError> {
        self.svc
            .start_execution(
                &self.ctx,
                StartExecutionInput {
                    state_machine_arn: sm.into(),
                    name: name.map(Into::into),
                    input: Some(input.to_string()),
                    trace_header: None,
                },
            )
            .await
    }

    async fn describe(&self, arn: &str) -> DescribeExecutionOutput {
        self.svc
            .describe_execution(
                &self.ctx,
                DescribeExecutionInput {
                    execution_arn: arn.into(),
                    included_data: None,
                },
            )
            .await
            .unwrap()
    }

    async fn finished(&self, arn: &str) -> DescribeExecutionOutput {
        for _ in 0..500 {
            let d = self.describe(arn).await;
            if d.status != "RUNNING" {
                return d;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("{arn} did not finish");
    }

    async fn history(
        &self,
        arn: &str,
        reverse: bool,
        max: i32,
        token: Option<String>,
    ) -> GetExecutionHistoryOutput {
        self.svc
            .get_execution_history(
                &self.ctx,
                GetExecutionHistoryInput {
                    execution_arn: arn.into(),
                    max_results: Some(max),
                    reverse_order: Some(reverse),
                    next_token: token,
                    include_execution_data: None,
                },
            )
            .await
            .unwrap()
    }
}

fn pass_wait() -> Value {
    json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": {"ok": true}, "ResultPath": "$.r", "Next": "W"},
        "W": {"Type": "Wait", "Seconds": 1, "End": true}}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_describe_and_page_through_history() {
    let w = world().await;
    let sm = w.machine("pw", "STANDARD", pass_wait()).await;
    let out = w.start(&sm, Some("one"), json!({"a": 1})).await.unwrap();
    assert_eq!(out.execution_arn, w.ctx.arn("execution", "pw:one"));
    let d = w.finished(&out.execution_arn).await;
    assert_eq!(d.status, "SUCCEEDED");
    assert_eq!(
        serde_json::from_str::<Value>(d.output.as_deref().unwrap()).unwrap(),
        json!({"a": 1, "r": {"ok": true}})
    );
    assert!(d.stop_date.is_some());
    assert_eq!(d.redrive_status.as_deref(), Some("NOT_REDRIVABLE"));

    let mut ids = Vec::new();
    let mut token = None;
    loop {
        let page = w.history(&out.execution_arn, false, 2, token).await;
        ids.extend(page.events.iter().map(|e| e.id));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(ids, (1..=ids.len() as i64).collect::<Vec<_>>());
    let rev = w.history(&out.execution_arn, true, 3, None).await;
    assert_eq!(rev.events[0].event_type(), "ExecutionSucceeded");
    assert_eq!(rev.events[0].id, ids.len() as i64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_are_idempotent_while_running_only_with_the_same_input() {
    // Waits in real time: the execution must still run when it is started again.
    let w = world_scaled(1.0).await;
    let sm = w.machine("slow", "STANDARD", json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": true}}})).await;
    let first = w.start(&sm, Some("n"), json!({"x": 1})).await.unwrap();
    let again = w.start(&sm, Some("n"), json!({"x": 1})).await.unwrap();
    assert_eq!(first, again);
    let other = w.start(&sm, Some("n"), json!({"x": 2})).await.unwrap_err();
    assert_eq!(other.code(), ErrorCode::ExecutionAlreadyExists);
    // Stop it: ABORTED at once, with the given error; then the name is taken for good.
    let stop = w
        .svc
        .stop_execution(
            &w.ctx,
            StopExecutionInput {
                execution_arn: first.execution_arn.clone(),
                error: Some("E".into()),
                cause: Some("c".into()),
            },
        )
        .await
        .unwrap();
    let d = w.describe(&first.execution_arn).await;
    assert_eq!(d.status, "ABORTED");
    assert_eq!(
        (d.error.as_deref(), d.cause.as_deref()),
        (Some("E"), Some("c"))
    );
    assert_eq!(d.stop_date, Some(stop.stop_date));
    assert_eq!(
        w.start(&sm, Some("n"), json!({"x": 1}))
            .await
            .unwrap_err()
            .code(),
        ErrorCode::ExecutionAlreadyExists
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_malformed_arns() {
    let w = world().await;
    let missing = w.ctx.arn("stateMachine", "nope");
    assert_eq!(
        w.start(&missing, None, json!({})).await.unwrap_err().code(),
        ErrorCode::StateMachineDoesNotExist
    );
    assert_eq!(
        w.start("not-an-arn", None, json!({}))
            .await
            .unwrap_err()
            .code(),
        ErrorCode::InvalidArn
    );
    let e = w
        .svc
        .describe_execution(
            &w.ctx,
            DescribeExecutionInput {
                execution_arn: w.ctx.arn("execution", "nope:x"),
                included_data: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ExecutionDoesNotExist);
    let sm = w.machine("pw2", "STANDARD", pass_wait()).await;
    let bad = w
        .svc
        .start_execution(
            &w.ctx,
            StartExecutionInput {
                state_machine_arn: sm.clone(),
                name: None,
                input: Some("{not json".into()),
                trace_header: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(bad.code(), ErrorCode::InvalidExecutionInput);
    assert_eq!(
        w.start(&sm, Some("bad name"), json!({}))
            .await
            .unwrap_err()
            .code(),
        ErrorCode::InvalidName
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_newest_first_with_status_filter_and_paging() {
    let w = world().await;
    let sm = w
        .machine(
            "many",
            "STANDARD",
            json!({"StartAt": "C", "States": {"C": {"Type": "Choice",
        "Choices": [{"Variable": "$.ok", "BooleanEquals": true, "Next": "S"}], "Default": "F"},
        "S": {"Type": "Succeed"}, "F": {"Type": "Fail", "Error": "No"}}}),
        )
        .await;
    let mut arns = Vec::new();
    for i in 0..5 {
        let out = w
            .start(&sm, Some(&format!("e{i}")), json!({"ok": i % 2 == 0}))
            .await
            .unwrap();
        w.finished(&out.execution_arn).await;
        arns.push(out.execution_arn);
    }
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = w
            .svc
            .list_executions(
                &w.ctx,
                ListExecutionsInput {
                    state_machine_arn: Some(sm.clone()),
                    status_filter: None,
                    max_results: Some(2),
                    next_token: token,
                    map_run_arn: None,
                    redrive_filter: None,
                },
            )
            .await
            .unwrap();
        seen.extend(page.executions.into_iter().map(|e| e.execution_arn));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    arns.reverse();
    assert_eq!(seen, arns, "newest first, every page");
    let failed = w
        .svc
        .list_executions(
            &w.ctx,
            ListExecutionsInput {
                state_machine_arn: Some(sm.clone()),
                status_filter: Some("FAILED".into()),
                max_results: None,
                next_token: None,
                map_run_arn: None,
                redrive_filter: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(failed.executions.len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_activity_worker_completes_a_task() {
    let w = world().await;
    let activity = w.ctx.arn("activity", "work");
    w.svc
        .store
        .create_activity(estado_store::Activity {
            arn: activity.clone(),
            name: "work".into(),
            created_ms: 1,
            encryption: None,
        })
        .await
        .unwrap();
    let sm = w.machine("act", "STANDARD", json!({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": activity, "End": true}}})).await;
    let out = w.start(&sm, None, json!({"job": 7})).await.unwrap();
    let task = w
        .svc
        .get_activity_task(
            &w.ctx,
            GetActivityTaskInput {
                activity_arn: activity.clone(),
                worker_name: Some("w1".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(task.input.as_deref().unwrap()).unwrap(),
        json!({"job": 7})
    );
    let token = task.task_token.unwrap();
    w.svc
        .send_task_heartbeat(
            &w.ctx,
            SendTaskHeartbeatInput {
                task_token: token.clone(),
            },
        )
        .await
        .unwrap();
    w.svc
        .send_task_success(
            &w.ctx,
            SendTaskSuccessInput {
                task_token: token.clone(),
                output: json!({"done": true}).to_string(),
            },
        )
        .await
        .unwrap();
    let d = w.finished(&out.execution_arn).await;
    assert_eq!(d.status, "SUCCEEDED");
    assert_eq!(d.output.as_deref(), Some(r#"{"done":true}"#));
    let again = w
        .svc
        .send_task_success(
            &w.ctx,
            SendTaskSuccessInput {
                task_token: token,
                output: "{}".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(again.code(), ErrorCode::TaskTimedOut);
    let types: Vec<&str> = w
        .history(&out.execution_arn, false, 100, None)
        .await
        .events
        .iter()
        .map(|e| e.event_type())
        .collect();
    assert_eq!(
        types,
        [
            "ExecutionStarted",
            "TaskStateEntered",
            "ActivityScheduled",
            "ActivityStarted",
            "ActivitySucceeded",
            "TaskStateExited",
            "ExecutionSucceeded"
        ]
    );
    // No work: the long poll ends with no token.
    let none = w
        .svc
        .get_activity_task(
            &w.ctx,
            GetActivityTaskInput {
                activity_arn: activity,
                worker_name: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(none.task_token, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_express_answers_with_the_outcome_and_redrive_reruns_a_failure() {
    let w = world().await;
    let ex = w.machine("fast", "EXPRESS", json!({"StartAt": "P", "States": {"P": {"Type": "Pass", "Parameters": {"sum.$": "States.MathAdd($.a, $.b)"}, "End": true}}})).await;
    let out = w
        .svc
        .start_sync_execution(
            &w.ctx,
            StartSyncExecutionInput {
                state_machine_arn: ex.clone(),
                name: None,
                input: Some(r#"{"a":2,"b":3}"#.into()),
                trace_header: None,
                included_data: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(out.status, "SUCCEEDED");
    assert_eq!(out.output.as_deref(), Some(r#"{"sum":5}"#));
    assert!(out
        .execution_arn
        .starts_with(&w.ctx.arn("express", "fast:")));
    let std = w.machine("std", "STANDARD", pass_wait()).await;
    let e = w
        .svc
        .start_sync_execution(
            &w.ctx,
            StartSyncExecutionInput {
                state_machine_arn: std,
                name: None,
                input: None,
                trace_header: None,
                included_data: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::StateMachineTypeNotSupported);

    // Fails the first time (no flag), succeeds when redriven after the flag variable is set.
    let sm = w
        .machine(
            "flaky",
            "STANDARD",
            json!({"StartAt": "Check", "States": {"Check": {"Type": "Choice",
        "Choices": [{"Variable": "$.go", "IsPresent": true, "Next": "Done"}], "Default": "Boom"},
        "Done": {"Type": "Succeed"}, "Boom": {"Type": "Fail", "Error": "Nope"}}}),
        )
        .await;
    let run = w.start(&sm, None, json!({})).await.unwrap();
    assert_eq!(w.finished(&run.execution_arn).await.status, "FAILED");
    w.svc
        .redrive_execution(
            &w.ctx,
            RedriveExecutionInput {
                execution_arn: run.execution_arn.clone(),
                client_token: None,
            },
        )
        .await
        .unwrap();
    let d = w.finished(&run.execution_arn).await;
    assert_eq!(
        d.status, "FAILED",
        "the Fail state fails again when redriven"
    );
    assert_eq!(d.redrive_count, Some(1));
    let types: Vec<&str> = w
        .history(&run.execution_arn, false, 100, None)
        .await
        .events
        .iter()
        .map(|e| e.event_type())
        .collect();
    assert!(types.contains(&"ExecutionRedriven"), "{types:?}");
    let ok = w.machine("fine", "STANDARD", pass_wait()).await;
    let done = w.start(&ok, None, json!({})).await.unwrap();
    w.finished(&done.execution_arn).await;
    let e = w
        .svc
        .redrive_execution(
            &w.ctx,
            RedriveExecutionInput {
                execution_arn: done.execution_arn,
                client_token: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::ExecutionNotRedrivable);
}
