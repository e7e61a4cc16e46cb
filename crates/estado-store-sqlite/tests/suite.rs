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
