//! Whole definitions: validate the text as `ValidateStateMachineDefinition` does; when it is
//! valid, compile it and run it with input `{}` for a bounded number of rounds, the way a
//! driver would: every task fails (`TaskFailed`), timers fire in due order with the clock
//! jumping to their due time.
//!
//! With `ESTADO_FUZZ_STRICT` set, a definition that validates but does not compile panics too.
//!
//! Besides "no panic", checks that the history the execution produced survives a JSON round
//! trip (the store persists it that way).
#![no_main]

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};
use std::sync::Arc;

use estado_asl::validate::{is_valid, validate_text, Options};
use estado_fuzz::NOW_MILLIS;
use estado_interp::{Delivery, Effect, Env, ExecInfo, Execution, MachineType};
use estado_json::{json, Value};
use estado_types::history::HistoryEvent;
use libfuzzer_sys::fuzz_target;

/// Driver rounds (one `run` plus the deliveries it leads to) before giving up on an execution.
const MAX_ROUNDS: usize = 50;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let diagnostics = validate_text(text, &Options::default());
    if !is_valid(&diagnostics) {
        return;
    }
    let Ok(definition) = serde_json::from_str::<Value>(text) else {
        return;
    };
    let program = match estado_asl::compile(&definition) {
        Ok(program) => program,
        // A definition the validator accepts but the compiler refuses: not a crash (both are
        // Results), but a disagreement worth finding. Opt in, to audit a corpus.
        Err(e) if std::env::var_os("ESTADO_FUZZ_STRICT").is_some() => {
            panic!(
                "valid definition does not compile: {} at {}",
                e.message, e.location
            )
        }
        Err(_) => return,
    };
    run(&program);
});

fn run(program: &estado_asl::Program) {
    let info = ExecInfo {
        execution_arn: "arn:aws:states:us-east-1:123456789012:execution:fuzz:exec".into(),
        name: "exec".into(),
        state_machine_arn: "arn:aws:states:us-east-1:123456789012:stateMachine:fuzz".into(),
        state_machine_name: "fuzz".into(),
        role_arn: "arn:aws:iam::123456789012:role/fuzz".into(),
        start_millis: NOW_MILLIS,
        input: Arc::new(json!({})),
        machine_type: MachineType::Standard,
        seed: 7,
        redrive_count: Some(0),
        test_case: None,
    };
    let mut now = NOW_MILLIS;
    let mut exec = Execution::start(program, info, Env { now_millis: now });
    let mut timers: BinaryHeap<Reverse<(i64, u64)>> = BinaryHeap::new();
    let mut cancelled: HashSet<u64> = HashSet::new();
    for _ in 0..MAX_ROUNDS {
        let mut deliveries = Vec::new();
        for effect in exec.run(program, Env { now_millis: now }) {
            match effect {
                Effect::StartTimer { id, due_millis } => timers.push(Reverse((due_millis, id))),
                Effect::CancelTimer { id } => {
                    cancelled.insert(id);
                }
                Effect::RunTask(req) => deliveries.push(Delivery::TaskFailed {
                    id: req.id,
                    error: "States.TaskFailed".into(),
                    cause: format!("no runner for '{}'", req.resource),
                }),
                Effect::CancelTask { .. } => {}
            }
        }
        if exec.status().is_terminal() {
            break;
        }
        if deliveries.is_empty() {
            // Nothing to report: fire the earliest live timer, or stop when there is none.
            let next = loop {
                match timers.pop() {
                    Some(Reverse((_, id))) if cancelled.remove(&id) => continue,
                    other => break other,
                }
            };
            let Some(Reverse((due, id))) = next else {
                break;
            };
            now = now.max(due);
            deliveries.push(Delivery::TimerFired { id });
        }
        for delivery in deliveries {
            exec.deliver(program, delivery, Env { now_millis: now });
        }
    }
    let history = exec.history();
    for event in history.iter() {
        let wire = estado_json::to_value(event).expect("a history event serialises");
        let back: HistoryEvent = estado_json::from_value(wire.clone())
            .unwrap_or_else(|e| panic!("history event {wire} does not deserialise: {e}"));
        assert_eq!(&back, event, "history event {wire} does not round-trip");
    }
}
