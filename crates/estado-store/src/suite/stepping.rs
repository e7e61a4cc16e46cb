//! Claiming executions, committing steps, delivering to inboxes, and wake-up times.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::fixtures::*;
use crate::*;

type DueKey = (i64, Option<u64>);

/// A commit for `arn` at `expected_version` that changes nothing else.
fn step(arn: &str, expected_version: u64) -> StepCommit {
    StepCommit {
        execution_arn: arn.into(),
        expected_version,
        snapshot: format!("snapshot at {}", expected_version + 1).into_bytes(),
        ..Default::default()
    }
}

/// The (due, key) of each row of a claim, in the order given.
fn due_keys(c: &Claim) -> Vec<DueKey> {
    c.inbox.iter().map(|r| (r.due_ms, r.key)).collect()
}

async fn claim_one<S: Store>(store: &S, owner: &str, now: i64, lease: i64) -> Option<Claim> {
    let mut claims = ok(store.claim_runnable(owner, now, lease, 1).await, "claim");
    claims.pop()
}

/// Only executions with a row due at `now_ms` are claimed, and a claim carries only the due
/// rows, ordered by id.
pub async fn claim_takes_only_due_rows<S: Store>(store: S) {
    let rows = vec![inbox(100, None), inbox(200, Some(1)), inbox(900, Some(2))];
    let e1 = new_execution("m", "e1", 1, 1, rows);
    let e2 = new_execution("m", "e2", 2, 1, vec![inbox(1_000, None)]);
    // Ids follow insertion, not due time.
    let e3 = new_execution(
        "m",
        "e3",
        3,
        1,
        vec![inbox(50, Some(5)), inbox(10, Some(6))],
    );
    for e in [e1.clone(), e2, e3.clone()] {
        ok(store.create_execution(e).await, "create");
    }
    assert_eq!(
        ok(store.claim_runnable("w", 5, 1_000, 10).await, "claim").len(),
        0,
        "nothing is due yet"
    );
    let mut claims = ok(store.claim_runnable("w", 200, 1_000, 10).await, "claim");
    claims.sort_by(|a, b| a.execution.arn.cmp(&b.execution.arn));
    let summary: Vec<(String, Vec<DueKey>)> = claims
        .iter()
        .map(|c| (c.execution.name.clone(), due_keys(c)))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("e1".into(), vec![(100, None), (200, Some(1))]),
            ("e3".into(), vec![(50, Some(5)), (10, Some(6))]),
        ],
        "a row due exactly now is due; rows come in id order; e2 is not due"
    );
    for c in &claims {
        assert!(c.inbox.windows(2).all(|w| w[0].id < w[1].id));
        assert_eq!(c.execution.version, 0);
    }
    assert_eq!(claims[0].snapshot, e1.snapshot);
    assert_eq!(claims[0].inbox[0].payload, inbox(100, None).payload);
}

/// A live lease keeps every owner (the holder too) from claiming the execution again; once it
/// expires another owner may claim it, and then the first owner's commit is a `Conflict`.
pub async fn claim_leases_exclude_other_owners<S: Store>(store: S) {
    let e = new_execution("m", "leased", 1, 1, vec![inbox(0, None)]);
    let arn = e.execution.arn.clone();
    ok(store.create_execution(e).await, "create");
    let a = claim_one(&store, "a", 0, 1_000).await;
    assert_eq!(a.map(|c| c.execution.arn), Some(arn.clone()));
    assert!(
        claim_one(&store, "b", 500, 1_000).await.is_none(),
        "another owner cannot claim a live lease"
    );
    assert!(
        claim_one(&store, "a", 999, 1_000).await.is_none(),
        "the holder does not claim it twice either"
    );
    let b = claim_one(&store, "b", 1_000, 1_000).await;
    assert_eq!(
        b.map(|c| c.inbox.len()),
        Some(1),
        "at the expiry time the lease is gone and the rows are claimable again"
    );
    assert_conflict(
        store.commit_step("a", step(&arn, 0)).await,
        "commit by the owner whose lease was taken over",
    );
    ok(
        store.commit_step("b", step(&arn, 0)).await,
        "commit by the new holder",
    );
}

