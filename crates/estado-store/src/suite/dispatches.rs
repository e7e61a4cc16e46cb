//! Runner tasks: dispatches committed with a step, claimed, renewed and completed.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::fixtures::*;
use crate::*;

/// Creates an execution named `name` and commits `rows` as its new dispatches.
async fn with_dispatches<S: Store>(store: &S, name: &str, rows: Vec<Dispatch>) -> String {
    let e = new_execution("m", name, 1, 1, vec![]);
    let arn = e.execution.arn.clone();
    ok(store.create_execution(e).await, "create");
    let commit = StepCommit {
        execution_arn: arn.clone(),
        expected_version: 0,
        new_dispatches: rows,
        ..Default::default()
    };
    ok(store.commit_step("w", commit).await, "commit dispatches");
    arn
}

fn keys(rows: &[Dispatch]) -> Vec<u64> {
    rows.iter().map(|d| d.effect_id).collect()
}

/// Dispatches committed with a step are claimed oldest first with a lease, never twice while
/// the lease lives; completing one removes it and delivers its row once.
pub async fn dispatches_commit_claim_and_complete<S: Store>(store: S) {
    let arn = execution_arn("m", "e");
    let rows = vec![
        dispatch(&arn, 1, 30, None),
        dispatch(&arn, 2, 10, None),
        dispatch(&arn, 3, 20, None),
    ];
    with_dispatches(&store, "e", rows.clone()).await;

    let first = ok(store.claim_dispatches("d1", 100, 50, 2).await, "claim");
    assert_eq!(keys(&first), vec![2, 3], "oldest first, at most `limit`");
    let mut expected = rows[1].clone();
    expected.lease = Some(("d1".into(), 150));
    assert_eq!(first[0], expected, "returned whole, with its new lease");
    let second = ok(store.claim_dispatches("d2", 120, 50, 10).await, "claim");
    assert_eq!(
        keys(&second),
        vec![1],
        "leased dispatches are not handed out again"
    );
    assert!(ok(store.claim_dispatches("d3", 120, 50, 10).await, "claim").is_empty());

    let row = inbox(100, Some(2));
    assert!(
        ok(
            store.complete_dispatch(&arn, 2, row.clone()).await,
            "complete"
        ),
        "a dispatch completes"
    );
    assert!(
        !ok(store.complete_dispatch(&arn, 2, row).await, "complete"),
        "and only once"
    );
    assert!(
        !ok(
            store
                .complete_dispatch(&arn, 99, inbox(100, Some(99)))
                .await,
            "complete"
        ),
        "an unknown dispatch does not complete"
    );
    let claims = ok(
        store.claim_runnable("s", 1_000, 100, 10).await,
        "claim runnable",
    );
    assert_eq!(claims.len(), 1, "the outcome is in the inbox");
    let delivered: Vec<Option<u64>> = claims[0].inbox.iter().map(|r| r.key).collect();
    assert_eq!(delivered, vec![Some(2)], "delivered once, with its key");

    // After a close, completing still removes the dispatch but delivers nothing.
    let commit = StepCommit {
        execution_arn: arn.clone(),
        expected_version: claims[0].execution.version,
        consumed: claims[0].inbox.iter().map(|r| r.id).collect(),
        update: Some(ExecutionUpdate {
            status: "SUCCEEDED".into(),
            stop_ms: Some(1_000),
            output: Some("{}".into()),
            error: None,
            cause: None,
        }),
        ..Default::default()
    };
    ok(store.commit_step("s", commit).await, "close");
    assert!(ok(
        store
            .complete_dispatch(&arn, 3, inbox(1_000, Some(3)))
            .await,
        "complete"
    ));
    assert!(
        ok(store.claim_runnable("s", 2_000, 100, 10).await, "claim").is_empty(),
        "a closed execution gets no rows"
    );
    assert_eq!(
        keys(&ok(
            store.claim_dispatches("d1", 10_000, 50, 10).await,
            "claim"
        )),
        vec![1],
        "only the dispatch nobody completed is left"
    );
}

