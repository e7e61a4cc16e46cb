//! Small record builders for the checks, so each check states only what it is about.

use std::sync::Arc;

use estado_json::json;
use estado_types::history::{
    EventDetails, HistoryEvent, Payload, StateEnteredEventDetails, Timestamp,
};

use crate::*;

const REGION_ACCOUNT: &str = "us-east-1:123456789012";

pub fn machine_arn(name: &str) -> String {
    format!("arn:aws:states:{REGION_ACCOUNT}:stateMachine:{name}")
}

pub fn execution_arn(machine: &str, name: &str) -> String {
    format!("arn:aws:states:{REGION_ACCOUNT}:execution:{machine}:{name}")
}

pub fn activity_arn(name: &str) -> String {
    format!("arn:aws:states:{REGION_ACCOUNT}:activity:{name}")
}

/// A standard state machine named `name`, created at `created_ms`.
pub fn machine(name: &str, created_ms: i64) -> StateMachine {
    StateMachine {
        arn: machine_arn(name),
        name: name.into(),
        kind: "STANDARD".into(),
        definition: format!(r#"{{"StartAt":"{name}","States":{{"{name}":{{"Type":"Succeed"}}}}}}"#),
        role_arn: format!("arn:aws:iam::123456789012:role/{name}"),
        created_ms,
        updated_ms: created_ms,
        revision_id: format!("rev-{name}"),
        description: Some(format!("the {name} machine")),
        logging: Some(json!({"level": "OFF", "includeExecutionData": false})),
        tracing: Some(json!({"enabled": false})),
        encryption: None,
        next_version: 1,
    }
}

/// Version `number` of the machine named `machine`.
pub fn version(machine: &str, number: u32) -> Version {
    Version {
        arn: format!("{}:{number}", machine_arn(machine)),
        state_machine_arn: machine_arn(machine),
        number,
        definition: format!(r#"{{"Comment":"v{number}"}}"#),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        revision_id: format!("rev-{number}"),
        description: (number > 1).then(|| format!("version {number}")),
        created_ms: 1_000 + i64::from(number),
    }
}

/// Alias `name` of the machine named `machine`, routing all traffic to version 1.
pub fn alias(machine: &str, name: &str, created_ms: i64) -> Alias {
    Alias {
        arn: format!("{}:{name}", machine_arn(machine)),
        state_machine_arn: machine_arn(machine),
        name: name.into(),
        description: None,
        routing: vec![(version(machine, 1).arn, 100)],
        created_ms,
        updated_ms: created_ms,
    }
}

pub fn activity(name: &str, created_ms: i64) -> Activity {
    Activity {
        arn: activity_arn(name),
        name: name.into(),
        created_ms,
        encryption: Some(json!({"type": "AWS_OWNED_KEY"})),
    }
}

/// A running execution `name` of the machine named `machine`, started at `start_ms`.
pub fn execution(machine: &str, name: &str, start_ms: i64) -> Execution {
    Execution {
        arn: execution_arn(machine, name),
        state_machine_arn: machine_arn(machine),
        name: name.into(),
        kind: "STANDARD".into(),
        status: "RUNNING".into(),
        start_ms,
        stop_ms: None,
        input: format!(r#"{{"name":"{name}"}}"#),
        output: None,
        error: None,
        cause: None,
        definition: r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#.into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        version_arn: None,
        alias_arn: None,
        trace_header: Some("Root=1-abc".into()),
        redrive_count: 0,
        redrive_ms: None,
        version: 0,
    }
}

/// History event `id` (a `PassStateEntered` whose input names the id).
pub fn event(id: i64) -> HistoryEvent {
    HistoryEvent::new(
        id,
        id - 1,
        Timestamp::from_millis(1_700_000_000_000 + id),
        EventDetails::PassStateEntered(StateEnteredEventDetails::new(
            format!("S{id}"),
            Payload::from(Arc::new(json!({"n": id, "text": "é\"\n"}))),
        )),
    )
}

/// Events `from..=to`.
pub fn events(from: i64, to: i64) -> Vec<HistoryEvent> {
    (from..=to).map(event).collect()
}

/// An inbox row due at `due_ms`, with `key` and a payload naming both.
pub fn inbox(due_ms: i64, key: Option<u64>) -> NewInbox {
    NewInbox {
        due_ms,
        key,
        payload: format!("due {due_ms} key {key:?}").into_bytes(),
    }
}

/// A new execution (see [`execution`]) with events 1..=`n_events` and the given inbox rows.
pub fn new_execution(
    machine: &str,
    name: &str,
    start_ms: i64,
    n_events: i64,
    rows: Vec<NewInbox>,
) -> NewExecution {
    NewExecution {
        execution: execution(machine, name, start_ms),
        snapshot: format!("snapshot of {name}").into_bytes(),
        chunks: Vec::new(),
        events: events(1, n_events),
        inbox: rows,
        packed_input: None,
    }
}

/// A task of execution `execution_arn` for effect `effect_id`.
pub fn task(execution_arn: &str, effect_id: u64, activity: Option<&str>, created_ms: i64) -> Task {
    Task {
        token: format!("token-{effect_id}-{execution_arn}"),
        execution_arn: execution_arn.into(),
        effect_id,
        activity_arn: activity.map(activity_arn),
        input: format!(r#"{{"effect":{effect_id}}}"#),
        created_ms,
        worker: None,
    }
}

/// A dispatch of execution `execution_arn` for effect `effect_id`, created at `created_ms`,
/// queued when `lease` is `None`.
pub fn dispatch(
    execution_arn: &str,
    effect_id: u64,
    created_ms: i64,
    lease: Option<(&str, i64)>,
) -> Dispatch {
    Dispatch {
        execution_arn: execution_arn.into(),
        effect_id,
        payload: format!("run effect {effect_id} of {execution_arn}").into_bytes(),
        created_ms,
        lease: lease.map(|(o, u)| (o.to_owned(), u)),
    }
}

/// Unwraps a store call, naming the call on failure.
#[track_caller]
pub fn ok<T>(r: Result<T>, what: &str) -> T {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{what}: unexpected store error: {e}"),
    }
}

/// Asserts that a store call failed with `Conflict`.
#[track_caller]
pub fn assert_conflict<T: std::fmt::Debug>(r: Result<T>, what: &str) {
    match r {
        Err(StoreError::Conflict(_)) => {}
        other => panic!("{what}: expected Conflict, got {other:?}"),
    }
}

/// The ARNs of records, for order assertions.
pub fn arns<T>(items: &[T], arn: impl Fn(&T) -> &str) -> Vec<String> {
    items.iter().map(|i| arn(i).to_owned()).collect()
}