/// `claim_runnable` takes at most `limit` executions, those with the oldest due row first.
pub async fn claim_hands_out_oldest_due_first<S: Store>(store: S) {
    for (name, due) in [("x", 300), ("y", 100), ("z", 200), ("w", 250)] {
        let e = new_execution(
            "m",
            name,
            1,
            1,
            vec![inbox(due + 1_000, None), inbox(due, None)],
        );
        ok(store.create_execution(e).await, "create");
    }
    let mut order = Vec::new();
    for owner in ["o1", "o2"] {
        let claims = ok(
            store.claim_runnable(owner, 10_000, 60_000, 2).await,
            "claim",
        );
        assert_eq!(
            claims.len(),
            2,
            "at most `limit`, and as many as can be had"
        );
        let mut names: Vec<(i64, String)> = claims
            .iter()
            .map(|c| {
                (
                    c.inbox.iter().map(|r| r.due_ms).min().unwrap_or(0),
                    c.execution.name.clone(),
                )
            })
            .collect();
        names.sort();
        order.extend(names.into_iter().map(|n| n.1));
    }
    assert_eq!(order, ["y", "z", "w", "x"], "oldest due row first");
    assert!(ok(store.claim_runnable("o3", 10_000, 60_000, 2).await, "claim").is_empty());
}

/// Owners racing for the same runnable executions each get a disjoint share.
pub async fn concurrent_claims_share_nothing<S: Store>(store: S) {
    let store = Arc::new(store);
    for i in 0..24 {
        let e = new_execution("m", &format!("e{i}"), i, 1, vec![inbox(i, None)]);
        ok(store.create_execution(e).await, "create");
    }
    let mut workers = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let owner = format!("owner-{w}");
            let mut got = Vec::new();
            loop {
                let claims = ok(store.claim_runnable(&owner, 100, 60_000, 3).await, "claim");
                if claims.is_empty() {
                    return got;
                }
                got.extend(claims.into_iter().map(|c| c.execution.arn));
            }
        }));
    }
    let mut all = Vec::new();
    for w in workers {
        all.extend(w.await.expect("claiming task panicked"));
    }
    let distinct: BTreeSet<&String> = all.iter().collect();
    assert_eq!(all.len(), 24, "every execution claimed once: {all:?}");
    assert_eq!(distinct.len(), 24, "no execution claimed twice");
}

