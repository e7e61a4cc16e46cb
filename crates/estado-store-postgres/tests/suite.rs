//! The PostgreSQL backend against the shared suite: every check on a fresh store (its own
//! schema) in one database created for this run and dropped at its end. Skipped, with a message,
//! when no PostgreSQL server is reachable.

mod common;

use std::sync::Arc;

use estado_store_postgres::{Options, PostgresStore};
use tokio::sync::Semaphore;

/// Checks running at once (each holds a few connections; the server allows about 100).
const PARALLEL: usize = 4;

macro_rules! spawn_checks {
    ([$db:expr, $gate:expr, $handles:expr] $($check:ident)*) => {
        $(
            {
                let url = $db.schema_url(stringify!($check)).await;
                let gate = $gate.clone();
                $handles.push((
                    stringify!($check),
                    tokio::spawn(async move {
                        let _permit = gate.acquire_owned().await;
                        let store = PostgresStore::connect_with(&url, &Options { pool_size: 4 })
                            .await
                            .unwrap_or_else(|e| panic!("connect: {e}"));
                        estado_store::suite::$check(store).await;
                    }),
                ));
            }
        )*
    };
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_suite() {
    let Some(db) = common::TestDb::create("the_shared_suite").await else {
        return;
    };
    let gate = Arc::new(Semaphore::new(PARALLEL));
    let mut handles = Vec::new();
    estado_store::__with_store_checks!([spawn_checks][db, gate, handles]);
    let mut failed = Vec::new();
    let total = handles.len();
    for (name, handle) in handles {
        if let Err(e) = handle.await {
            failed.push(format!("{name}: {e}"));
        }
    }
    db.drop().await;
    assert!(
        failed.is_empty(),
        "{} of {total} checks failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
    eprintln!("all {total} checks of the shared suite passed on PostgreSQL");
}

/// Nodes starting at the same moment on an empty schema: the advisory lock lets one migrate
/// and the others find the schema ready.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_starts_migrate_once() {
    let Some(db) = common::TestDb::create("concurrent_starts_migrate_once").await else {
        return;
    };
    let url = db.schema_url("racing").await;
    let mut starts = Vec::new();
    for _ in 0..6 {
        let url = url.clone();
        starts.push(tokio::spawn(async move {
            PostgresStore::connect_with(&url, &Options { pool_size: 1 })
                .await
                .map(|_| ())
        }));
    }
    for s in starts {
        s.await.expect("join").expect("every node starts");
    }
    let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    let n: i64 = client
        .query_one("SELECT count(*) FROM schema_version", &[])
        .await
        .expect("count")
        .get(0);
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .expect("migrations folder")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().ends_with(".sql"))
        })
        .count();
    assert_eq!(n as usize, files, "each migration is recorded once");
    drop(client);
    db.drop().await;
}

/// Two nodes on one schema: a step that queues an activity task and one that ends an execution,
/// committed through one node, reach the other node's subscribers, after the commit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_nodes_hear_of_activity_tasks_and_finished_executions() {
    use estado_store::suite::{activity_arn, inbox, new_execution, task};
    use estado_store::{ExecutionUpdate, StepCommit, Store};
    use estado_store_postgres::Signal;
    use std::time::Duration;

    let Some(db) =
        common::TestDb::create("other_nodes_hear_of_activity_tasks_and_finished_executions").await
    else {
        return;
    };
    let url = db.schema_url("signals").await;
    let options = Options { pool_size: 2 };
    let a = PostgresStore::connect_with(&url, &options)
        .await
        .expect("node a");
    let b = PostgresStore::connect_with(&url, &options)
        .await
        .expect("node b");
    let mut heard = b.subscribe();
    // The listening connection starts in the background: notify by hand until it hears, then
    // let the last probes arrive and drop them.
    let (probe, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    let mut ready = false;
    for _ in 0..200 {
        probe
            .batch_execute("NOTIFY estado, 'a'")
            .await
            .expect("notify");
        if tokio::time::timeout(Duration::from_millis(100), heard.recv())
            .await
            .is_ok()
        {
            ready = true;
            break;
        }
    }
    assert!(ready, "node b never heard a notification");
    tokio::time::sleep(Duration::from_millis(300)).await;
    while heard.try_recv().is_ok() {}

    let e = new_execution("m", "e1", 1, 1, vec![inbox(1, None)]);
    let arn = e.execution.arn.clone();
    a.create_execution(e).await.expect("create");
    let claim = a.claim_runnable("a", 10, 1_000, 1).await.expect("claim");
    let first = StepCommit {
        execution_arn: arn.clone(),
        expected_version: claim[0].execution.version,
        snapshot: b"s1".to_vec(),
        consumed: claim[0].inbox.iter().map(|r| r.id).collect(),
        new_tasks: vec![task(&arn, 7, Some(&activity_arn("act")), 10)],
        new_inbox: vec![inbox(20, Some(9))],
        ..Default::default()
    };
    a.commit_step("a", first).await.expect("first step");
    let got = tokio::time::timeout(Duration::from_secs(10), heard.recv())
        .await
        .expect("a signal within 10 s")
        .expect("open channel");
    assert_eq!(got, Signal::ActivityTasks);

    let claim = a.claim_runnable("a", 30, 1_000, 1).await.expect("claim");
    let last = StepCommit {
        execution_arn: arn.clone(),
        expected_version: claim[0].execution.version,
        snapshot: b"s2".to_vec(),
        consumed: claim[0].inbox.iter().map(|r| r.id).collect(),
        update: Some(ExecutionUpdate {
            status: "SUCCEEDED".into(),
            stop_ms: Some(30),
            output: Some("{}".into()),
            error: None,
            cause: None,
        }),
        ..Default::default()
    };
    a.commit_step("a", last).await.expect("last step");
    let got = tokio::time::timeout(Duration::from_secs(10), heard.recv())
        .await
        .expect("a signal within 10 s")
        .expect("open channel");
    assert_eq!(
        got,
        Signal::Finished {
            execution_arn: arn.clone(),
            status: "SUCCEEDED".into()
        }
    );
    let seen = b.get_execution(&arn).await.expect("read").expect("there");
    assert_eq!(seen.status, "SUCCEEDED", "the signal follows the commit");
    drop((a, b));
    db.drop().await;
}