/// A lease that ends makes the dispatch claimable again; renewing keeps it (only for its
/// holder); a dispatch committed with a lease waits for it; `release_leases` frees them all.
pub async fn dispatch_leases_expire_renew_and_release<S: Store>(store: S) {
    let arn = execution_arn("m", "e");
    let rows = vec![
        dispatch(&arn, 1, 1, None),
        dispatch(&arn, 2, 2, None),
        dispatch(&arn, 3, 3, Some(("node", 500))),
    ];
    with_dispatches(&store, "e", rows).await;
    assert_eq!(
        keys(&ok(
            store.claim_dispatches("a", 100, 100, 10).await,
            "claim"
        )),
        vec![1, 2],
        "a dispatch committed with a live lease is not claimable"
    );
    let key = |e: u64| (arn.clone(), e);
    assert_eq!(
        ok(
            store
                .renew_dispatches("a", &[key(1), key(3), key(42)], 400)
                .await,
            "renew"
        ),
        1,
        "only the holder renews, only what exists"
    );
    let at_200 = ok(store.claim_dispatches("b", 200, 1_000, 10).await, "claim");
    assert_eq!(
        keys(&at_200),
        vec![2],
        "an ended lease frees the dispatch; a renewed one holds"
    );
    assert_eq!(at_200[0].lease, Some(("b".into(), 1_200)));
    assert_eq!(
        ok(store.renew_dispatches("a", &[key(2)], 900).await, "renew"),
        0,
        "the old holder lost it"
    );
    assert_eq!(
        keys(&ok(
            store.claim_dispatches("c", 500, 100, 10).await,
            "claim"
        )),
        vec![1, 3],
        "at 500 the renewed lease (400) and the committed lease (500) have ended"
    );
    assert!(ok(store.claim_dispatches("d", 550, 100, 10).await, "claim").is_empty());
    assert!(ok(store.release_leases().await, "release") >= 3);
    assert_eq!(
        keys(&ok(
            store.claim_dispatches("d", 550, 100, 10).await,
            "claim"
        )),
        vec![1, 2, 3],
        "released leases are claimable at once"
    );
}

/// `cancel_tasks` in a step removes the dispatches of those effects (and a later completion
/// of one finds nothing); new dispatches of the same step are kept.
pub async fn cancelled_dispatches_are_gone<S: Store>(store: S) {
    let arn = execution_arn("m", "e");
    let rows = vec![dispatch(&arn, 1, 1, None), dispatch(&arn, 2, 2, None)];
    with_dispatches(&store, "e", rows).await;
    let other = with_dispatches(
        &store,
        "f",
        vec![dispatch(&execution_arn("m", "f"), 1, 3, None)],
    )
    .await;
    let commit = StepCommit {
        execution_arn: arn.clone(),
        expected_version: 1,
        cancel_tasks: vec![1, 3],
        new_dispatches: vec![dispatch(&arn, 3, 4, None)],
        ..Default::default()
    };
    ok(store.commit_step("w", commit).await, "cancel");
    let left: BTreeSet<(String, u64)> = ok(store.claim_dispatches("d", 10, 10, 10).await, "claim")
        .into_iter()
        .map(|d| (d.execution_arn, d.effect_id))
        .collect();
    let expected: BTreeSet<(String, u64)> = [(arn.clone(), 2), (arn.clone(), 3), (other, 1)]
        .into_iter()
        .collect();
    assert_eq!(
        left, expected,
        "the cancelled effect goes, only for its execution; the step's new one stays"
    );
    assert!(
        !ok(
            store.complete_dispatch(&arn, 1, inbox(10, Some(1))).await,
            "complete"
        ),
        "a cancelled dispatch does not complete"
    );
}

/// Racing dispatchers never get the same dispatch.
pub async fn concurrent_dispatch_claims_share_nothing<S: Store>(store: S) {
    let arn = execution_arn("m", "busy");
    let rows: Vec<Dispatch> = (0..20).map(|i| dispatch(&arn, i, i as i64, None)).collect();
    with_dispatches(&store, "busy", rows).await;
    let store = Arc::new(store);
    let mut racers = Vec::new();
    for r in 0..8 {
        let store = store.clone();
        racers.push(tokio::spawn(async move {
            let owner = format!("d{r}");
            ok(store.claim_dispatches(&owner, 5, 1_000, 3).await, "claim")
        }));
    }
    let mut seen = BTreeSet::new();
    for r in racers {
        for d in r.await.expect("claiming dispatcher panicked") {
            assert!(
                seen.insert(d.effect_id),
                "dispatch {} handed out twice",
                d.effect_id
            );
        }
    }
    assert_eq!(
        seen.len(),
        20,
        "eight dispatchers taking three each share all twenty"
    );
}
