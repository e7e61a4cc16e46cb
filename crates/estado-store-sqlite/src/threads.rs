//! The threads that own the connections: one writer that group-commits, and a few readers.
//!
//! Callers never touch a connection. They send a closure over a channel and await a oneshot
//! answer, so the async runtime never blocks on disk I/O.
//!
//! **Group commit.** The writer takes the first waiting request, then every other request
//! waiting at that moment, and runs them all in ONE transaction (one fsync of the WAL under
//! `synchronous=FULL`). Each request runs inside its own SAVEPOINT: one that fails (a
//! `Conflict`, a constraint) is rolled back alone and answered with its error, without
//! touching the others. Every caller is answered only after the COMMIT returned, i.e. when its
//! change is durable; if the COMMIT itself fails, every request that had succeeded is answered
//! with that failure instead. When idle, a lone request is committed at once: there is no
//! waiting for company.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use estado_store::StoreError;
use rusqlite::Connection;
use tokio::sync::oneshot;

use crate::error::{stopped, OpError, OpResult};

/// The most requests one transaction takes: bounds the time the first caller of a very large
/// batch waits for the last one's work.
const MAX_BATCH: usize = 1024;

/// One request: work against a connection, and the caller waiting for its answer.
trait Job: Send {
    /// Runs the work; true when it succeeded (its changes are kept).
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller; `batch` is the fate of the transaction the work ran in.
    fn answer(self: Box<Self>, batch: Result<(), StoreError>);
}

struct Request<T, F> {
    work: Option<F>,
    result: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job for Request<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> OpResult<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        // A panicking request must not take the thread (and every later caller) down with it.
        let result = match catch_unwind(AssertUnwindSafe(|| work(conn))) {
            Ok(r) => r.map_err(StoreError::from),
            Err(_) => Err(StoreError::Backend {
                message: "a storage operation panicked".into(),
                retryable: false,
            }),
        };
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn answer(self: Box<Self>, batch: Result<(), StoreError>) {
        let answer = match (self.result, batch) {
            (Some(Ok(_)), Err(e)) => Err(e),
            (Some(r), _) => r,
            (None, Err(e)) => Err(e),
            (None, Ok(())) => Err(stopped("worker")),
        };
        // The caller may have given up waiting (its future was dropped): nothing to do then.
        let _ = self.reply.send(answer);
    }
}

type BoxedJob = Box<dyn Job>;

/// Queues `work` on a thread's channel at once (so requests queue in call order) and returns
/// the wait for its answer.
fn submit<T, F>(
    tx: Option<&Sender<BoxedJob>>,
    what: &'static str,
    work: F,
) -> impl Future<Output = Result<T, StoreError>>
where
    T: Send + 'static,
    F: FnOnce(&Connection) -> OpResult<T> + Send + 'static,
{
    let (reply, answer) = oneshot::channel();
    let job = Box::new(Request {
        work: Some(work),
        result: None,
        reply,
    });
    let sent = match tx {
        Some(tx) => tx.send(job).map_err(|_| stopped(what)),
        None => Err(stopped(what)),
    };
    async move {
        sent?;
        answer.await.map_err(|_| stopped(what))?
    }
}

/// What the writer has done so far: `requests / batches` is the mean group size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CommitStats {
    /// Transactions committed (or attempted), one fsync each.
    pub batches: u64,
    /// Requests run inside them.
    pub requests: u64,
}

#[derive(Default)]
struct Counters {
    batches: AtomicU64,
    requests: AtomicU64,
}

/// The single writer thread and its channel.
pub(crate) struct Writer {
    tx: Option<Sender<BoxedJob>>,
    thread: Option<JoinHandle<()>>,
    counters: Arc<Counters>,
}

