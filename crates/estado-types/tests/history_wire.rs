//! History events on the wire, checked against the shape of histories recorded on real AWS.
//!
//! The golden histories below reproduce, event for event, histories that AWS returned for the
//! same definitions (recorded by LocalStack's snapshot tests against AWS: `test_map_state_break_
//! condition`, `test_state_fail_empty` and `TestTaskServiceLambda::test_invoke`), with the
//! recordings' placeholders replaced by concrete values: timestamps, ARNs, region.

use std::sync::Arc;

use estado_json::{json, Value};
use estado_types::history::EventDetails::*;
use estado_types::history::*;
use estado_types::StatesError;

fn p(v: Value) -> Payload {
    Payload::new(v)
}

fn ev(id: i64, prev: i64, ms: i64, details: EventDetails) -> HistoryEvent {
    HistoryEvent::new(id, prev, Timestamp(ms), details)
}

fn entered(
    kind: fn(StateEnteredEventDetails) -> EventDetails,
    name: &str,
    input: Value,
) -> EventDetails {
    kind(StateEnteredEventDetails::new(name, p(input)))
}

fn exited(
    kind: fn(StateExitedEventDetails) -> EventDetails,
    name: &str,
    output: Value,
) -> EventDetails {
    kind(StateExitedEventDetails::new(name, p(output)))
}

fn iteration(kind: fn(MapIterationEventDetails) -> EventDetails, index: u32) -> EventDetails {
    kind(MapIterationEventDetails::new("MapState", index))
}

/// Serialising `events` gives exactly `expected` (compact JSON, member order included), and
/// reading `expected` gives back `events`.
fn wire(events: &[HistoryEvent], expected: &str) {
    let expected: String = expected.lines().map(str::trim).collect();
    let text = serde_json::to_string(events).expect("serialise");
    assert_eq!(text, expected);
    let back: Vec<HistoryEvent> = serde_json::from_str(&expected).expect("deserialise");
    assert_eq!(back, events);
}

fn read(text: &str) -> Result<HistoryEvent, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

const ROLE: &str = "arn:aws:iam::111111111111:role/sfn-role";

#[test]
fn map_then_fail_without_error_or_cause() {
    let t = 1_700_000_000_000;
    let arr = json!({"arr": [1, "Hello"]});
    let started = ExecutionStartedEventDetails::new(p(json!({})), ROLE);
    #[rustfmt::skip]
    let events = vec![
        ev(1, 0, t, ExecutionStarted(started)),
        ev(2, 0, t + 20, entered(PassStateEntered, "StartState", json!({}))),
        ev(3, 2, t + 21, exited(PassStateExited, "StartState", arr.clone())),
        ev(4, 3, t + 21, entered(MapStateEntered, "MapState", arr)),
        ev(5, 4, t + 22, MapStateStarted(MapStateStartedEventDetails::new(2))),
        ev(6, 5, t + 22, iteration(MapIterationStarted, 0)),
        ev(7, 6, t + 23, entered(PassStateEntered, "Pass", json!(1))),
        ev(8, 7, t + 23, exited(PassStateExited, "Pass", json!(1))),
        ev(9, 8, t + 24, iteration(MapIterationSucceeded, 0)),
        // AWS points the next iteration at the previous iteration's last state event.
        ev(10, 8, t + 24, iteration(MapIterationStarted, 1)),
        ev(11, 10, t + 25, entered(PassStateEntered, "Pass", json!("Hello"))),
        ev(12, 11, t + 25, exited(PassStateExited, "Pass", json!("Hello"))),
        ev(13, 12, t + 26, iteration(MapIterationSucceeded, 1)),
        ev(14, 13, t + 26, MapStateSucceeded),
        ev(15, 14, t + 27, exited(MapStateExited, "MapState", json!([1, "Hello"]))),
        ev(16, 15, t + 150, entered(FailStateEntered, "FailState", json!([1, "Hello"]))),
        ev(17, 16, t + 1000, ExecutionFailed(ExecutionFailedEventDetails::new(None, None))),
    ];
    wire(
        &events,
        r#"[
        {"timestamp":1700000000.0,"type":"ExecutionStarted","id":1,"previousEventId":0,"executionStartedEventDetails":{"input":"{}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::111111111111:role/sfn-role"}},
        {"timestamp":1700000000.02,"type":"PassStateEntered","id":2,"previousEventId":0,"stateEnteredEventDetails":{"name":"StartState","input":"{}","inputDetails":{"truncated":false}}},
        {"timestamp":1700000000.021,"type":"PassStateExited","id":3,"previousEventId":2,"stateExitedEventDetails":{"name":"StartState","output":"{\"arr\":[1,\"Hello\"]}","outputDetails":{"truncated":false}}},
        {"timestamp":1700000000.021,"type":"MapStateEntered","id":4,"previousEventId":3,"stateEnteredEventDetails":{"name":"MapState","input":"{\"arr\":[1,\"Hello\"]}","inputDetails":{"truncated":false}}},
        {"timestamp":1700000000.022,"type":"MapStateStarted","id":5,"previousEventId":4,"mapStateStartedEventDetails":{"length":2}},
        {"timestamp":1700000000.022,"type":"MapIterationStarted","id":6,"previousEventId":5,"mapIterationStartedEventDetails":{"name":"MapState","index":0}},
        {"timestamp":1700000000.023,"type":"PassStateEntered","id":7,"previousEventId":6,"stateEnteredEventDetails":{"name":"Pass","input":"1","inputDetails":{"truncated":false}}},
        {"timestamp":1700000000.023,"type":"PassStateExited","id":8,"previousEventId":7,"stateExitedEventDetails":{"name":"Pass","output":"1","outputDetails":{"truncated":false}}},
        {"timestamp":1700000000.024,"type":"MapIterationSucceeded","id":9,"previousEventId":8,"mapIterationSucceededEventDetails":{"name":"MapState","index":0}},
        {"timestamp":1700000000.024,"type":"MapIterationStarted","id":10,"previousEventId":8,"mapIterationStartedEventDetails":{"name":"MapState","index":1}},
        {"timestamp":1700000000.025,"type":"PassStateEntered","id":11,"previousEventId":10,"stateEnteredEventDetails":{"name":"Pass","input":"\"Hello\"","inputDetails":{"truncated":false}}},
        {"timestamp":1700000000.025,"type":"PassStateExited","id":12,"previousEventId":11,"stateExitedEventDetails":{"name":"Pass","output":"\"Hello\"","outputDetails":{"truncated":false}}},
        {"timestamp":1700000000.026,"type":"MapIterationSucceeded","id":13,"previousEventId":12,"mapIterationSucceededEventDetails":{"name":"MapState","index":1}},
        {"timestamp":1700000000.026,"type":"MapStateSucceeded","id":14,"previousEventId":13},
        {"timestamp":1700000000.027,"type":"MapStateExited","id":15,"previousEventId":14,"stateExitedEventDetails":{"name":"MapState","output":"[1,\"Hello\"]","outputDetails":{"truncated":false}}},
        {"timestamp":1700000000.15,"type":"FailStateEntered","id":16,"previousEventId":15,"stateEnteredEventDetails":{"name":"FailState","input":"[1,\"Hello\"]","inputDetails":{"truncated":false}}},
        {"timestamp":1700000001.0,"type":"ExecutionFailed","id":17,"previousEventId":16,"executionFailedEventDetails":{}}
        ]"#,
    );
}

