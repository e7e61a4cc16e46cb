//! Creating, reading and listing executions; their history.

use super::fixtures::*;
use crate::*;

/// Many creations at once (a backend may write them in groups): of two creations of one ARN
/// exactly one wins, a taken ARN is `AlreadyExists`, and each execution gets its own events,
/// snapshot and inbox rows, whatever it was created with.
pub async fn concurrent_creates_keep_each_ones_outcome<S: Store>(store: S) {
    let store = std::sync::Arc::new(store);
    for i in 0..10 {
        let e = new_execution("m", &format!("taken{i}"), 1, 1, vec![]);
        ok(store.create_execution(e).await, "create");
    }
    let variant = |name: &str, i: i64, second: bool| {
        let events = if second { 5 } else { 1 + i % 4 };
        let mut e = new_execution("m", name, 100 + i, events, vec![inbox(10 + i, None)]);
        if second {
            e.execution.input = r#"{"second":true}"#.into();
            e.snapshot = format!("second snapshot of {name}").into_bytes();
            e.inbox.push(inbox(20 + i, Some(3)));
        }
        e
    };
    let mut racers = Vec::new();
    for i in 0..40 {
        let name = format!("e{i}");
        for second in [false, true] {
            let (store, e) = (store.clone(), variant(&name, i, second));
            racers.push(tokio::spawn(async move {
                (e.clone(), store.create_execution(e).await)
            }));
        }
    }
    for i in 0..10 {
        let (store, e) = (store.clone(), variant(&format!("taken{i}"), i, false));
        racers.push(tokio::spawn(async move {
            (e.clone(), store.create_execution(e).await)
        }));
    }
    let mut winners = std::collections::BTreeMap::new();
    for r in racers {
        let (e, outcome) = r.await.expect("creating task panicked");
        let arn = e.execution.arn.clone();
        match outcome {
            Ok(()) => {
                assert!(
                    winners.insert(arn.clone(), e).is_none(),
                    "{arn} was created twice"
                );
            }
            Err(StoreError::AlreadyExists(a)) => assert_eq!(a, arn),
            Err(other) => panic!("creating {arn}: {other:?}"),
        }
    }
    assert_eq!(
        winners.len(),
        40,
        "one creation of each new name wins, none of the taken ones"
    );
    let mut due = 0;
    for (arn, e) in &winners {
        assert_eq!(
            ok(store.get_execution(arn).await, "get").as_ref(),
            Some(&e.execution),
            "the record is the winner's"
        );
        assert_eq!(
            ok(store.history(arn, 0, false, 100).await, "history"),
            e.events,
            "the events are the winner's"
        );
        due += e.inbox.len();
    }
    let claims = ok(store.claim_runnable("w", 1_000, 60_000, 100).await, "claim");
    assert_eq!(claims.len(), 40, "every new execution has its inbox rows");
    let mut rows = 0;
    for c in &claims {
        let e = &winners[&c.execution.arn];
        assert_eq!(c.snapshot, e.snapshot, "the snapshot is the winner's");
        let mine: Vec<_> = c
            .inbox
            .iter()
            .map(|r| (r.due_ms, r.key, &r.payload))
            .collect();
        let wanted: Vec<_> = e
            .inbox
            .iter()
            .map(|r| (r.due_ms, r.key, &r.payload))
            .collect();
        assert_eq!(mine, wanted, "the inbox rows are the winner's, in order");
        rows += c.inbox.len();
    }
    assert_eq!(rows, due);
}

