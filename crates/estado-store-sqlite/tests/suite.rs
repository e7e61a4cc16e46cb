//! The SQLite backend against the shared suite, in memory (reads on the writer) and in a file
//! (reads on the reader connections, fsync on every group commit).

mod common;

mod in_memory {
    use estado_store_sqlite::SqliteStore;

    estado_store::store_suite!(|| async { SqliteStore::open_in_memory().expect("open in memory") });
}

mod in_a_file {
    use estado_store_sqlite::SqliteStore;

    estado_store::store_suite!(|| async {
        SqliteStore::open(&super::common::fresh_db("suite")).expect("open a file")
    });
}

/// Beyond the suite's contract (which allows either): this backend's metadata reads none of
/// the documents, which is what makes polling a large execution cheap.
#[tokio::test]
async fn metadata_reads_no_documents() {
    use estado_store::suite::{execution_arn, new_execution};
    use estado_store::Store;

    let store = estado_store_sqlite::SqliteStore::open_in_memory().expect("open in memory");
    let mut e = new_execution("m", "big", 1, 1, vec![]);
    e.execution.input = format!("{{\"pad\":\"{}\"}}", "ab".repeat(5_000));
    e.execution.output = Some(format!("{{\"out\":\"{}\"}}", "cd".repeat(5_000)));
    store.create_execution(e).await.expect("create");
    let meta = store
        .get_execution_metadata(&execution_arn("m", "big"))
        .await
        .expect("metadata")
        .expect("created");
    assert_eq!(meta.input, "");
    assert_eq!(meta.output.as_deref(), Some(""));
    assert_eq!(meta.definition, "");
}
