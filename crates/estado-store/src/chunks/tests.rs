use std::sync::Arc;

use estado_json::{json, Value};
use estado_types::history::*;

use super::*;

fn at(id: i64, prev: i64, ms: i64, details: EventDetails) -> HistoryEvent {
    HistoryEvent::new(id, prev, Timestamp::from_millis(ms), details)
}

fn doc(v: Value) -> Payload {
    Payload::from(Arc::new(v))
}

fn round_trip(events: &[HistoryEvent]) -> Vec<HistoryEvent> {
    encode_chunks(events, None)
        .iter()
        .flat_map(|c| decode_chunk(&c.body, None).expect("decodes"))
        .collect()
}

/// One event of every type the compact form covers, with every optional field set one way or
/// another, among events it stores as JSON.
fn every_shape() -> Vec<HistoryEvent> {
    let shared = doc(json!({"i": 1, "label": "é\"\n\u{1F600}", "f": 1.5, "big": u64::MAX}));
    let mut out = vec![estado_json::from_value::<HistoryEvent>(json!({
        "timestamp": 1_700_000_000.123, "type": "ExecutionFailed", "id": 1, "previousEventId": 0,
        "executionFailedEventDetails": {"error": "E", "cause": "c"}
    }))
    .expect("wire event")];
    let mut id = 1;
    let mut next = |d: EventDetails, out: &mut Vec<HistoryEvent>| {
        id += 1;
        // Ids, previous ids and times that go backwards and jump, as well as forwards.
        let prev = if id % 3 == 0 { 0 } else { id - 1 };
        let ms = 1_700_000_000_123 + (id % 5) * 997 - 2_000;
        out.push(at(id, prev, ms, d));
    };
    for (i, (_, make)) in ENTERED.iter().enumerate() {
        let mut d = StateEnteredEventDetails::new(format!("S{}", i % 3), shared.clone());
        match i % 3 {
            0 => d.input_details = None,
            1 => d.input = None,
            _ => d.input_details = Some(HistoryEventExecutionDataDetails { truncated: None }),
        }
        next(make(d), &mut out);
    }
    for (i, (_, make)) in EXITED.iter().enumerate() {
        let mut d = StateExitedEventDetails::new(format!("S{}", i % 4), shared.clone());
        match i % 4 {
            0 => {
                d = d.with_assigned_variables(AssignedVariables(vec![
                    ("x".into(), doc(json!([1, {"y": null}]))),
                    ("S0".into(), shared.clone()),
                ]))
            }
            1 => d.output = Some(doc(json!("fresh"))),
            2 => {
                d.output_details = Some(HistoryEventExecutionDataDetails {
                    truncated: Some(true),
                })
            }
            _ => d.assigned_variables = Some(AssignedVariables(vec![])),
        }
        next(make(d), &mut out);
    }
    for (i, (_, make)) in ITERATION.iter().enumerate() {
        let d = match i {
            0 => MapIterationEventDetails::new("M", 0),
            1 => MapIterationEventDetails::new("M", u32::MAX),
            2 => MapIterationEventDetails {
                name: None,
                index: Some(3),
            },
            _ => MapIterationEventDetails::default(),
        };
        next(make(d), &mut out);
    }
    next(
        EventDetails::MapStateStarted(MapStateStartedEventDetails::new(10_000)),
        &mut out,
    );
    next(
        EventDetails::MapStateStarted(MapStateStartedEventDetails::default()),
        &mut out,
    );
    for (_, unit) in UNIT.iter() {
        next(unit.clone(), &mut out);
    }
    next(
        EventDetails::ExecutionStarted(ExecutionStartedEventDetails {
            input: Some(shared.clone()),
            input_details: Some(HistoryEventExecutionDataDetails {
                truncated: Some(false),
            }),
            role_arn: Some("arn:aws:iam::123456789012:role/r".into()),
            state_machine_alias_arn: None,
            state_machine_version_arn: Some("arn:aws:states:us-east-1:1:stateMachine:m:1".into()),
        }),
        &mut out,
    );
    next(
        EventDetails::ExecutionStarted(ExecutionStartedEventDetails::default()),
        &mut out,
    );
    next(
        EventDetails::ExecutionSucceeded(ExecutionSucceededEventDetails::new(doc(json!(null)))),
        &mut out,
    );
    next(
        EventDetails::ExecutionSucceeded(ExecutionSucceededEventDetails::default()),
        &mut out,
    );
    // Payloads held as text (as read back from storage or JSON), not as a shared value.
    let n = out.len() as i64 + 1;
    let text: HistoryEvent = estado_json::from_value(json!({
        "timestamp": 1_700_000_009.5, "type": "TaskStateExited", "id": n, "previousEventId": n - 1,
        "stateExitedEventDetails": {"name": "T", "output": "{\"t\": [1, 2.5, \"x\"]}",
            "assignedVariables": {"v": "true"}}
    }))
    .expect("wire event");
    out.push(text.clone());
    out.push(text);
    let n = out.len() as i64 + 1;
    out.push(
        estado_json::from_value(json!({
            "timestamp": 1_700_000_009.5, "type": "TaskFailed", "id": n, "previousEventId": n - 1,
            "taskFailedEventDetails": {"resourceType": "lambda", "resource": "invoke",
                "error": "E", "cause": "c"}
        }))
        .expect("wire event"),
    );
    out
}