#[test]
fn lambda_service_integration_and_assigned_variables() {
    let t = 1_712_345_678_901;
    let params = json!({"FunctionName": "fn", "Payload": null});
    let result = p(json!({"ExecutedVersion": "$LATEST", "Payload": {}, "StatusCode": 200}));
    let vars = AssignedVariables(vec![
        ("count".to_owned(), p(json!(0))),
        ("name".to_owned(), p(json!("a \"quoted\" name"))),
    ]);
    let started = ExecutionStartedEventDetails::new(p(params.clone()), ROLE);
    let scheduled =
        TaskScheduledEventDetails::new("lambda", "invoke", "us-east-1", p(params.clone()));
    let succeeded = TaskSucceededEventDetails::new("lambda", "invoke", result.clone());
    let exit = StateExitedEventDetails::new("Start", result.clone()).with_assigned_variables(vars);
    #[rustfmt::skip]
    let events = vec![
        ev(1, 0, t, ExecutionStarted(started)),
        ev(2, 0, t + 1, entered(TaskStateEntered, "Start", params)),
        ev(3, 2, t + 2, TaskScheduled(Box::new(scheduled))),
        ev(4, 3, t + 3, TaskStarted(TaskStartedEventDetails::new("lambda", "invoke"))),
        ev(5, 4, t + 4, TaskSucceeded(succeeded)),
        ev(6, 5, t + 5, TaskStateExited(exit)),
        ev(7, 6, t + 6, ExecutionSucceeded(ExecutionSucceededEventDetails::new(result))),
    ];
    wire(
        &events,
        r#"[
        {"timestamp":1712345678.901,"type":"ExecutionStarted","id":1,"previousEventId":0,"executionStartedEventDetails":{"input":"{\"FunctionName\":\"fn\",\"Payload\":null}","inputDetails":{"truncated":false},"roleArn":"arn:aws:iam::111111111111:role/sfn-role"}},
        {"timestamp":1712345678.902,"type":"TaskStateEntered","id":2,"previousEventId":0,"stateEnteredEventDetails":{"name":"Start","input":"{\"FunctionName\":\"fn\",\"Payload\":null}","inputDetails":{"truncated":false}}},
        {"timestamp":1712345678.903,"type":"TaskScheduled","id":3,"previousEventId":2,"taskScheduledEventDetails":{"resourceType":"lambda","resource":"invoke","region":"us-east-1","parameters":"{\"FunctionName\":\"fn\",\"Payload\":null}"}},
        {"timestamp":1712345678.904,"type":"TaskStarted","id":4,"previousEventId":3,"taskStartedEventDetails":{"resourceType":"lambda","resource":"invoke"}},
        {"timestamp":1712345678.905,"type":"TaskSucceeded","id":5,"previousEventId":4,"taskSucceededEventDetails":{"resourceType":"lambda","resource":"invoke","output":"{\"ExecutedVersion\":\"$LATEST\",\"Payload\":{},\"StatusCode\":200}","outputDetails":{"truncated":false}}},
        {"timestamp":1712345678.906,"type":"TaskStateExited","id":6,"previousEventId":5,"stateExitedEventDetails":{"name":"Start","output":"{\"ExecutedVersion\":\"$LATEST\",\"Payload\":{},\"StatusCode\":200}","outputDetails":{"truncated":false},"assignedVariables":{"count":"0","name":"\"a \\\"quoted\\\" name\""},"assignedVariablesDetails":{"truncated":false}}},
        {"timestamp":1712345678.907,"type":"ExecutionSucceeded","id":7,"previousEventId":6,"executionSucceededEventDetails":{"output":"{\"ExecutedVersion\":\"$LATEST\",\"Payload\":{},\"StatusCode\":200}","outputDetails":{"truncated":false}}}
        ]"#,
    );
}

