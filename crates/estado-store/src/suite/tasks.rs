//! Activity and callback tasks.

use std::collections::BTreeSet;
use std::sync::Arc;

use super::fixtures::*;
use crate::*;

/// Creates an execution named `name` and commits `tasks` for it.
async fn with_tasks<S: Store>(store: &S, name: &str, tasks: Vec<Task>) {
    let e = new_execution("m", name, 1, 1, vec![]);
    let arn = e.execution.arn.clone();
    ok(store.create_execution(e).await, "create");
    let commit = StepCommit {
        execution_arn: arn,
        expected_version: 0,
        new_tasks: tasks,
        ..Default::default()
    };
    ok(store.commit_step("w", commit).await, "commit tasks");
}

/// `claim_activity_task` hands out the oldest queued task of that activity, marks it with the
/// worker, and never hands a task to two workers.
pub async fn activity_tasks_oldest_first_one_worker_each<S: Store>(store: S) {
    let arn = execution_arn("m", "e");
    let t = |effect, activity, created| task(&arn, effect, activity, created);
    let queued = vec![
        t(1, Some("a"), 30),
        t(2, Some("a"), 10),
        t(3, Some("b"), 5),
        t(4, None, 1),
        t(5, Some("a"), 20),
    ];
    with_tasks(&store, "e", queued.clone()).await;
    let claim = |activity: &str, worker: &str| {
        let store = &store;
        let (activity, worker) = (activity_arn(activity), worker.to_owned());
        async move {
            let got = ok(
                store.claim_activity_task(&activity, &worker, 1_000).await,
                "claim",
            );
            got.map(|t| (t.effect_id, t.worker))
        }
    };
    assert_eq!(
        claim("a", "w1").await,
        Some((2, Some("w1".into()))),
        "oldest first"
    );
    assert_eq!(claim("a", "w2").await, Some((5, Some("w2".into()))));
    assert_eq!(claim("a", "w1").await, Some((1, Some("w1".into()))));
    assert_eq!(claim("a", "w3").await, None, "every task of `a` is taken");
    assert_eq!(claim("b", "w3").await, Some((3, Some("w3".into()))));
    assert_eq!(claim("nope", "w3").await, None);
    let mut started = queued[1].clone();
    started.worker = Some("w1".into());
    assert_eq!(
        ok(store.task_by_token(&started.token).await, "task"),
        Some(started),
        "the claim is stored with the task"
    );
    assert_eq!(
        ok(store.task_by_token(&queued[3].token).await, "task"),
        Some(queued[3].clone()),
        "callback tasks are never handed to activity workers"
    );

    let store = Arc::new(store);
    let arn = execution_arn("m", "busy");
    let many: Vec<Task> = (0..10)
        .map(|i| task(&arn, i, Some("c"), i as i64))
        .collect();
    with_tasks(&*store, "busy", many).await;
    let mut workers = Vec::new();
    for w in 0..16 {
        let store = store.clone();
        workers.push(tokio::spawn(async move {
            let worker = format!("w{w}");
            let got = store
                .claim_activity_task(&activity_arn("c"), &worker, 0)
                .await;
            ok(got, "claim").map(|t| (t.token, t.worker))
        }));
    }
    let mut tokens = BTreeSet::new();
    let mut empty = 0;
    for w in workers {
        match w.await.expect("claiming task panicked") {
            Some((token, worker)) => {
                assert!(worker.is_some());
                assert!(tokens.insert(token), "a task handed to two workers");
            }
            None => empty += 1,
        }
    }
    assert_eq!((tokens.len(), empty), (10, 6), "ten tasks, sixteen workers");
}

/// `task_by_token` finds queued and started tasks; `finish_task` removes a task once.
pub async fn tasks_by_token_and_finish<S: Store>(store: S) {
    let arn = execution_arn("m", "e");
    let callback = task(&arn, 7, None, 3);
    let activity = task(&arn, 8, Some("a"), 4);
    assert_eq!(ok(store.task_by_token(&callback.token).await, "task"), None);
    with_tasks(&store, "e", vec![callback.clone(), activity.clone()]).await;
    assert_eq!(
        ok(store.task_by_token(&callback.token).await, "task"),
        Some(callback.clone())
    );
    assert!(ok(store.finish_task(&callback.token).await, "finish"));
    assert!(
        !ok(store.finish_task(&callback.token).await, "finish"),
        "a task is finished once"
    );
    assert_eq!(ok(store.task_by_token(&callback.token).await, "task"), None);

    let claimed = ok(
        store
            .claim_activity_task(&activity_arn("a"), "worker", 9)
            .await,
        "claim",
    );
    assert_eq!(claimed.map(|t| t.token), Some(activity.token.clone()));
    assert!(
        ok(store.finish_task(&activity.token).await, "finish"),
        "a started task finishes"
    );
    assert_eq!(ok(store.task_by_token(&activity.token).await, "task"), None);
    assert!(!ok(store.finish_task("no-such-token").await, "finish"));
}
