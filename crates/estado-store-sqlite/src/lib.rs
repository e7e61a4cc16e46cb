//! Estado's embedded storage backend: one SQLite file in WAL mode.
//!
//! Durability: every write is acknowledged only after its transaction committed with
//! `synchronous=FULL` (the WAL is fsynced). Throughput comes from **group commit**: one writer
//! thread owns the write connection and runs every request waiting at that moment in one
//! transaction, one fsync for all of them (see [`threads`](crate::threads) for the rules).
//! Reads go to a few reader connections, which WAL lets run beside the writer, and the WAL is
//! copied back into the database by a checkpointer thread (see [`checkpoint`]), not inside the
//! writer's commits.
//!
//! The schema lives in numbered files under `migrations/`, applied on open.

mod checkpoint;
mod error;
mod migrate;
mod ops;
mod packed;
mod store;
mod threads;

use std::path::Path;
use std::time::Duration;

use estado_store::StoreError;
use rusqlite::{Connection, OpenFlags};

use crate::checkpoint::Checkpointer;
use crate::error::{OpError, OpResult};
use crate::threads::{Readers, Writer};

pub use crate::threads::CommitStats;

/// How a file store is opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Reader connections (each on its own thread). Reads are short, so a few serve many
    /// callers. Zero runs reads on the writer, inside its group commits.
    pub readers: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { readers: 3 }
    }
}

/// How long a connection waits for a lock (a checkpoint, another process) before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// A [`estado_store::Store`] in one SQLite database.
///
/// Dropping it answers every request already sent, then closes the connections.
pub struct SqliteStore {
    // Readers and the checkpointer first: they close before the writer, whose close then
    // checkpoints the WAL.
    readers: Option<Readers>,
    /// Held for its thread (stopped on drop).
    _checkpointer: Option<Checkpointer>,
    writer: Writer,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        Self::open_with(path, &Options::default())
    }

    /// [`SqliteStore::open`] with explicit [`Options`].
    pub fn open_with(path: &Path, options: &Options) -> Result<SqliteStore, StoreError> {
        let mut conn = Connection::open(path).map_err(OpError::from)?;
        configure_writer(&conn, true)?;
        migrate::migrate(&mut conn)?;
        let readers = match options.readers {
            0 => None,
            n => {
                let conns = (0..n)
                    .map(|_| open_reader(path))
                    .collect::<OpResult<Vec<_>>>()?;
                Some(Readers::start(conns).map_err(thread_failed)?)
            }
        };
        let checkpointer = Checkpointer::start(open_checkpointer(path)?).map_err(thread_failed)?;
        checkpointer.hook_into(&mut conn)?;
        let writer = Writer::start(conn).map_err(thread_failed)?;
        Ok(SqliteStore {
            readers,
            _checkpointer: Some(checkpointer),
            writer,
        })
    }

    /// A private database in memory, gone when the store is dropped. Reads run on the writer
    /// (an in-memory database has a single connection).
    pub fn open_in_memory() -> Result<SqliteStore, StoreError> {
        let mut conn = Connection::open_in_memory().map_err(OpError::from)?;
        configure_writer(&conn, false)?;
        migrate::migrate(&mut conn)?;
        let writer = Writer::start(conn).map_err(thread_failed)?;
        Ok(SqliteStore {
            readers: None,
            _checkpointer: None,
            writer,
        })
    }

    /// How many transactions the writer committed and how many requests they carried.
    pub fn commit_stats(&self) -> CommitStats {
        self.writer.stats()
    }

    /// Runs `work` as part of the next group commit.
    async fn write<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> OpResult<T> + Send + 'static,
    {
        self.writer.run(work).await
    }

    /// Runs `work` in one read transaction.
    async fn read<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> OpResult<T> + Send + 'static,
    {
        match &self.readers {
            Some(r) => r.run(work).await,
            None => self.writer.run(work).await,
        }
    }
}

fn configure_writer(conn: &Connection, file: bool) -> OpResult<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(64);
    // Every request runs in a savepoint, whose undo pages go to a statement journal: keep it
    // in memory rather than in a temporary file (its writes cost as much as the WAL's).
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // 32 MiB of page cache (negative: KiB), so the indexes a step touches stay in memory.
    conn.pragma_update(None, "cache_size", -32_768)?;
    if file {
        let mode: String =
            conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(OpError::Invalid(format!(
                "the database refused WAL mode (journal_mode is {mode})"
            )));
        }
        // FULL: a commit is on disk when COMMIT returns, which is when callers are answered.
        conn.pragma_update(None, "synchronous", "FULL")?;
    }
    Ok(())
}

fn open_reader(path: &Path) -> OpResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.set_prepared_statement_cache_capacity(64);
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// The checkpointer's connection: checkpoints take the database's checkpoint lock, never the
/// write lock, so it runs beside the writer.
fn open_checkpointer(path: &Path) -> OpResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // FULL: the database file is synced before the WAL may be reused.
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(conn)
}

fn thread_failed(e: std::io::Error) -> StoreError {
    StoreError::Backend {
        message: format!("cannot start a sqlite thread: {e}"),
        retryable: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_file_store_writes_a_wal_with_full_sync() {
        let dir =
            std::env::temp_dir().join(format!("estado-sqlite-pragmas-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let store = SqliteStore::open(&dir.join("p.db")).expect("open");
        let (mode, sync, temp) = store
            .write(|c| {
                let mode: String = c.pragma_query_value(None, "journal_mode", |r| r.get(0))?;
                let sync: i64 = c.pragma_query_value(None, "synchronous", |r| r.get(0))?;
                let temp: i64 = c.pragma_query_value(None, "temp_store", |r| r.get(0))?;
                Ok((mode, sync, temp))
            })
            .await
            .expect("pragmas");
        assert_eq!(
            (mode.as_str(), sync, temp),
            ("wal", 2, 2),
            "WAL, FULL, MEMORY"
        );
        let query_only: bool = store
            .read(|c| Ok(c.pragma_query_value(None, "query_only", |r| r.get(0))?))
            .await
            .expect("reader pragma");
        assert!(query_only, "reader connections cannot write");
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Commits past the WAL threshold get their pages copied into the database file while the
    /// store stays open (by the checkpointer: the writer's own automatic checkpoint is off).
    #[tokio::test]
    async fn the_wal_is_checkpointed_beside_the_writer() {
        use estado_store::suite::new_execution;
        use estado_store::Store;
        let dir =
            std::env::temp_dir().join(format!("estado-sqlite-checkpoint-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let db = dir.join("c.db");
        let store = SqliteStore::open(&db).expect("open");
        let empty = std::fs::metadata(&db).expect("db").len();
        // ~12 MB of inputs, well past the 4 MB at which a checkpoint is asked for: digits
        // that do not repeat, so that compressing them saves nothing (see `packed`).
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        for i in 0..300 {
            let mut e = new_execution("m", &format!("e{i}"), i, 1, vec![]);
            let pad: String = (0..40_000)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    char::from(b"0123456789abcdef"[(seed >> 60) as usize])
                })
                .collect();
            e.execution.input = format!("{{\"pad\":\"{pad}\"}}");
            store.create_execution(e).await.expect("create");
        }
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let size = std::fs::metadata(&db).expect("db").len();
            if size > empty + 4_000_000 {
                break;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "the database file stayed at {size} bytes: nothing was checkpointed"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