impl Writer {
    pub(crate) fn start(conn: Connection) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel::<BoxedJob>();
        let counters = Arc::new(Counters::default());
        let thread_counters = counters.clone();
        let thread = std::thread::Builder::new()
            .name("estado-sqlite-writer".into())
            .spawn(move || write_loop(conn, rx, &thread_counters))?;
        Ok(Writer {
            tx: Some(tx),
            thread: Some(thread),
            counters,
        })
    }

    /// Queues `work` for the next group commit; the answer comes once it is durable (or
    /// failed).
    pub(crate) fn run<T, F>(&self, work: F) -> impl Future<Output = Result<T, StoreError>>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> OpResult<T> + Send + 'static,
    {
        submit(self.tx.as_ref(), "writer", work)
    }

    pub(crate) fn stats(&self) -> CommitStats {
        CommitStats {
            batches: self.counters.batches.load(Ordering::Relaxed),
            requests: self.counters.requests.load(Ordering::Relaxed),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        // Closing the channel ends the loop after the requests already sent are answered.
        drop(self.tx.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn write_loop(conn: Connection, rx: Receiver<BoxedJob>, counters: &Counters) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcome = run_batch(&conn, &mut batch).map_err(StoreError::from);
        counters.batches.fetch_add(1, Ordering::Relaxed);
        counters
            .requests
            .fetch_add(batch.len() as u64, Ordering::Relaxed);
        for job in batch {
            job.answer(outcome.clone());
        }
    }
}

/// Runs every job of the batch in one transaction, each in its own savepoint.
fn run_batch(conn: &Connection, batch: &mut [BoxedJob]) -> OpResult<()> {
    exec(conn, "BEGIN IMMEDIATE")?;
    for job in batch.iter_mut() {
        if let Err(e) = in_savepoint(conn, job.as_mut()) {
            // The savepoint machinery itself failed: the transaction is in an unknown state.
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    }
    if let Err(e) = exec(conn, "COMMIT") {
        // A failed COMMIT may leave the transaction open (e.g. SQLITE_BUSY); end it.
        if !conn.is_autocommit() {
            let _ = conn.execute_batch("ROLLBACK");
        }
        return Err(e);
    }
    Ok(())
}

fn in_savepoint(conn: &Connection, job: &mut dyn Job) -> OpResult<()> {
    exec(conn, "SAVEPOINT request")?;
    if !job.run(conn) {
        exec(conn, "ROLLBACK TO request")?;
    }
    exec(conn, "RELEASE request")
}

fn exec(conn: &Connection, sql: &str) -> OpResult<()> {
    conn.prepare_cached(sql)?.execute([])?;
    Ok(())
}

/// A few reader threads, each with its own connection, sharing one queue. WAL lets them read
/// committed data while the writer writes; every request runs in one read transaction, so it
/// sees one consistent state.
pub(crate) struct Readers {
    tx: Option<Sender<BoxedJob>>,
    threads: Vec<JoinHandle<()>>,
}

impl Readers {
    pub(crate) fn start(conns: Vec<Connection>) -> std::io::Result<Readers> {
        let (tx, rx) = mpsc::channel::<BoxedJob>();
        let rx = Arc::new(Mutex::new(rx));
        let mut threads = Vec::with_capacity(conns.len());
        for (i, conn) in conns.into_iter().enumerate() {
            let rx = rx.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("estado-sqlite-reader-{i}"))
                    .spawn(move || read_loop(conn, &rx))?,
            );
        }
        Ok(Readers {
            tx: Some(tx),
            threads,
        })
    }

    pub(crate) fn run<T, F>(&self, work: F) -> impl Future<Output = Result<T, StoreError>>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> OpResult<T> + Send + 'static,
    {
        submit(self.tx.as_ref(), "reader", work)
    }
}