#[test]
fn unit_variants_carry_no_member() {
    let e = ev(5, 4, 1_000, EventDetails::ParallelStateStarted);
    assert_eq!(
        serde_json::to_string(&e).unwrap(),
        r#"{"timestamp":1.0,"type":"ParallelStateStarted","id":5,"previousEventId":4}"#
    );
    assert_eq!(e.details.member_name(), None);
}

#[test]
fn errors_become_error_and_cause() {
    let e = StatesError::new("States.TaskFailed", "boom");
    let d = TaskFailedEventDetails::from_error("lambda", "invoke", e.clone());
    assert_eq!(
        estado_json::to_value(&d).unwrap(),
        json!({"resourceType": "lambda", "resource": "invoke", "error": "States.TaskFailed", "cause": "boom"})
    );
    let d = ExecutionFailedEventDetails::from(e);
    assert_eq!(
        estado_json::to_value(&d).unwrap(),
        json!({"error": "States.TaskFailed", "cause": "boom"})
    );
    let d = ExecutionFailedEventDetails::new(Some("E".into()), None);
    assert_eq!(estado_json::to_value(&d).unwrap(), json!({"error": "E"}));
}

#[test]
fn members_may_come_in_any_order_and_unknown_members_are_ignored() {
    let e = read(
        r#"{"stateEnteredEventDetails":{"inputDetails":{"truncated":false},"name":"S","input":"[1]"},
            "id":3,"future":{"x":1},"type":"WaitStateEntered","previousEventId":2,"timestamp":1700000000}"#,
    )
    .unwrap();
    assert_eq!(
        e,
        ev(
            3,
            2,
            1_700_000_000_000,
            EventDetails::WaitStateEntered(StateEnteredEventDetails::new("S", p(json!([1]))))
        )
    );
}