/// One commit applies everything it carries, releases the lease and bumps the version.
pub async fn commit_step_applies_everything<S: Store>(store: S) {
    let rows = vec![
        inbox(0, None),
        inbox(5_000, Some(10)),
        inbox(6_000, Some(11)),
    ];
    let e = new_execution("m", "e", 1, 2, rows);
    let arn = e.execution.arn.clone();
    ok(store.create_execution(e).await, "create");
    // Another execution's task with the same effect id must survive cancellation below.
    let other = new_execution("m", "other", 2, 1, vec![]);
    let other_arn = other.execution.arn.clone();
    ok(store.create_execution(other).await, "create");
    let other_task = task(&other_arn, 1, Some("act"), 1);
    let mut c = step(&other_arn, 0);
    c.new_tasks = vec![other_task.clone()];
    ok(store.commit_step("w", c).await, "commit other");

    let claim = claim_one(&store, "w", 0, 60_000)
        .await
        .expect("the start row is due");
    assert_eq!(due_keys(&claim), [(0, None)]);
    let t1 = task(&arn, 1, Some("act"), 100);
    let t2 = task(&arn, 2, None, 100);
    let commit = StepCommit {
        execution_arn: arn.clone(),
        expected_version: 0,
        snapshot: b"after step 1".to_vec(),
        // Two of the step's events encoded ahead, as the engine does with long steps.
        chunks: crate::chunks::encode_chunks(&events(3, 4), None),
        events: events(5, 5),
        consumed: vec![claim.inbox[0].id],
        new_inbox: vec![
            inbox(7_000, Some(12)),
            inbox(0, Some(13)),
            // The key of a pending row: ignored.
            inbox(1, Some(11)),
            // Re-arming a timer this step cancels: kept.
            inbox(8_000, Some(10)),
        ],
        cancel_keys: vec![10],
        new_tasks: vec![t1.clone(), t2.clone()],
        cancel_tasks: vec![],
        new_dispatches: vec![],
        update: None,
    };
    ok(store.commit_step("w", commit).await, "commit");

    let record = ok(store.get_execution(&arn).await, "get").expect("still there");
    assert_eq!((record.version, record.status.as_str()), (1, "RUNNING"));
    assert_eq!(
        ok(store.history(&arn, 0, false, 100).await, "history"),
        events(1, 5)
    );
    assert_eq!(
        ok(store.task_by_token(&t1.token).await, "task"),
        Some(t1.clone())
    );
    assert_eq!(
        ok(store.task_by_token(&t2.token).await, "task"),
        Some(t2.clone())
    );
    let claim = claim_one(&store, "w2", 10_000, 60_000)
        .await
        .expect("the lease was released and rows are due");
    assert_eq!(claim.snapshot, b"after step 1");
    assert_eq!(claim.execution.version, 1);
    assert_eq!(
        due_keys(&claim),
        [
            (6_000, Some(11)),
            (7_000, Some(12)),
            (0, Some(13)),
            (8_000, Some(10))
        ],
        "consumed and cancelled rows are gone, new rows follow in order"
    );

    let finish = StepCommit {
        execution_arn: arn.clone(),
        expected_version: 1,
        snapshot: b"final".to_vec(),
        events: events(6, 6),
        consumed: claim.inbox.iter().map(|r| r.id).collect(),
        cancel_tasks: vec![1, 99],
        update: Some(ExecutionUpdate {
            status: "FAILED".into(),
            stop_ms: Some(10_001),
            output: None,
            error: Some("States.TaskFailed".into()),
            cause: Some("boom".into()),
        }),
        ..Default::default()
    };
    ok(store.commit_step("w2", finish).await, "final commit");
    let record = ok(store.get_execution(&arn).await, "get").expect("still there");
    let mut expected = execution("m", "e", 1);
    expected.status = "FAILED".into();
    expected.stop_ms = Some(10_001);
    expected.error = Some("States.TaskFailed".into());
    expected.cause = Some("boom".into());
    expected.version = 2;
    assert_eq!(
        record, expected,
        "the summary update is applied, nothing else changes"
    );
    assert_eq!(
        ok(store.task_by_token(&t1.token).await, "task"),
        None,
        "cancelled"
    );
    assert_eq!(
        ok(store.task_by_token(&t2.token).await, "task"),
        Some(t2),
        "tasks not named stay"
    );
    assert_eq!(
        ok(store.task_by_token(&other_task.token).await, "task"),
        Some(other_task),
        "cancel_tasks names effect ids of this execution only"
    );
    assert!(
        claim_one(&store, "w3", 100_000, 1).await.is_none(),
        "nothing left to run"
    );
    assert_eq!(
        ok(store.history(&arn, 5, false, 100).await, "history"),
        events(6, 6)
    );
}

/// A stale version or a lease held by another owner is a `Conflict` that saves nothing;
/// an unknown execution is `NotFound`.
pub async fn commit_step_conflicts_apply_nothing<S: Store>(store: S) {
    let e = new_execution("m", "e", 1, 2, vec![inbox(0, None), inbox(9_000, Some(4))]);
    let arn = e.execution.arn.clone();
    ok(store.create_execution(e.clone()).await, "create");
    let claim = claim_one(&store, "a", 0, 1_000).await.expect("due");
    let everything = |expected_version| StepCommit {
        execution_arn: arn.clone(),
        expected_version,
        snapshot: b"changed".to_vec(),
        chunks: Vec::new(),
        events: events(3, 4),
        consumed: vec![claim.inbox[0].id],
        new_inbox: vec![inbox(0, Some(8))],
        cancel_keys: vec![4],
        new_tasks: vec![task(&arn, 1, None, 0)],
        cancel_tasks: vec![],
        new_dispatches: vec![dispatch(&arn, 1, 0, None)],
        update: Some(ExecutionUpdate {
            status: "SUCCEEDED".into(),
            stop_ms: Some(1),
            output: Some("1".into()),
            error: None,
            cause: None,
        }),
    };
    assert_conflict(store.commit_step("a", everything(7)).await, "stale version");
    assert_conflict(
        store.commit_step("b", everything(0)).await,
        "another owner's lease",
    );
    match store.commit_step("a", step("arn:nope", 0)).await {
        Err(StoreError::NotFound(_)) => {}
        other => panic!("a commit for an unknown execution: expected NotFound, got {other:?}"),
    }

    assert_eq!(
        ok(store.get_execution(&arn).await, "get"),
        Some(e.execution.clone()),
        "no summary change, no version bump"
    );
    assert_eq!(
        ok(store.history(&arn, 0, false, 100).await, "history"),
        events(1, 2)
    );
    assert_eq!(
        ok(
            store.task_by_token(&task(&arn, 1, None, 0).token).await,
            "task"
        ),
        None
    );
    assert!(
        ok(
            store.claim_dispatches("d", 0, 1_000, 10).await,
            "claim dispatches"
        )
        .is_empty(),
        "no dispatch added"
    );
    let again = claim_one(&store, "b", 20_000, 1_000)
        .await
        .expect("lease expired");
    assert_eq!(again.snapshot, e.snapshot);
    assert_eq!(
        due_keys(&again),
        [(0, None), (9_000, Some(4))],
        "no row consumed, cancelled or added"
    );
    ok(
        store.commit_step("b", everything(0)).await,
        "the holder commits",
    );
    assert_conflict(
        store.commit_step("b", everything(0)).await,
        "replaying a commit",
    );
    assert_eq!(
        ok(store.history(&arn, 0, false, 100).await, "history").len(),
        4,
        "the replayed commit added nothing"
    );
}

