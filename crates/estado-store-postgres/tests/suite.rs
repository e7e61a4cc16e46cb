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
                        let store = PostgresStore::connect_with(&url, &Options { pool_size: 4, ..Options::default() })
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
            PostgresStore::connect_with(
                &url,
                &Options {
                    pool_size: 1,
                    ..Options::default()
                },
            )
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
    let options = Options {
        pool_size: 2,
        ..Options::default()
    };
    let a = PostgresStore::connect_with(&url, &options)
        .await
        .expect("node a");
    let b = PostgresStore::connect_with(&url, &options)
        .await
        .expect("node b");
    let mut heard = b.subscribe();
    wait_until_listening(&url, &mut heard).await;

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

/// The listening connection starts in the background: notify by hand until `heard` (a
/// subscription to the store's signals) hears, then let the last probes arrive and drop them.
async fn wait_until_listening(
    url: &str,
    heard: &mut tokio::sync::broadcast::Receiver<estado_store_postgres::Signal>,
) {
    use std::time::Duration;
    let (probe, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
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
    assert!(ready, "the node never heard a notification");
    tokio::time::sleep(Duration::from_millis(300)).await;
    while heard.try_recv().is_ok() {}
}

/// Polls `check` every 10 ms for up to `within`; true once it holds.
async fn eventually<F, Fut>(within: std::time::Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// The machine records a node keeps to start executions: node b, whose records would live a
/// minute, sees node a's update and delete within seconds (the notifications); a record changed
/// behind every node's back (no notification) is re-read once its time to live ends; and a
/// node whose listening connection was cut drops its records when it listens again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn machine_records_follow_other_nodes_changes() {
    use estado_store::suite::machine;
    use estado_store::Store;
    use std::time::Duration;

    let Some(db) = common::TestDb::create("machine_records_follow_other_nodes_changes").await
    else {
        return;
    };
    let url = db.schema_url("machines").await;
    let long = Options {
        pool_size: 2,
        machine_cache_ms: 60_000,
    };
    let a = PostgresStore::connect_with(&url, &long)
        .await
        .expect("node a");
    let b = PostgresStore::connect_with(&url, &long)
        .await
        .expect("node b");
    let short = Options {
        pool_size: 2,
        machine_cache_ms: 300,
    };
    let c = PostgresStore::connect_with(&url, &short)
        .await
        .expect("node c");
    wait_until_listening(&url, &mut b.subscribe()).await;
    wait_until_listening(&url, &mut c.subscribe()).await;
    let (sql, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);

    // Created by hand, so that no notification is on its way while b reads it.
    let sm = machine("shared", 1);
    sql.execute(
        "INSERT INTO state_machines (arn, name, kind, definition, role_arn, created_ms, \
         updated_ms, revision_id, next_version) VALUES ($1, $2, $3, $4, $5, 1, 1, 'r', 1)",
        &[&sm.arn, &sm.name, &sm.kind, &sm.definition, &sm.role_arn],
    )
    .await
    .expect("create by hand");
    async fn to_start(s: &PostgresStore, arn: &str) -> Option<String> {
        s.state_machine_to_start(arn)
            .await
            .expect("to start")
            .map(|m| m.definition)
    }
    assert_eq!(to_start(&b, &sm.arn).await, Some(sm.definition.clone()));

    // Changed behind every node's back: b keeps its record (it lives a minute).
    sql.execute(
        "UPDATE state_machines SET definition = 'behind' WHERE arn = $1",
        &[&sm.arn],
    )
    .await
    .expect("update by hand");
    assert_eq!(
        to_start(&b, &sm.arn).await,
        Some(sm.definition.clone()),
        "b answers from its cache"
    );
    // An update through node a reaches b by notification.
    let mut changed = sm.clone();
    changed.definition = "through a".into();
    a.update_state_machine(changed.clone())
        .await
        .expect("update");
    assert_eq!(
        to_start(&a, &sm.arn).await.as_deref(),
        Some("through a"),
        "a sees its own update at once"
    );
    assert!(
        eventually(Duration::from_secs(5), || async {
            to_start(&b, &sm.arn).await.as_deref() == Some("through a")
        })
        .await,
        "b sees a's update within 5 s, long before its record would expire"
    );

    // Node c's records live 300 ms: a change nobody notified is seen after that.
    assert_eq!(to_start(&c, &sm.arn).await.as_deref(), Some("through a"));
    sql.execute(
        "UPDATE state_machines SET definition = 'quietly' WHERE arn = $1",
        &[&sm.arn],
    )
    .await
    .expect("update by hand");
    let started = std::time::Instant::now();
    assert!(
        eventually(Duration::from_secs(5), || async {
            to_start(&c, &sm.arn).await.as_deref() == Some("quietly")
        })
        .await,
        "c re-reads the record once it is 300 ms old"
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "c saw the change after {:?}",
        started.elapsed()
    );

    // b's listening connection is cut, the record changed meanwhile without a notification:
    // listening again, b drops its records.
    assert_eq!(to_start(&b, &sm.arn).await.as_deref(), Some("through a"));
    sql.execute(
        "UPDATE state_machines SET definition = 'while b was deaf' WHERE arn = $1",
        &[&sm.arn],
    )
    .await
    .expect("update by hand");
    assert_eq!(
        to_start(&b, &sm.arn).await.as_deref(),
        Some("through a"),
        "b answers from its cache"
    );
    let cut = sql
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND query = 'LISTEN estado' \
             AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .expect("cut the listening connections");
    assert!(cut >= 1, "the nodes' listening connections were found");
    assert!(
        eventually(Duration::from_secs(10), || async {
            to_start(&b, &sm.arn).await.as_deref() == Some("while b was deaf")
        })
        .await,
        "b re-reads its records after listening again"
    );

    // A delete through a: b (listening again) stops starting the machine.
    wait_until_listening(&url, &mut b.subscribe()).await;
    a.delete_state_machine(&sm.arn).await.expect("delete");
    assert_eq!(to_start(&a, &sm.arn).await, None, "a at once");
    assert!(
        eventually(Duration::from_secs(5), || async {
            to_start(&b, &sm.arn).await.is_none()
        })
        .await,
        "b sees the delete within 5 s"
    );
    drop((a, b, c, sql));
    db.drop().await;
}

/// A database of schema 3 keeps its histories (their per-event rows become chunks that read
/// back the same, in order, page by page) and its leases, and its executions go on committing
/// steps.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn histories_written_before_chunks_survive_the_migration() {
    use estado_store::suite::{event, events, inbox};
    use estado_store::{StepCommit, Store};

    let Some(db) =
        common::TestDb::create("histories_written_before_chunks_survive_the_migration").await
    else {
        return;
    };
    let url = db.schema_url("old_history").await;
    let (sql, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(conn);
    for schema in [
        include_str!("../migrations/0001_init.sql"),
        include_str!("../migrations/0002_one_statement_steps.sql"),
        include_str!("../migrations/0003_lease_index.sql"),
    ] {
        sql.batch_execute(schema).await.expect("an older schema");
    }
    sql.batch_execute(
        "CREATE TABLE schema_version (version BIGINT PRIMARY KEY); \
         INSERT INTO schema_version (version) VALUES (1), (2), (3); \
         INSERT INTO executions (id, arn, state_machine_arn, name, kind, status, start_ms, \
             input, definition, role_arn, redrive_count, version, snapshot, lease_owner, \
             lease_until) \
         VALUES (7, 'arn:x', 'arn:m', 'x', 'STANDARD', 'RUNNING', 1, '{}', '{}', 'r', 0, 0, \
             '\\x00', 'dead', 5);",
    )
    .await
    .expect("an execution");
    // Inserted out of order: the chunks still hold them by id.
    for id in (1..=600).rev() {
        let body = serde_json::to_string(&event(id)).expect("json");
        sql.execute(
            "INSERT INTO events (execution_id, id, body) VALUES (7, $1, $2)",
            &[&id, &body],
        )
        .await
        .expect("event");
    }
    let store = PostgresStore::connect(&url).await.expect("migrate");
    let chunks: i64 = sql
        .query_one("SELECT count(*) FROM history_chunks", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(chunks, 3, "600 events in chunks of 256");
    let history = |from, reverse, limit| {
        let store = &store;
        async move {
            store
                .history("arn:x", from, reverse, limit)
                .await
                .expect("history")
        }
    };
    assert_eq!(history(0, false, 1000).await, events(1, 600));
    assert_eq!(history(250, false, 10).await, events(251, 260));
    let mut back = events(245, 260);
    back.reverse();
    assert_eq!(history(261, true, 16).await, back);
    let mut all_back = events(1, 600);
    all_back.reverse();
    assert_eq!(history(i64::MAX, true, 1000).await, all_back);

    // The migrated execution keeps its lease (until 5), then takes a step: its events follow
    // the old ones.
    store
        .deliver(inbox(0, None), "arn:x")
        .await
        .expect("deliver");
    let claim = store.claim_runnable("n", 3, 1_000, 1).await.expect("claim");
    assert!(
        claim.is_empty(),
        "the lease written before the migration holds"
    );
    let claim = store
        .claim_runnable("n", 10, 1_000, 1)
        .await
        .expect("claim");
    assert_eq!(claim.len(), 1, "the migrated execution is claimable");
    store
        .commit_step(
            "n",
            StepCommit {
                execution_arn: "arn:x".into(),
                expected_version: 0,
                snapshot: b"s".to_vec(),
                consumed: claim[0].inbox.iter().map(|r| r.id).collect(),
                events: events(601, 610),
                ..Default::default()
            },
        )
        .await
        .expect("a step after the migration");
    assert_eq!(history(595, false, 100).await, events(596, 610));
    drop((store, sql));
    db.drop().await;
}

/// A store on a schema of its own in `db`, with a pool of two connections (so that concurrent
/// calls queue and are written in groups).
async fn two_connection_store(db: &common::TestDb, schema: &str) -> Arc<PostgresStore> {
    let url = db.schema_url(schema).await;
    let options = Options {
        pool_size: 2,
        ..Options::default()
    };
    Arc::new(
        PostgresStore::connect_with(&url, &options)
            .await
            .expect("connect"),
    )
}

/// Executions created at once are written in groups; one the database refuses (text with a NUL
/// character, which PostgreSQL does not store) fails alone: the others of its group are
/// written one by one and succeed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_execution_fails_alone() {
    use estado_store::suite::new_execution;
    use estado_store::{Store, StoreError};

    let Some(db) = common::TestDb::create("a_refused_execution_fails_alone").await else {
        return;
    };
    let store = two_connection_store(&db, "refused").await;
    let mut racers = Vec::new();
    for i in 0..200 {
        let mut e = new_execution("m", &format!("e{i}"), i, 3, vec![]);
        if i % 50 == 7 {
            e.execution.input = "{\"nul\": \"\u{0}\"}".into();
        }
        let store = store.clone();
        racers.push(tokio::spawn(
            async move { (i, store.create_execution(e).await) },
        ));
    }
    for r in racers {
        let (i, outcome) = r.await.expect("join");
        match outcome {
            Ok(()) => assert!(i % 50 != 7, "e{i} with a NUL character was stored"),
            Err(StoreError::Backend { message, .. }) => {
                assert_eq!(i % 50, 7, "e{i} failed: {message}")
            }
            Err(e) => panic!("e{i}: {e:?}"),
        }
    }
    let stored = store
        .list_executions(&estado_store::ExecutionQuery {
            limit: 1_000,
            ..Default::default()
        })
        .await
        .expect("list");
    assert_eq!(stored.len(), 196);
    drop(store);
    db.drop().await;
}

/// The same ARNs created twice at once, the second time in the opposite order: the second
/// creations go in later groups, which the server may write while the first are still being
/// written, taking the ARNs' index entries in the other order. When it breaks such a deadlock
/// by aborting a group, that group goes again: every creation is created or `AlreadyExists`,
/// never an error (CI saw "deadlock detected (40P01)" once in the shared suite).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creations_of_the_same_arns_in_opposite_orders_never_fail() {
    use estado_store::suite::new_execution;
    use estado_store::{Store, StoreError};

    let Some(db) = common::TestDb::create("opposite_orders_never_fail").await else {
        return;
    };
    let url = db.schema_url("opposite").await;
    let options = Options {
        pool_size: 8,
        ..Options::default()
    };
    let store = Arc::new(
        PostgresStore::connect_with(&url, &options)
            .await
            .expect("connect"),
    );
    for round in 0..20 {
        let names: Vec<String> = (0..32).map(|i| format!("r{round}-e{i}")).collect();
        let order = names.iter().chain(names.iter().rev());
        let mut racers = Vec::new();
        for name in order {
            let e = new_execution("m", name, 1, 3, vec![]);
            let store = store.clone();
            racers.push(tokio::spawn(async move {
                (e.execution.arn.clone(), store.create_execution(e).await)
            }));
        }
        let mut created = std::collections::HashSet::new();
        for r in racers {
            let (arn, outcome) = r.await.expect("join");
            match outcome {
                Ok(()) => assert!(created.insert(arn.clone()), "{arn} created twice"),
                Err(StoreError::AlreadyExists(a)) => assert_eq!(a, arn),
                Err(e) => panic!("creating {arn}: {e:?}"),
            }
        }
        assert_eq!(created.len(), names.len(), "round {round}: each once");
    }
    drop(store);
    db.drop().await;
}

