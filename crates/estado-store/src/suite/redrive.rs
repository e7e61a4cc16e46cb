//! Reopening closed executions for `RedriveExecution`.

use super::fixtures::*;
use crate::*;

/// Closes `arn` (at `version`) with `status` through a step.
async fn close<S: Store>(store: &S, arn: &str, version: u64, status: &str) {
    let commit = StepCommit {
        execution_arn: arn.into(),
        expected_version: version,
        update: Some(ExecutionUpdate {
            status: status.into(),
            stop_ms: Some(50),
            output: (status == "SUCCEEDED").then(|| "{}".to_owned()),
            error: (status != "SUCCEEDED").then(|| "States.Timeout".to_owned()),
            cause: (status != "SUCCEEDED").then(|| "too slow".to_owned()),
        }),
        ..Default::default()
    };
    ok(store.commit_step("w", commit).await, "close");
}

/// `reopen` turns a failed, timed-out or aborted execution back to `RUNNING` (redrive count
/// and time set, stop fields cleared, version bumped) and adds its row; any other execution is
/// left alone and the answer is false.
pub async fn reopen_redrives_only_unsuccessful_executions<S: Store>(store: S) {
    for name in ["running", "succeeded", "failed", "timed-out", "aborted"] {
        let e = new_execution("m", name, 1, 1, vec![]);
        ok(store.create_execution(e).await, "create");
    }
    let arn = |name: &str| execution_arn("m", name);
    close(&store, &arn("succeeded"), 0, "SUCCEEDED").await;
    close(&store, &arn("failed"), 0, "FAILED").await;
    close(&store, &arn("timed-out"), 0, "TIMED_OUT").await;
    close(&store, &arn("aborted"), 0, "ABORTED").await;

    for name in ["running", "succeeded"] {
        let before = ok(store.get_execution(&arn(name)).await, "get");
        assert!(
            !ok(
                store.reopen(&arn(name), 100, inbox(100, None)).await,
                "reopen"
            ),
            "{name} cannot be redriven"
        );
        assert_eq!(ok(store.get_execution(&arn(name)).await, "get"), before);
    }
    assert!(!ok(
        store.reopen("arn:nope", 100, inbox(100, None)).await,
        "reopen"
    ));
    assert!(
        ok(store.claim_runnable("w", 1_000, 1_000, 10).await, "claim").is_empty(),
        "refused reopens add no rows"
    );

    for name in ["failed", "timed-out", "aborted"] {
        assert!(
            ok(
                store.reopen(&arn(name), 100, inbox(100, Some(1))).await,
                "reopen"
            ),
            "{name} can be redriven"
        );
    }
    let mut expected = execution("m", "failed", 1);
    expected.redrive_count = 1;
    expected.redrive_ms = Some(100);
    expected.version = 2;
    assert_eq!(
        ok(store.get_execution(&arn("failed")).await, "get"),
        Some(expected)
    );
    assert!(
        ok(
            store.deliver(inbox(100, None), &arn("failed")).await,
            "deliver"
        ),
        "a reopened execution is open again"
    );

    let mut claims = ok(store.claim_runnable("w", 100, 1_000, 10).await, "claim");
    claims.sort_by(|a, b| a.execution.name.cmp(&b.execution.name));
    let rows: Vec<(String, usize)> = claims
        .iter()
        .map(|c| (c.execution.name.clone(), c.inbox.len()))
        .collect();
    assert_eq!(
        rows,
        [
            ("aborted".into(), 1),
            ("failed".into(), 2),
            ("timed-out".into(), 1)
        ],
        "each reopened execution has its row"
    );

    close(&store, &arn("failed"), 2, "FAILED").await;
    assert!(ok(
        store.reopen(&arn("failed"), 200, inbox(200, None)).await,
        "again"
    ));
    let again = ok(store.get_execution(&arn("failed")).await, "get").expect("there");
    assert_eq!(
        (again.redrive_count, again.redrive_ms, again.version),
        (2, Some(200), 4),
        "every redrive counts"
    );
}