/// Commits racing for the same executions: exactly one per execution and version wins, and
/// the losers' conflicts do not undo anyone else's commit.
pub async fn concurrent_commits_do_not_poison_each_other<S: Store>(store: S) {
    let store = Arc::new(store);
    let n = 12;
    for i in 0..n {
        let e = new_execution("m", &format!("e{i}"), i, 1, vec![]);
        ok(store.create_execution(e).await, "create");
    }
    let mut racers = Vec::new();
    for i in 0..n {
        for attempt in 0..3u64 {
            let store = store.clone();
            racers.push(tokio::spawn(async move {
                let arn = execution_arn("m", &format!("e{i}"));
                let mut c = step(&arn, 0);
                // Each attempt writes a different number of events, to tell them apart later.
                c.events = events(2, 2 + attempt as i64);
                c.new_tasks = vec![task(&arn, attempt, None, 0)];
                (arn, attempt, store.commit_step("w", c).await)
            }));
        }
        let store = store.clone();
        racers.push(tokio::spawn(async move {
            let arn = execution_arn("m", &format!("missing{i}"));
            (arn.clone(), 0, store.commit_step("w", step(&arn, 0)).await)
        }));
    }
    let mut winners = std::collections::BTreeMap::new();
    for r in racers {
        let (arn, attempt, result) = r.await.expect("committing task panicked");
        match result {
            Ok(()) => {
                assert!(
                    winners.insert(arn, attempt).is_none(),
                    "two commits won at version 0"
                );
            }
            Err(StoreError::Conflict(_)) => {}
            Err(StoreError::NotFound(_)) if arn.contains("missing") => {}
            Err(e) => panic!("commit for {arn}: unexpected error {e}"),
        }
    }
    assert_eq!(
        winners.len() as i64,
        n,
        "every execution has one winning commit"
    );
    for (arn, attempt) in winners {
        let history = ok(store.history(&arn, 0, false, 100).await, "history");
        assert_eq!(
            history,
            events(1, 2 + attempt as i64),
            "only the winner's events"
        );
        let version = ok(store.get_execution(&arn).await, "get").map(|e| e.version);
        assert_eq!(version, Some(1));
        for loser in (0..3).filter(|a| *a != attempt) {
            let token = task(&arn, loser, None, 0).token;
            assert_eq!(ok(store.task_by_token(&token).await, "task"), None);
        }
    }
}