/// Steps committed at once are saved in groups; one the database refuses (history events whose
/// ids the execution has already) fails alone, saving nothing of it, and a stale one is a
/// conflict: the others of their group are saved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_step_fails_alone() {
    use estado_store::suite::{events, inbox, new_execution};
    use estado_store::{StepCommit, Store, StoreError};

    let Some(db) = common::TestDb::create("a_refused_step_fails_alone").await else {
        return;
    };
    let store = two_connection_store(&db, "refused_steps").await;
    for i in 0..150 {
        let e = new_execution("m", &format!("e{i}"), i, 3, vec![inbox(0, None)]);
        store.create_execution(e).await.expect("create");
    }
    let claims = store
        .claim_runnable("n", 10, 60_000, 200)
        .await
        .expect("claim");
    assert_eq!(claims.len(), 150);
    let mut racers = Vec::new();
    for (i, claim) in claims.into_iter().enumerate() {
        let arn = claim.execution.arn.clone();
        let commit = StepCommit {
            execution_arn: arn.clone(),
            // Every 40th is stale.
            expected_version: claim.execution.version + u64::from(i % 40 == 9),
            snapshot: format!("after {arn}").into_bytes(),
            consumed: claim.inbox.iter().map(|r| r.id).collect(),
            // Every 40th repeats events 1..3, which the execution has.
            events: if i % 40 == 7 {
                events(1, 3)
            } else {
                events(4, 5)
            },
            ..Default::default()
        };
        let store = store.clone();
        racers.push(tokio::spawn(async move {
            (i, arn, store.commit_step("n", commit).await)
        }));
    }
    for r in racers {
        let (i, arn, outcome) = r.await.expect("join");
        let saved = store
            .get_execution(&arn)
            .await
            .expect("read")
            .expect("there");
        match (i % 40, outcome) {
            (7, Err(StoreError::Backend { .. })) | (9, Err(StoreError::Conflict(_))) => {
                assert_eq!(saved.version, 0, "e{i}: nothing of it saved");
                assert_eq!(
                    store.history(&arn, 0, false, 10).await.expect("history"),
                    events(1, 3)
                );
            }
            (7 | 9, other) => panic!("e{i}: expected a failure, got {other:?}"),
            (_, Ok(())) => {
                assert_eq!(saved.version, 1, "e{i} saved");
                assert_eq!(
                    store.history(&arn, 0, false, 10).await.expect("history"),
                    events(1, 5)
                );
            }
            (_, Err(e)) => panic!("e{i}: {e:?}"),
        }
    }
    drop(store);
    db.drop().await;
}
