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

use std::panic::{catch_unwind, AssertUnwindSafe};
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

/// Sends `work` to a thread through `tx` and waits for its answer.
async fn submit<T, F>(tx: &Sender<BoxedJob>, what: &str, work: F) -> Result<T, StoreError>
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
    tx.send(job).map_err(|_| stopped(what))?;
    answer.await.map_err(|_| stopped(what))?
}

/// The single writer thread and its channel.
pub(crate) struct Writer {
    tx: Option<Sender<BoxedJob>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    pub(crate) fn start(conn: Connection) -> std::io::Result<Writer> {
        let (tx, rx) = mpsc::channel::<BoxedJob>();
        let thread = std::thread::Builder::new()
            .name("estado-sqlite-writer".into())
            .spawn(move || write_loop(conn, rx))?;
        Ok(Writer {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// Runs `work` in the next group commit; answers once it is durable (or failed).
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> OpResult<T> + Send + 'static,
    {
        match &self.tx {
            Some(tx) => submit(tx, "writer", work).await,
            None => Err(stopped("writer")),
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

fn write_loop(conn: Connection, rx: Receiver<BoxedJob>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let outcome = run_batch(&conn, &mut batch).map_err(StoreError::from);
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

    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> OpResult<T> + Send + 'static,
    {
        match &self.tx {
            Some(tx) => submit(tx, "reader", work).await,
            None => Err(stopped("reader")),
        }
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