#[test]
fn every_event_reads_back_as_written() {
    let events = every_shape();
    assert_eq!(round_trip(&events), events);
}

#[test]
fn each_covered_type_has_its_own_tag_and_json_is_the_fallback() {
    let mut seen = std::collections::HashMap::new();
    for e in every_shape() {
        let chunks = encode_compact(std::slice::from_ref(&e), None);
        let body = &chunks[0].body;
        assert_eq!(body[0], FORMAT_COMPACT);
        let tag = body[1];
        match e.details {
            EventDetails::ExecutionFailed(_) | EventDetails::TaskFailed(_) => {
                assert_eq!(tag, T_JSON, "{}", e.event_type())
            }
            _ => {
                assert_ne!(tag, T_JSON, "{} is covered", e.event_type());
                let first = *seen.entry(tag).or_insert(e.event_type());
                assert_eq!(first, e.event_type(), "two types share tag {tag}");
            }
        }
        assert_eq!(decode_chunk(body, None).expect("decodes"), vec![e]);
    }
}

#[test]
fn a_shared_document_is_written_once() {
    let shared = doc(json!({"payload": "x".repeat(1000)}));
    let events: Vec<HistoryEvent> = (1..=10)
        .map(|id| {
            at(
                id,
                id - 1,
                1_700_000_000_000,
                EventDetails::PassStateEntered(StateEnteredEventDetails::new("P", shared.clone())),
            )
        })
        .collect();
    let chunks = encode_compact(&events, None);
    assert_eq!(chunks.len(), 1);
    assert!(
        // The document (1,014 bytes) once; then 4 bytes per usual event (tag, name and
        // document references, details), the first with its header and the name's text.
        chunks[0].body.len() < 1_014 + 4 + 9 * 4 + 20,
        "one copy of the document: {} bytes",
        chunks[0].body.len()
    );
    assert_eq!(
        decode_chunk(&chunks[0].body, None).expect("decodes"),
        events
    );
}