/// `deliver` adds a row to an open execution, once per key among its pending rows, and
/// refuses unknown and closed executions.
pub async fn deliver_is_idempotent_per_key<S: Store>(store: S) {
    for name in ["a", "b", "closed"] {
        ok(
            store
                .create_execution(new_execution("m", name, 1, 1, vec![]))
                .await,
            "create",
        );
    }
    let a = execution_arn("m", "a");
    let b = execution_arn("m", "b");
    let closed = execution_arn("m", "closed");
    let mut finish = step(&closed, 0);
    finish.update = Some(ExecutionUpdate {
        status: "ABORTED".into(),
        stop_ms: Some(2),
        output: None,
        error: None,
        cause: None,
    });
    ok(store.commit_step("w", finish).await, "close");

    let result = |key, text: &str| NewInbox {
        due_ms: 10,
        key,
        payload: text.as_bytes().to_vec(),
    };
    assert!(ok(
        store.deliver(result(Some(1), "first"), &a).await,
        "deliver"
    ));
    assert!(
        ok(
            store.deliver(result(Some(1), "second"), &a).await,
            "deliver"
        ),
        "a repeated key is accepted (idempotent), not an error"
    );
    assert!(ok(store.deliver(result(None, "n1"), &a).await, "deliver"));
    assert!(ok(store.deliver(result(None, "n2"), &a).await, "deliver"));
    assert!(
        ok(store.deliver(result(Some(1), "for b"), &b).await, "deliver"),
        "keys are per execution"
    );
    assert!(
        !ok(
            store.deliver(result(None, "x"), "arn:nope").await,
            "deliver"
        ),
        "unknown execution"
    );
    assert!(
        !ok(store.deliver(result(None, "x"), &closed).await, "deliver"),
        "closed execution"
    );

    let mut claims = ok(store.claim_runnable("w", 10, 1_000, 10).await, "claim");
    claims.sort_by(|x, y| x.execution.arn.cmp(&y.execution.arn));
    let payloads: Vec<Vec<String>> = claims
        .iter()
        .map(|c| {
            c.inbox
                .iter()
                .map(|r| String::from_utf8_lossy(&r.payload).into_owned())
                .collect()
        })
        .collect();
    assert_eq!(
        payloads,
        vec![vec!["first", "n1", "n2"], vec!["for b"]],
        "the first delivery of a key wins; keyless rows always add; closed executions get none"
    );
    let mut c = step(&a, 0);
    c.consumed = claims[0].inbox.iter().map(|r| r.id).collect();
    ok(store.commit_step("w", c).await, "consume");
    assert!(ok(
        store.deliver(result(Some(1), "later"), &a).await,
        "deliver"
    ));
    let again = claim_one(&store, "w", 10, 1_000).await.expect("a new row");
    assert_eq!(
        again
            .inbox
            .iter()
            .map(|r| r.payload.clone())
            .collect::<Vec<_>>(),
        vec![b"later".to_vec()],
        "once consumed, a key may be delivered again"
    );
}

/// `next_due` is the earliest time `claim_runnable` could hand out something: the earliest due
/// row of each execution, or its lease's end when that is later.
pub async fn next_due_is_the_earliest_row<S: Store>(store: S) {
    assert_eq!(
        ok(store.next_due().await, "next_due"),
        None,
        "an empty store"
    );
    let e1 = new_execution("m", "e1", 1, 1, vec![inbox(500, Some(1)), inbox(300, None)]);
    let e2 = new_execution("m", "e2", 2, 1, vec![inbox(400, None)]);
    let (a1, a2) = (e1.execution.arn.clone(), e2.execution.arn.clone());
    ok(store.create_execution(e1).await, "create");
    ok(store.create_execution(e2).await, "create");
    assert_eq!(ok(store.next_due().await, "next_due"), Some(300));

    let claim = claim_one(&store, "w", 300, 1_000).await.expect("e1 is due");
    assert_eq!(claim.execution.arn, a1);
    assert_eq!(
        ok(store.next_due().await, "next_due"),
        Some(400),
        "a leased execution waits for its lease"
    );
    let mut c = step(&a1, 0);
    c.consumed = claim.inbox.iter().map(|r| r.id).collect();
    ok(store.commit_step("w", c).await, "commit");
    assert_eq!(ok(store.next_due().await, "next_due"), Some(400));

    let claim = claim_one(&store, "w", 400, 50).await.expect("e2 is due");
    assert_eq!(claim.execution.arn, a2);
    assert_eq!(
        ok(store.next_due().await, "next_due"),
        Some(450),
        "an execution whose lease ends before its other rows are due: the lease's end"
    );
    let mut c = step(&a2, 0);
    c.consumed = claim.inbox.iter().map(|r| r.id).collect();
    ok(store.commit_step("w", c).await, "commit");
    assert_eq!(ok(store.next_due().await, "next_due"), Some(500));
    let claim = claim_one(&store, "w", 500, 50).await.expect("e1's timer");
    let mut c = step(&a1, 1);
    c.consumed = claim.inbox.iter().map(|r| r.id).collect();
    ok(store.commit_step("w", c).await, "commit");
    assert_eq!(ok(store.next_due().await, "next_due"), None, "all consumed");
}