/// `create_execution` stores the record, snapshot, events and inbox rows together; a taken ARN
/// is `AlreadyExists` and changes nothing.
pub async fn create_execution_is_atomic<S: Store>(store: S) {
    let e = new_execution(
        "m",
        "one",
        100,
        3,
        vec![inbox(100, None), inbox(500, Some(7))],
    );
    let arn = e.execution.arn.clone();
    ok(store.create_execution(e.clone()).await, "create");
    assert_eq!(
        ok(store.get_execution(&arn).await, "get"),
        Some(e.execution.clone())
    );
    assert_eq!(
        ok(store.history(&arn, 0, false, 100).await, "history"),
        e.events,
        "the first events are stored with the execution"
    );

    let mut again = new_execution("m", "one", 200, 5, vec![inbox(50, None)]);
    again.execution.input = "{}".into();
    match store.create_execution(again).await {
        Err(StoreError::AlreadyExists(_)) => {}
        other => panic!("a taken execution ARN: expected AlreadyExists, got {other:?}"),
    }
    assert_eq!(
        ok(store.get_execution(&arn).await, "get"),
        Some(e.execution.clone()),
        "a failed create leaves the original"
    );
    assert_eq!(
        ok(store.history(&arn, 0, false, 100).await, "history").len(),
        3,
        "a failed create adds no events"
    );

    let claims = ok(store.claim_runnable("w", 1_000, 10_000, 10).await, "claim");
    assert_eq!(claims.len(), 1);
    let c = &claims[0];
    assert_eq!(c.execution, e.execution);
    assert_eq!(
        c.snapshot, e.snapshot,
        "the snapshot is stored with the execution"
    );
    let rows: Vec<(i64, Option<u64>, Vec<u8>)> = c
        .inbox
        .iter()
        .map(|r| (r.due_ms, r.key, r.payload.clone()))
        .collect();
    assert_eq!(
        rows,
        vec![
            (100, None, inbox(100, None).payload),
            (500, Some(7), inbox(500, Some(7)).payload)
        ],
        "the first inbox rows are stored with the execution, not those of the failed create"
    );
    assert!(c.inbox[0].id < c.inbox[1].id, "inbox ids increase");
    assert_eq!(ok(store.get_execution("arn:nope").await, "get"), None);
}

/// `list_executions` without filters: newest first (by start time, then creation), paged with
/// `after`.
pub async fn list_executions_newest_first<S: Store>(store: S) {
    // Created out of start-time order; "b" and "c" start in the same millisecond.
    for (name, start) in [("a", 10), ("d", 40), ("b", 20), ("c", 20), ("e", 30)] {
        ok(
            store
                .create_execution(new_execution("m", name, start, 1, vec![]))
                .await,
            "create",
        );
    }
    let expected: Vec<String> = ["d", "e", "c", "b", "a"]
        .iter()
        .map(|n| execution_arn("m", n))
        .collect();
    let all = ok(
        store
            .list_executions(&ExecutionQuery {
                limit: 100,
                ..Default::default()
            })
            .await,
        "list",
    );
    assert_eq!(
        arns(&all, |e| &e.arn),
        expected,
        "newest start first; same start: newest created first"
    );

    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = ok(
            store
                .list_executions(&ExecutionQuery {
                    after: after.clone(),
                    limit: 2,
                    ..Default::default()
                })
                .await,
            "page",
        );
        assert!(page.len() <= 2);
        let Some(last) = page.last() else { break };
        after = Some(last.arn.clone());
        paged.extend(arns(&page, |e| &e.arn));
    }
    assert_eq!(paged, expected, "pages join up without gaps or repeats");
    let unknown = ExecutionQuery {
        after: Some(execution_arn("m", "zzz")),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        ok(store.list_executions(&unknown).await, "list"),
        vec![],
        "a cursor naming no execution gives an empty page"
    );
}