#[test]
fn chunks_are_cut_by_count_and_by_size() {
    let small: Vec<HistoryEvent> = (1..=600)
        .map(|id| {
            at(
                id,
                id - 1,
                id,
                EventDetails::PassStateEntered(StateEnteredEventDetails::new(
                    "P",
                    doc(json!({ "n": id })),
                )),
            )
        })
        .collect();
    let chunks = encode_chunks(&small, None);
    let ranges: Vec<(i64, i64, usize)> = chunks
        .iter()
        .map(|c| (c.first_id, c.last_id, c.events))
        .collect();
    assert_eq!(ranges, [(1, 256, 256), (257, 512, 256), (513, 600, 88)]);
    assert_eq!(round_trip(&small), small);

    let big: Vec<HistoryEvent> = (1..=5)
        .map(|id| {
            at(
                id,
                id - 1,
                id,
                EventDetails::PassStateExited(StateExitedEventDetails::new(
                    "P",
                    doc(json!("y".repeat(20_000))),
                )),
            )
        })
        .collect();
    let chunks = encode_chunks(&big, None);
    assert_eq!(
        chunks.iter().map(|c| c.events).collect::<Vec<_>>(),
        [2, 2, 1],
        "a chunk closes once past {CHUNK_TARGET_BYTES} bytes"
    );
    assert_eq!(round_trip(&big), big);
    assert!(encode_chunks(&[], None).is_empty());
}

#[test]
fn a_json_array_body_reads_back_by_id() {
    let events = every_shape();
    let mut shuffled = events.clone();
    shuffled.reverse();
    let body = serde_json::to_vec(&shuffled).expect("json");
    assert_eq!(decode_chunk(&body, None).expect("decodes"), events);
}

#[test]
fn damaged_bodies_are_errors_not_panics() {
    let body = encode_chunks(&every_shape(), None).remove(0).body;
    for cut in 0..body.len() {
        // A cut at an event boundary is a shorter, valid chunk; anywhere else an error.
        let _ = decode_chunk(&body[..cut], None);
    }
    assert!(decode_chunk(&[], None).is_err());
    assert!(matches!(
        decode_chunk(&[7], None),
        Err(ChunkError::UnknownFormat(7))
    ));
    assert!(matches!(
        decode_chunk(&[FORMAT_COMPACT, 120, 2, 2, 2], None),
        Err(ChunkError::UnknownTag(120))
    ));
    // A reference to a name the chunk never wrote.
    assert!(matches!(
        decode_chunk(&[FORMAT_COMPACT, 5, 2, 2, 2, 9], None),
        Err(ChunkError::BadReference(9))
    ));
    let mut flipped = body.clone();
    for i in 1..flipped.len() {
        flipped[i] ^= 0x5a;
        let _ = decode_chunk(&flipped, None);
        flipped[i] ^= 0x5a;
    }
}

/// A loop's history (a new small document per state, its keys repeating) is written
/// compressed, well under its compact size, and reads back as written; a body that does not
/// shrink by an eighth stays compact.
#[test]
fn usual_histories_are_compressed_and_read_back() {
    let mut events = Vec::new();
    for i in 0..256i64 {
        let d = doc(json!({"i": i, "label": "loop", "nested": {"count": i, "done": false}}));
        let id = 2 * i + 1;
        events.push(at(
            id,
            id - 1,
            1_700_000_000_000,
            EventDetails::PassStateEntered(StateEnteredEventDetails::new("Incr", d.clone())),
        ));
        events.push(at(
            id + 1,
            id,
            1_700_000_000_000,
            EventDetails::PassStateExited(StateExitedEventDetails::new("Incr", d)),
        ));
    }
    let compact: usize = encode_compact(&events, None)
        .iter()
        .map(|c| c.body.len())
        .sum();
    let chunks = encode_chunks(&events, None);
    let written: usize = chunks.iter().map(|c| c.body.len()).sum();
    assert!(chunks.iter().all(|c| c.body[0] == FORMAT_COMPACT_LZ4));
    assert!(
        written * 2 < compact,
        "{written} bytes written for {compact} compact ones"
    );
    assert_eq!(round_trip(&events), events);

    let one = vec![at(
        1,
        0,
        1,
        EventDetails::PassStateEntered(StateEnteredEventDetails::new("P", doc(json!(7)))),
    )];
    assert_eq!(
        encode_chunks(&one, None)[0].body[0],
        FORMAT_COMPACT,
        "too short to gain"
    );
}

