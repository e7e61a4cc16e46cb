//! The history types against the AWS service model (aws-model/stepfunctions-service-2.json):
//! every event type exists, every details member is used, and an event of every type with every
//! model member filled in survives deserialise -> serialise unchanged.

use std::collections::BTreeSet;

use estado_json::{json, Map, Value};
use estado_types::history::{details_member_name, HistoryEvent, DETAILS_MEMBERS, EVENT_TYPES};

fn model() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../aws-model/stepfunctions-service-2.json"
    );
    let text = std::fs::read_to_string(path).expect("aws-model/stepfunctions-service-2.json");
    serde_json::from_str(&text).expect("model is JSON")
}

fn shape<'a>(model: &'a Value, name: &str) -> &'a Value {
    &model["shapes"][name]
}

/// A value for `shape_name` with every member present, as AWS would put it on the wire.
/// String shapes that hold JSON documents get compact JSON text; the Rust side must parse and
/// re-emit them byte for byte.
fn sample(model: &Value, shape_name: &str, depth: usize) -> Value {
    let s = shape(model, shape_name);
    match s["type"].as_str().expect("shape type") {
        "string" => match shape_name {
            "SensitiveData" | "ConnectorParameters" | "VariableValue" => {
                json!(format!("{{\"{shape_name}\":[{depth},\"x\",null,true]}}"))
            }
            _ => json!(format!("{shape_name}-{depth}")),
        },
        "boolean" => json!(true),
        "integer" => json!(7 + depth),
        "long" => json!(1_000_000_000_000i64 + depth as i64),
        "timestamp" => json!(1_700_000_000.5),
        "structure" => {
            let mut out = Map::new();
            for (member, spec) in s["members"].as_object().expect("members") {
                let inner = spec["shape"].as_str().expect("member shape");
                out.insert(member.clone(), sample(model, inner, depth + 1));
            }
            Value::Object(out)
        }
        "map" => {
            let key = s["value"]["shape"].as_str().expect("map value shape");
            json!({ "first": sample(model, key, depth + 1), "second": sample(model, key, depth + 2) })
        }
        "list" => {
            let member = s["member"]["shape"].as_str().expect("list member shape");
            json!([sample(model, member, depth + 1)])
        }
        other => panic!("unexpected shape type {other} for {shape_name}"),
    }
}

#[test]
fn event_types_are_the_models_history_event_types_in_order() {
    let model = model();
    let from_model: Vec<&str> = shape(&model, "HistoryEventType")["enum"]
        .as_array()
        .expect("enum")
        .iter()
        .map(|v| v.as_str().expect("enum value"))
        .collect();
    assert_eq!(from_model.len(), 62);
    assert_eq!(EVENT_TYPES.as_slice(), from_model.as_slice());
}

#[test]
fn every_details_member_of_the_model_is_carried_by_some_event_type() {
    let model = model();
    let members: Vec<&str> = shape(&model, "HistoryEvent")["members"]
        .as_object()
        .expect("members")
        .keys()
        .map(|k| k.as_str())
        .filter(|m| !["timestamp", "type", "id", "previousEventId"].contains(m))
        .collect();
    assert_eq!(DETAILS_MEMBERS.as_slice(), members.as_slice());
    let used: BTreeSet<&str> = EVENT_TYPES
        .iter()
        .filter_map(|t| details_member_name(t))
        .collect();
    let all: BTreeSet<&str> = members.into_iter().collect();
    assert_eq!(used, all);
}

#[test]
fn member_pairing_follows_aws_histories() {
    for (event_type, member) in [
        ("ExecutionStarted", Some("executionStartedEventDetails")),
        ("PassStateEntered", Some("stateEnteredEventDetails")),
        ("FailStateEntered", Some("stateEnteredEventDetails")),
        ("ChoiceStateExited", Some("stateExitedEventDetails")),
        ("MapStateStarted", Some("mapStateStartedEventDetails")),
        (
            "MapIterationAborted",
            Some("mapIterationAbortedEventDetails"),
        ),
        ("MapStateSucceeded", None),
        ("ParallelStateStarted", None),
        ("WaitStateAborted", None),
        ("TaskStateAborted", None),
        ("LambdaFunctionStarted", None),
        ("MapRunSucceeded", None),
        ("EvaluationFailed", Some("evaluationFailedEventDetails")),
        ("NoSuchType", None),
    ] {
        assert_eq!(details_member_name(event_type), member, "{event_type}");
    }
}

#[test]
fn every_event_type_with_every_model_member_round_trips_exactly() {
    let model = model();
    let members = shape(&model, "HistoryEvent")["members"].clone();
    for (i, event_type) in EVENT_TYPES.iter().enumerate() {
        let mut wire = Map::new();
        wire.insert("timestamp", json!(1_700_000_000.123));
        wire.insert("type", json!(event_type));
        wire.insert("id", json!(i + 2));
        wire.insert("previousEventId", json!(i + 1));
        if let Some(member) = details_member_name(event_type) {
            let details_shape = members[member]["shape"].as_str().expect("details shape");
            wire.insert(member, sample(&model, details_shape, 0));
        }
        let wire = Value::Object(wire);

        let event: HistoryEvent = estado_json::from_value(wire.clone())
            .unwrap_or_else(|e| panic!("{event_type}: {e}\n{wire}"));
        assert_eq!(event.event_type(), *event_type);
        let text = serde_json::to_string(&event).expect("serialise");
        // Same members, same values, same order (the Value keeps insertion order).
        assert_eq!(text, wire.to_string(), "{event_type}");

        let again: HistoryEvent = serde_json::from_str(&text).expect("re-read");
        assert_eq!(again, event, "{event_type}");
    }
}