/// `list_executions` filters by state machine, by version or alias ARN, and by status, and
/// pages through the filtered list.
pub async fn list_executions_filters<S: Store>(store: S) {
    let v1 = version("m", 1).arn;
    let live = alias("m", "live", 1).arn;
    let mut start = 0;
    let mut create = |machine: &str, name: &str, version: Option<&str>, alias: Option<&str>| {
        start += 10;
        let mut e = new_execution(machine, name, start, 1, vec![inbox(0, None)]);
        e.execution.version_arn = version.map(str::to_owned);
        e.execution.alias_arn = alias.map(str::to_owned);
        e
    };
    let all = vec![
        create("m", "plain", None, None),
        create("m", "via-version", Some(&v1), None),
        create("other", "elsewhere", None, None),
        create("m", "via-alias", Some(&v1), Some(&live)),
        create("m", "done", None, None),
    ];
    for e in all {
        ok(store.create_execution(e).await, "create");
    }
    // Finish "done" through a step, as the engine does.
    let done = execution_arn("m", "done");
    ok(
        store
            .commit_step(
                "w",
                StepCommit {
                    execution_arn: done.clone(),
                    expected_version: 0,
                    update: Some(ExecutionUpdate {
                        status: "SUCCEEDED".into(),
                        stop_ms: Some(99),
                        output: Some("{}".into()),
                        error: None,
                        cause: None,
                    }),
                    ..Default::default()
                },
            )
            .await,
        "commit",
    );

    let list = |q: ExecutionQuery| {
        let store = &store;
        async move {
            let found = ok(store.list_executions(&q).await, "list");
            found.into_iter().map(|e| e.name).collect::<Vec<_>>()
        }
    };
    let by_machine = ExecutionQuery {
        state_machine_arn: Some(machine_arn("m")),
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        list(by_machine.clone()).await,
        ["done", "via-alias", "via-version", "plain"]
    );
    assert_eq!(
        list(ExecutionQuery {
            version_or_alias_arn: Some(v1.clone()),
            limit: 10,
            ..Default::default()
        })
        .await,
        ["via-alias", "via-version"],
        "a version ARN matches executions started through it, directly or by an alias"
    );
    assert_eq!(
        list(ExecutionQuery {
            version_or_alias_arn: Some(live),
            limit: 10,
            ..Default::default()
        })
        .await,
        ["via-alias"]
    );
    assert_eq!(
        list(ExecutionQuery {
            status: Some("RUNNING".into()),
            ..by_machine.clone()
        })
        .await,
        ["via-alias", "via-version", "plain"]
    );
    assert_eq!(
        list(ExecutionQuery {
            status: Some("SUCCEEDED".into()),
            limit: 10,
            ..Default::default()
        })
        .await,
        ["done"],
        "the status filter sees the status a step set"
    );
    assert_eq!(
        list(ExecutionQuery {
            after: Some(execution_arn("m", "via-alias")),
            limit: 1,
            ..by_machine.clone()
        })
        .await,
        ["via-version"],
        "a filtered list pages from its cursor"
    );
    assert_eq!(
        list(ExecutionQuery {
            after: Some(execution_arn("other", "elsewhere")),
            ..by_machine
        })
        .await,
        ["via-version", "plain"],
        "the cursor may name an execution the filter leaves out"
    );
    let done_record = ok(store.get_execution(&done).await, "get");
    assert_eq!(
        done_record.map(|e| (e.status, e.stop_ms, e.output, e.version)),
        Some(("SUCCEEDED".into(), Some(99), Some("{}".into()), 1))
    );
}

/// A listed record is its execution's summary: every field as `get_execution` has it, except
/// the documents (input, output, definition), which a backend may leave empty.
pub async fn listed_summaries_match_their_records<S: Store>(store: S) {
    let mut done = new_execution("m", "done", 1, 1, vec![]);
    done.execution.input = format!("{{\"pad\":\"{}\"}}", "ab".repeat(5_000));
    done.execution.status = "FAILED".into();
    done.execution.stop_ms = Some(7);
    done.execution.output = Some("{\"out\":1}".into());
    done.execution.error = Some("E".into());
    done.execution.cause = Some("a cause".into());
    done.execution.version_arn = Some(format!("{}:1", machine_arn("m")));
    let running = new_execution("m", "running", 2, 1, vec![]);
    for e in [done, running] {
        ok(store.create_execution(e).await, "create");
    }
    let listed = ok(
        store
            .list_executions(&ExecutionQuery {
                state_machine_arn: Some(machine_arn("m")),
                limit: 10,
                ..Default::default()
            })
            .await,
        "list",
    );
    assert_eq!(listed.len(), 2);
    for summary in listed {
        let whole = ok(store.get_execution(&summary.arn).await, "get")
            .unwrap_or_else(|| panic!("{} is listed but not found", summary.arn));
        let blank = |mut e: Execution| {
            e.input.clear();
            e.output = None;
            e.definition.clear();
            e
        };
        assert_eq!(blank(summary), blank(whole));
    }
}

