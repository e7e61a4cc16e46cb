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