impl Drop for Readers {
    fn drop(&mut self) {
        drop(self.tx.take());
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn read_loop(conn: Connection, rx: &Mutex<Receiver<BoxedJob>>) {
    loop {
        // Hold the queue's lock only while waiting, not while working.
        let next = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(mut job) = next else { return };
        let outcome = read_transaction(&conn, job.as_mut()).map_err(StoreError::from);
        job.answer(outcome);
    }
}

fn read_transaction(conn: &Connection, job: &mut dyn Job) -> Result<(), OpError> {
    exec(conn, "BEGIN")?;
    job.run(conn);
    let end = exec(conn, "COMMIT");
    if !conn.is_autocommit() {
        // Never leave the connection inside a transaction for the next request.
        let _ = conn.execute_batch("ROLLBACK");
    }
    end
}

#[cfg(test)]
mod tests {
    use super::*;

    fn writer_with_table() -> Writer {
        let conn = Connection::open_in_memory().expect("open");
        conn.execute_batch("CREATE TABLE t (v INTEGER)")
            .expect("create");
        Writer::start(conn).expect("start")
    }

    fn insert(v: i64) -> impl FnOnce(&Connection) -> OpResult<()> + Send + 'static {
        move |c: &Connection| {
            c.execute("INSERT INTO t (v) VALUES (?1)", [v])?;
            Ok(())
        }
    }

    async fn values(w: &Writer) -> Vec<i64> {
        w.run(|c| {
            let mut stmt = c.prepare("SELECT v FROM t ORDER BY v")?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            Ok(rows.collect::<rusqlite::Result<Vec<i64>>>()?)
        })
        .await
        .expect("read")
    }

    /// Holds the writer inside a request until the returned sender is dropped or used, so the
    /// requests queued meanwhile form the next batch.
    async fn hold(
        w: &Writer,
    ) -> (
        mpsc::Sender<()>,
        impl Future<Output = Result<(), StoreError>>,
    ) {
        let (started_tx, started_rx) = oneshot::channel();
        let (release_tx, release_rx) = mpsc::channel::<()>();
        let held = w.run(move |_| {
            let _ = started_tx.send(());
            let _ = release_rx.recv();
            Ok(())
        });
        let held = tokio::spawn(held);
        started_rx
            .await
            .expect("the writer runs the holding request");
        (release_tx, async move { held.await.expect("join") })
    }

    #[tokio::test]
    async fn requests_waiting_together_commit_together_and_a_failure_stays_alone() {
        let w = writer_with_table();
        let (release, held) = hold(&w).await;
        let a = w.run(insert(1));
        let b = w.run(|c| -> OpResult<()> {
            insert(2)(c)?;
            Err(StoreError::Conflict("b loses".into()).into())
        });
        let panics = w.run(|c| -> OpResult<()> {
            insert(4)(c)?;
            panic!("a bug in one request")
        });
        let d = w.run(insert(3));
        drop(release);
        held.await.expect("held");
        assert_eq!(a.await, Ok(()));
        assert!(matches!(b.await, Err(StoreError::Conflict(_))));
        assert!(matches!(
            panics.await,
            Err(StoreError::Backend {
                retryable: false,
                ..
            })
        ));
        assert_eq!(d.await, Ok(()));
        assert_eq!(
            values(&w).await,
            [1, 3],
            "the failed and the panicking request's inserts are rolled back, not the others'"
        );
        let stats = w.stats();
        assert_eq!(
            (stats.batches, stats.requests),
            (3, 6),
            "the holder's batch, one batch for the four waiting requests, the read"
        );
    }

    #[tokio::test]
    async fn a_lone_request_is_committed_without_waiting() {
        let w = writer_with_table();
        let started = std::time::Instant::now();
        w.run(insert(1)).await.expect("insert");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
        assert_eq!(values(&w).await, [1]);
    }

    #[tokio::test]
    async fn a_stopped_writer_answers_with_an_error() {
        let mut w = writer_with_table();
        drop(w.tx.take());
        let err = w.run(insert(1)).await.expect_err("stopped");
        assert!(matches!(
            err,
            StoreError::Backend {
                retryable: false,
                ..
            }
        ));
    }
}