#[test]
fn damaged_compressed_bodies_are_errors_not_panics() {
    let events: Vec<HistoryEvent> = (1..=300)
        .map(|id| {
            at(
                id,
                id - 1,
                id,
                EventDetails::PassStateEntered(StateEnteredEventDetails::new(
                    "P",
                    doc(json!({ "n": id, "label": "same every time" })),
                )),
            )
        })
        .collect();
    let body = encode_chunks(&events, None).remove(0).body;
    assert_eq!(body[0], FORMAT_COMPACT_LZ4);
    for cut in 0..body.len() {
        assert!(decode_chunk(&body[..cut], None).is_err(), "cut at {cut}");
    }
    let mut flipped = body.clone();
    for i in 1..flipped.len() {
        flipped[i] ^= 0x5a;
        let _ = decode_chunk(&flipped, None);
        flipped[i] ^= 0x5a;
    }
    // A length no chunk has: refused before anything is allocated for it.
    let mut huge = body.clone();
    huge[1..5].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(matches!(decode_chunk(&huge, None), Err(ChunkError::Range)));
    assert!(decode_chunk(&[FORMAT_COMPACT_LZ4, 1, 0], None).is_err());
}

#[test]
fn the_recorded_input_is_referred_to_not_written() {
    let input = Arc::new(json!({"items": (0..500).collect::<Vec<_>>(), "k": "é\"\n"}));
    let text = input.to_string();
    let started = |p: Payload| {
        at(
            1,
            0,
            1_700_000_000_000,
            EventDetails::ExecutionStarted(ExecutionStartedEventDetails::new(p, "arn:role")),
        )
    };
    let entered = |p: Payload| {
        at(
            2,
            0,
            1_700_000_000_000,
            EventDetails::MapStateEntered(StateEnteredEventDetails::new("M", p)),
        )
    };
    let events = vec![
        started(Payload::from_arc(input.clone())),
        entered(Payload::from_arc(input.clone())),
    ];
    let chunks = encode_compact(&events, Some(&input));
    let body = &chunks[0].body;
    assert_eq!(body[1] & !USUAL, T_EXECUTION_STARTED_RECORDED);
    assert!(
        body.len() < 64,
        "neither event holds the {}-byte document: {} bytes",
        text.len(),
        body.len()
    );
    // Read back with the record's text (any spacing): both events hold the document.
    let spaced = serde_json::to_string_pretty(&*input).expect("json");
    let read = decode_chunk(body, Some(&spaced)).expect("decodes");
    assert_eq!(read, events);
    for e in &read {
        let wire = serde_json::to_value(e).expect("event");
        let doc = wire
            .as_object()
            .and_then(|o| o.values().find_map(|v| v.get("input")))
            .and_then(|v| v.as_str())
            .map(str::to_owned);
        assert_eq!(
            doc.as_deref(),
            Some(text.as_str()),
            "compact, as written before"
        );
    }
    assert!(matches!(
        decode_chunk(body, None),
        Err(ChunkError::NoRecordedInput)
    ));
    assert!(decode_chunk(body, Some("{not json")).is_err());
    // Compressed, as stored, the same.
    let stored = encode_chunks(&events, Some(&input));
    assert_eq!(
        decode_chunk(&stored[0].body, Some(&text)).expect("decodes"),
        events
    );

    // Another value than the recorded one, even an equal one, is written as before.
    let equal = Arc::new((*input).clone());
    let other = vec![
        started(Payload::from_arc(equal.clone())),
        entered(Payload::from_arc(equal)),
    ];
    let chunks = encode_compact(&other, Some(&input));
    assert_eq!(chunks[0].body[1] & !USUAL, T_EXECUTION_STARTED);
    assert!(chunks[0].body.len() > text.len());
    assert_eq!(decode_chunk(&chunks[0].body, None).expect("decodes"), other);
    // And without a recorded input, the same input is written too.
    let chunks = encode_compact(&events, None);
    assert_eq!(chunks[0].body[1] & !USUAL, T_EXECUTION_STARTED);
    assert_eq!(
        decode_chunk(&chunks[0].body, None).expect("decodes"),
        events
    );
}
