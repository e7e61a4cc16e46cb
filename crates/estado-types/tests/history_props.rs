//! Properties of the history wire format: reading never panics, and whatever we write we read
//! back unchanged.

use estado_json::{json, Value};
use estado_types::history::*;
use proptest::prelude::*;

/// About year 36,800 either side of the epoch: the range `Timestamp` round-trips exactly.
const MAX_MS: i64 = 1_099_511_627_776_000;

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        ".*".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-z\"\\\\]{0,6}", inner), 0..4)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

fn payload() -> impl Strategy<Value = Payload> {
    json_value().prop_map(Payload::new)
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(".{0,12}")
}

fn details() -> impl Strategy<Value = EventDetails> {
    prop_oneof![
        (".{1,8}", payload())
            .prop_map(|(n, p)| EventDetails::TaskStateEntered(StateEnteredEventDetails::new(n, p))),
        (
            ".{1,8}",
            payload(),
            prop::collection::vec(("[a-z]{1,4}", payload()), 0..3)
        )
            .prop_map(|(n, p, v)| {
                EventDetails::PassStateExited(
                    StateExitedEventDetails::new(n, p)
                        .with_assigned_variables(AssignedVariables(v)),
                )
            }),
        (payload(), ".{0,20}").prop_map(|(p, r)| EventDetails::ExecutionStarted(
            ExecutionStartedEventDetails::new(p, r)
        )),
        (opt_text(), opt_text()).prop_map(|(e, c)| EventDetails::ExecutionFailed(
            ExecutionFailedEventDetails::new(e, c)
        )),
        (".{1,8}", any::<u32>()).prop_map(|(n, i)| EventDetails::MapIterationAborted(
            MapIterationEventDetails::new(n, i)
        )),
        (payload(), any::<Option<i64>>()).prop_map(|(p, t)| {
            let mut d = TaskScheduledEventDetails::new("lambda", "invoke", "eu-west-1", p);
            d.timeout_in_seconds = t;
            EventDetails::TaskScheduled(Box::new(d))
        }),
        Just(EventDetails::ParallelStateStarted),
        Just(EventDetails::WaitStateAborted),
    ]
}

fn event() -> impl Strategy<Value = HistoryEvent> {
    (any::<i64>(), any::<i64>(), -MAX_MS..=MAX_MS, details())
        .prop_map(|(id, prev, ms, d)| HistoryEvent::new(id, prev, Timestamp(ms), d))
}

proptest! {
    #[test]
    fn events_round_trip(e in event()) {
        let text = serde_json::to_string(&e).unwrap();
        let back: HistoryEvent = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(back, e);
    }

    #[test]
    fn timestamps_round_trip(ms in -MAX_MS..=MAX_MS) {
        let text = serde_json::to_string(&Timestamp(ms)).unwrap();
        prop_assert_eq!(serde_json::from_str::<Timestamp>(&text).unwrap(), Timestamp(ms));
    }

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}") {
        let _ = serde_json::from_str::<HistoryEvent>(&text);
    }

    #[test]
    fn arbitrary_json_never_panics(v in json_value(), t in 0usize..62, member in 0usize..37) {
        // Shapes close to real events reach deeper into the reader than random text does.
        let _ = estado_json::from_value::<HistoryEvent>(v.clone());
        let near = json!({
            "timestamp": 1, "type": EVENT_TYPES[t], "id": 1, "previousEventId": 0,
            DETAILS_MEMBERS[member]: v,
        });
        let _ = estado_json::from_value::<HistoryEvent>(near);
    }
}

#[test]
fn forty_thousand_events_serialise_in_one_pass() {
    // The hot path: a long Map run's history. Shared payloads, no per-event Value trees.
    let item = Payload::new(json!({"id": 12345, "name": "item", "tags": ["a", "b"], "score": 0.5}));
    let events: Vec<HistoryEvent> = (0..40_000)
        .map(|i| {
            let d = if i & 1 == 0 {
                EventDetails::PassStateEntered(StateEnteredEventDetails::new("Pass", item.clone()))
            } else {
                EventDetails::PassStateExited(StateExitedEventDetails::new("Pass", item.clone()))
            };
            HistoryEvent::new(i + 1, i, Timestamp(1_700_000_000_000 + i), d)
        })
        .collect();
    let start = std::time::Instant::now();
    let text = serde_json::to_string(&events).unwrap();
    let elapsed = start.elapsed();
    eprintln!(
        "serialised 40,000 events ({} bytes) in {elapsed:?}",
        text.len()
    );
    let back: Vec<HistoryEvent> = serde_json::from_str(&text).unwrap();
    assert_eq!(back, events);
}