#[test]
fn a_missing_previous_event_id_reads_as_zero() {
    let e = read(r#"{"timestamp":1.5,"type":"MapStateAborted","id":1}"#).unwrap();
    assert_eq!(e, ev(1, 0, 1_500, EventDetails::MapStateAborted));
}

#[test]
fn an_optional_only_details_member_may_be_missing() {
    let e =
        read(r#"{"timestamp":1,"type":"ExecutionAborted","id":9,"previousEventId":8}"#).unwrap();
    assert_eq!(
        e.details,
        EventDetails::ExecutionAborted(ExecutionAbortedEventDetails::default())
    );
}

#[test]
fn malformed_events_are_errors_not_panics() {
    for (text, message) in [
        (
            r#"{"timestamp":1,"type":"PassStateEntered","id":1}"#,
            "needs member stateEnteredEventDetails",
        ),
        (
            r#"{"timestamp":1,"type":"Nope","id":1}"#,
            "unknown variant `Nope`",
        ),
        (r#"{"timestamp":1,"id":1}"#, "missing field `type`"),
        (
            r#"{"type":"ParallelStateStarted","id":1}"#,
            "missing field `timestamp`",
        ),
        (
            r#"{"timestamp":1,"type":"ParallelStateStarted"}"#,
            "missing field `id`",
        ),
        (
            r#"{"timestamp":1,"type":"ParallelStateStarted","id":1,"id":2}"#,
            "duplicate field `id`",
        ),
        (
            r#"{"timestamp":1,"type":"ParallelStateStarted","id":1,"mapStateStartedEventDetails":{"length":1}}"#,
            "does not carry member mapStateStartedEventDetails",
        ),
        (
            r#"{"timestamp":1,"type":"MapStateStarted","id":1,"mapIterationStartedEventDetails":{}}"#,
            "does not carry member mapIterationStartedEventDetails",
        ),
        (
            r#"{"timestamp":1,"type":"MapStateStarted","id":1,"mapStateStartedEventDetails":{},"executionFailedEventDetails":{}}"#,
            "two details members",
        ),
        (
            r#"{"timestamp":1,"type":"PassStateEntered","id":1,"stateEnteredEventDetails":{"name":"S","input":"{nope"}}"#,
            "payload is not a JSON document",
        ),
        (
            r#"{"timestamp":1,"type":"PassStateEntered","id":1,"stateEnteredEventDetails":{"input":"1"}}"#,
            "missing field `name`",
        ),
        (
            r#"{"timestamp":"x","type":"ParallelStateStarted","id":1}"#,
            "seconds since the Unix epoch",
        ),
        (
            r#"{"timestamp":1e300,"type":"ParallelStateStarted","id":1}"#,
            "out of range",
        ),
        (
            r#"{"timestamp":18446744073709551615,"type":"ParallelStateStarted","id":1}"#,
            "out of range",
        ),
        (r#"[]"#, "HistoryEvent object"),
    ] {
        let err = read(text).expect_err(text);
        assert!(err.contains(message), "{text}: {err}");
    }
}

#[test]
fn timestamps_are_epoch_seconds_with_millisecond_fraction() {
    for (ms, text) in [
        (1_700_000_000_123, "1700000000.123"),
        (1_700_000_000_100, "1700000000.1"),
        (1_700_000_000_000, "1700000000.0"),
        (1, "0.001"),
        (-1_500, "-1.5"),
    ] {
        assert_eq!(serde_json::to_string(&Timestamp(ms)).unwrap(), text);
        assert_eq!(
            serde_json::from_str::<Timestamp>(text).unwrap(),
            Timestamp(ms)
        );
    }
    // Clients may send fewer or more digits; sub-millisecond parts round.
    assert_eq!(
        serde_json::from_str::<Timestamp>("1700000000").unwrap(),
        Timestamp(1_700_000_000_000)
    );
    assert_eq!(
        serde_json::from_str::<Timestamp>("1.0004").unwrap(),
        Timestamp(1_000)
    );
    assert_eq!(
        serde_json::from_str::<Timestamp>("1.0006").unwrap(),
        Timestamp(1_001)
    );
    assert_eq!(Timestamp::from_secs_f64(f64::NAN), None);
}

#[test]
fn timestamps_convert_to_and_from_jiff() {
    let t = Timestamp(1_700_000_000_123);
    let j = t.to_jiff().unwrap();
    assert_eq!(j.to_string(), "2023-11-14T22:13:20.123Z");
    assert_eq!(Timestamp::from(j), t);
    assert_eq!(Timestamp(i64::MAX).to_jiff(), None);
}

#[test]
fn payloads_share_their_value_and_travel_as_compact_json_text() {
    let shared = Arc::new(json!({"b": [1, 2.5, "x"], "a": null}));
    let payload = Payload::from_arc(shared.clone());
    assert!(Arc::ptr_eq(payload.arc().unwrap(), &shared));
    assert!(payload.shares(&shared));
    assert_eq!(*payload.clone().value(), *shared);
    // Key order is kept, as the state produced it.
    assert_eq!(payload.to_json_string(), r#"{"b":[1,2.5,"x"],"a":null}"#);
    assert_eq!(
        serde_json::to_string(&payload).unwrap(),
        r#""{\"b\":[1,2.5,\"x\"],\"a\":null}""#
    );
    let back: Payload =
        serde_json::from_str(r#"" { \"b\" : [1, 2.5, \"x\"], \"a\": null } ""#).unwrap();
    assert_eq!(back, payload);
    assert!(
        serde_json::from_str::<Payload>("{}").is_err(),
        "a payload is a string on the wire"
    );
    assert!(
        serde_json::from_str::<Payload>(r#""{\"a\":""#).is_err(),
        "a payload's string holds a JSON document"
    );
}

#[test]
fn event_type_names_match_variants() {
    let d = EventDetails::MapIterationFailed(MapIterationEventDetails::new("M", 3));
    assert_eq!(d.event_type(), "MapIterationFailed");
    assert_eq!(d.member_name(), Some("mapIterationFailedEventDetails"));
    assert_eq!(details_member_name("MapIterationFailed"), d.member_name());
}