/// `get_execution_metadata` gives the record, documents aside (a backend may leave them
/// empty), and shows whether there is an output; an unknown ARN is `None`.
pub async fn metadata_matches_the_record<S: Store>(store: S) {
    let mut done = new_execution("m", "done", 1, 1, vec![]);
    done.execution.input = format!("{{\"pad\":\"{}\"}}", "ab".repeat(5_000));
    done.execution.status = "SUCCEEDED".into();
    done.execution.stop_ms = Some(7);
    done.execution.output = Some(format!("{{\"out\":\"{}\"}}", "cd".repeat(5_000)));
    done.execution.alias_arn = Some(format!("{}:live", machine_arn("m")));
    done.execution.trace_header = Some("Root=1-abc".into());
    let running = new_execution("m", "running", 2, 1, vec![]);
    let arns = [done.execution.arn.clone(), running.execution.arn.clone()];
    for e in [done, running] {
        ok(store.create_execution(e).await, "create");
    }
    for arn in arns {
        let whole = ok(store.get_execution(&arn).await, "get").expect("created");
        let meta = ok(store.get_execution_metadata(&arn).await, "metadata").expect("created");
        assert_eq!(meta.output.is_some(), whole.output.is_some(), "{arn}");
        let blank = |mut e: Execution| {
            e.input.clear();
            e.output = e.output.map(|_| String::new());
            e.definition.clear();
            e
        };
        assert_eq!(blank(meta), blank(whole));
    }
    let unknown = format!("{}x", execution_arn("m", "done"));
    assert_eq!(
        ok(store.get_execution_metadata(&unknown).await, "unknown"),
        None
    );
}

/// An input handed over packed by the store's own [`Store::document_packer`]
/// ([`NewExecution::packed_input`]) reads back as the text it was packed from, in the record
/// and in the history's `ExecutionStarted` that refers to it; the packer leaves short
/// documents alone. A store without a packer is not handed packed inputs.
pub async fn packed_inputs_read_back_as_their_text<S: Store>(store: S) {
    let Some(pack) = store.document_packer() else {
        return;
    };
    assert_eq!(pack("{}"), None, "a short document stays as it is");
    let items: Vec<String> = (0..3_000)
        .map(|i| format!(r#"{{"id":{i},"v":"item {i}"}}"#))
        .collect();
    let text = format!(r#"{{"items":[{}]}}"#, items.join(","));
    let packed = pack(&text).expect("a large JSON document is packed");
    assert!(packed.len() < text.len() / 2, "and packed smaller");

    let input: std::sync::Arc<estado_json::Value> =
        std::sync::Arc::new(estado_json::from_str(&text).expect("the input is JSON"));
    let mut e = new_execution("m", "packed", 1, 0, vec![]);
    e.execution.input = text.clone();
    e.packed_input = Some(packed);
    let started = started_by(&input, 1);
    e.chunks = crate::chunks::encode_chunks(&started, Some(&input));
    let arn = e.execution.arn.clone();
    ok(store.create_execution(e).await, "create");

    let record = ok(store.get_execution(&arn).await, "get").expect("created");
    assert_eq!(record.input, text);
    let history = ok(store.history(&arn, 0, false, 10).await, "history");
    assert_eq!(history, started);
}

/// `history` reads ascending after `from`, or descending before `from`, at most `limit` events,
/// exactly as they were written; an unknown execution is `NotFound`.
pub async fn history_pages_both_ways<S: Store>(store: S) {
    let mut e = new_execution("m", "h", 1, 4, vec![]);
    // The first two events handed over already in chunks (`NewExecution::chunks`).
    e.chunks = crate::chunks::encode_chunks(&e.events[..2], None);
    e.events.drain(..2);
    let arn = e.execution.arn.clone();
    ok(store.create_execution(e).await, "create");
    ok(
        store
            .commit_step(
                "w",
                StepCommit {
                    execution_arn: arn.clone(),
                    expected_version: 0,
                    events: events(5, 7),
                    ..Default::default()
                },
            )
            .await,
        "commit",
    );
    let ids =
        |v: Vec<estado_types::history::HistoryEvent>| v.iter().map(|e| e.id).collect::<Vec<_>>();
    let page = |from, reverse, limit| {
        let store = &store;
        let arn = arn.clone();
        async move { ok(store.history(&arn, from, reverse, limit).await, "history") }
    };
    assert_eq!(
        page(0, false, 100).await,
        events(1, 7),
        "events read back exactly"
    );
    assert_eq!(ids(page(0, false, 3).await), [1, 2, 3]);
    assert_eq!(ids(page(3, false, 3).await), [4, 5, 6]);
    assert_eq!(ids(page(6, false, 3).await), [7]);
    assert_eq!(ids(page(7, false, 3).await), Vec::<i64>::new());
    assert_eq!(ids(page(i64::MAX, true, 3).await), [7, 6, 5]);
    assert_eq!(ids(page(5, true, 3).await), [4, 3, 2]);
    assert_eq!(ids(page(2, true, 3).await), [1]);
    assert_eq!(ids(page(1, true, 3).await), Vec::<i64>::new());
    assert_eq!(page(i64::MAX, true, 100).await, {
        let mut all = events(1, 7);
        all.reverse();
        all
    });
    assert_eq!(ids(page(0, false, 0).await), Vec::<i64>::new());
    match store.history("arn:nope", 0, false, 10).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("history of an unknown execution: expected NotFound, got {other:?}"),
    }
}

/// A history whose `ExecutionStarted` refers to the input the record keeps (as the engine
/// writes an execution's first step) reads back with that input, parsed and written compactly
/// as any event's document, on every page that holds event 1; a later event that shared the
/// input's value reads back with the same document.
pub async fn history_refers_to_the_recorded_input<S: Store>(store: S) {
    let mut e = new_execution("m", "recorded", 1, 0, vec![]);
    // Not compact, as a client may send it: the record keeps the text as it came. Over a
    // kilobyte, which a backend may store compressed.
    let pad = "ab".repeat(600);
    e.execution.input = format!(
        "{{ \"items\": [1, 2.5, \"é\\n\"], \"k\" : {{\"deep\": null}}, \"pad\": \"{pad}\" }}"
    );
    let input = std::sync::Arc::new(
        serde_json::from_str::<estado_json::Value>(&e.execution.input).expect("input parses"),
    );
    let mut written = started_by(&input, 1);
    written.extend(events(3, 300));
    e.chunks = crate::chunks::encode_chunks(&written, Some(&input));
    let arn = e.execution.arn.clone();
    ok(store.create_execution(e).await, "create");
    let compact = format!(r#"{{"items":[1,2.5,"é\n"],"k":{{"deep":null}},"pad":"{pad}"}}"#);
    let compact = compact.as_str();
    let docs = |page: &[estado_types::history::HistoryEvent]| {
        page.iter()
            .map(|e| serde_json::to_value(e).expect("event serialises"))
            .map(|v| {
                let d = &v["executionStartedEventDetails"]["input"];
                let d = if d.is_null() {
                    &v["stateEnteredEventDetails"]["input"]
                } else {
                    d
                };
                d.as_str().unwrap_or_default().to_owned()
            })
            .collect::<Vec<_>>()
    };
    let all = ok(store.history(&arn, 0, false, 1000).await, "history");
    assert_eq!(all, {
        let mut want = started_by(&input, 1);
        want.extend(events(3, 300));
        want
    });
    assert_eq!(
        docs(&all[..2]),
        [compact, compact],
        "the input, compact, twice"
    );
    let first = ok(store.history(&arn, 0, false, 1).await, "history");
    assert_eq!(docs(&first), [compact], "a page of event 1 alone");
    let back = ok(store.history(&arn, 3, true, 10).await, "history");
    assert_eq!(docs(&back), [compact, compact], "descending to event 1");
    let later = ok(store.history(&arn, 290, false, 5).await, "history");
    assert_eq!(
        later.iter().map(|e| e.id).collect::<Vec<_>>(),
        [291, 292, 293, 294, 295]
    );
}

/// `ExecutionStarted` with `input` (id `id`), then a first state entered with the very same
/// shared value (id `id + 1`).
fn started_by(
    input: &std::sync::Arc<estado_json::Value>,
    id: i64,
) -> Vec<estado_types::history::HistoryEvent> {
    use estado_types::history::*;
    let at = Timestamp::from_millis(1_700_000_000_000);
    vec![
        HistoryEvent::new(
            id,
            id - 1,
            at,
            EventDetails::ExecutionStarted(ExecutionStartedEventDetails::new(
                Payload::from_arc(input.clone()),
                "arn:aws:iam::123456789012:role/r",
            )),
        ),
        HistoryEvent::new(
            id + 1,
            0,
            at,
            EventDetails::PassStateEntered(StateEnteredEventDetails::new(
                "First",
                Payload::from_arc(input.clone()),
            )),
        ),
    ]
}

/// Long histories written by several steps of very different sizes page exactly like short
/// ones, from every starting point, both ways (backends may store events in groups; the pages
/// must not show it).
pub async fn history_pages_across_long_steps<S: Store>(store: S) {
    let e = new_execution("m", "long", 1, 3, vec![]);
    let arn = e.execution.arn.clone();
    ok(store.create_execution(e).await, "create");
    let mut last = 3;
    for (version, size) in [700, 1, 300, 2, 600].into_iter().enumerate() {
        // Some steps hand over part of their events already in chunks, as the engine does
        // with long steps (see `StepCommit::chunks`); the rest follows as events.
        let (ahead, rest) = match version % 2 {
            0 => (size / 2, size - size / 2),
            _ => (0, size),
        };
        let step = StepCommit {
            execution_arn: arn.clone(),
            expected_version: version as u64,
            chunks: crate::chunks::encode_chunks(&events(last + 1, last + ahead), None),
            events: events(last + ahead + 1, last + ahead + rest),
            ..Default::default()
        };
        ok(store.commit_step("w", step).await, "commit");
        last += size;
    }
    let all = events(1, last);
    for limit in [7, 100, 256, 1000] {
        let mut from = 0;
        let mut read = Vec::new();
        loop {
            let page = ok(store.history(&arn, from, false, limit).await, "history");
            assert!(page.len() <= limit, "at most {limit} events");
            let Some(tail) = page.last() else { break };
            from = tail.id;
            read.extend(page);
        }
        assert_eq!(read, all, "ascending pages of {limit}");
        let mut from = i64::MAX;
        let mut read = Vec::new();
        loop {
            let page = ok(store.history(&arn, from, true, limit).await, "history");
            let Some(tail) = page.last() else { break };
            from = tail.id;
            read.extend(page);
        }
        read.reverse();
        assert_eq!(read, all, "descending pages of {limit}");
    }
    for from in [0, 1, 255, 256, 257, 703, 704, 1000, 1005, last - 1, last] {
        let want: Vec<i64> = (from + 1..=last).take(10).collect();
        let got: Vec<i64> = ok(store.history(&arn, from, false, 10).await, "history")
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(got, want, "10 after {from}");
        let want: Vec<i64> = (1..from).rev().take(10).collect();
        let got: Vec<i64> = ok(store.history(&arn, from, true, 10).await, "history")
            .iter()
            .map(|e| e.id)
            .collect();
        assert_eq!(got, want, "10 before {from}");
    }
}
