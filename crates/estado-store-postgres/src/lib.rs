//! Estado's shared storage backend: several `estado serve` nodes on one PostgreSQL database.
//!
//! Work is spread through the database: executions and dispatches are claimed with leases
//! (`FOR UPDATE SKIP LOCKED`, so concurrent claimers never wait for each other nor take the
//! same row), and every step commit locks its execution's row and checks its version and lease
//! owner, so two nodes never advance one execution. A node that dies loses nothing: its leases
//! end and the other nodes claim its executions and dispatches from their last commit.
//!
//! Nodes tell each other what the database alone would make them poll for with `NOTIFY` on the
//! channel [`CHANNEL`], sent once the step that caused it has committed: an activity task was
//! queued (long polls of `GetActivityTask` on every node look again), or an execution finished
//! (`StopExecution` and `.sync` waits on every node hear of it). The notifications go out in
//! batches, in transactions of their own: PostgreSQL serialises every committing transaction
//! that notifies (a database-wide lock held through the commit's WAL flush), so notifying from
//! each step commit would limit the whole cluster to one commit per flush. A node that dies
//! between a commit and its batch loses those signals; the waiters' own polls are the backstop.
//! Each store keeps one extra connection that listens; [`PostgresStore::subscribe`] hands the
//! signals out.
//!
//! The schema lives in numbered files under `migrations/`, applied on connect under an advisory
//! lock. It goes in the connection's current schema, so `options=-csearch_path=NAME` in the URL
//! keeps several Estado instances (or test runs) apart in one database.

mod commits;
mod creates;
mod error;
mod groups;
mod listen;
mod machines;
mod migrate;
mod ops;
mod store;

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use estado_store::StoreError;
use tokio::sync::broadcast;
use tokio_postgres::NoTls;

use crate::error::{invalid, pg, pool};
use crate::machines::MachineCache;

pub use crate::listen::{Signal, CHANNEL};

/// How a store connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// Connections in the pool (besides the one that listens). Each step commit holds one for
    /// its transaction.
    pub pool_size: usize,
    /// How long a state machine record read to start executions is used again without reading
    /// it (0: read every time). A change another node makes is normally seen when its
    /// notification arrives, milliseconds after its commit; this bounds how long a lost
    /// notification leaves a node with the old record (see `machines.rs`).
    pub machine_cache_ms: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            pool_size: 16,
            machine_cache_ms: 1_000,
        }
    }
}

/// A [`estado_store::Store`] in a PostgreSQL database.
pub struct PostgresStore {
    pool: Pool,
    machines: Arc<MachineCache>,
    signals: broadcast::Sender<Signal>,
    listener: tokio::task::JoinHandle<()>,
    outgoing: tokio::sync::mpsc::UnboundedSender<String>,
    notifier: tokio::task::JoinHandle<()>,
    creates: tokio::sync::mpsc::UnboundedSender<creates::Pending>,
    commits: tokio::sync::mpsc::UnboundedSender<commits::Pending>,
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        self.listener.abort();
        self.notifier.abort();
    }
}

/// Payloads sent in one notifying transaction at most.
const NOTIFY_BATCH: usize = 1_000;

impl PostgresStore {
    /// Connects to the database at `url` (`postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?...]`,
    /// or the `key=value` form), brings its schema up to date and starts listening. The URL may
    /// carry `pool_size=N` among its query parameters ([`Options::pool_size`]).
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let (url, options) = split_options(url)?;
        Self::connect_with(&url, &options).await
    }

    /// [`PostgresStore::connect`] with explicit [`Options`].
    pub async fn connect_with(url: &str, options: &Options) -> Result<PostgresStore, StoreError> {
        let config = tokio_postgres::Config::from_str(url)
            .map_err(|e| invalid(format!("invalid PostgreSQL URL: {e}")))?;
        {
            let (mut client, conn) = config.connect(NoTls).await.map_err(pg)?;
            let driver = tokio::spawn(conn);
            let migrated = migrate::migrate(&mut client).await;
            drop(client);
            let _ = driver.await;
            migrated?;
        }
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(options.pool_size.max(1))
            .build()
            .map_err(|e| invalid(format!("cannot build the connection pool: {e}")))?;
        let (signals, _) = broadcast::channel(4096);
        let machines = Arc::new(MachineCache::new(Duration::from_millis(
            options.machine_cache_ms,
        )));
        let listener = tokio::spawn(listen::run(config, signals.clone(), machines.clone()));
        let (outgoing, queue) = tokio::sync::mpsc::unbounded_channel();
        let notifier = tokio::spawn(send_notifications(pool.clone(), queue));
        // Ends when the store (the queue's sender) is dropped, after the groups it holds.
        let (creates, pending) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(creates::run(pool.clone(), pending));
        let (commits, pending) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(commits::run(pool.clone(), pending));
        Ok(PostgresStore {
            pool,
            machines,
            signals,
            listener,
            outgoing,
            notifier,
            creates,
            commits,
        })
    }

    /// What other nodes (and this one) committed that waiting callers may care about. A
    /// receiver that lags misses signals, and a listening connection that is lost and
    /// re-established may have missed some: it then sends [`Signal::Reconnected`].
    pub fn subscribe(&self) -> broadcast::Receiver<Signal> {
        self.signals.subscribe()
    }

    async fn conn(&self) -> Result<deadpool_postgres::Object, StoreError> {
        self.pool.get().await.map_err(pool)
    }

    /// Queues a `NOTIFY` payload for the next batch.
    fn notify(&self, payload: String) {
        let _ = self.outgoing.send(payload);
    }

    /// A state machine's record changed (committed): this node's cache drops it now, the other
    /// nodes' when the notification arrives.
    fn machine_changed(&self, arn: &str) {
        self.machines.invalidate(arn);
        self.notify(listen::machine_changed(arn));
    }
}

/// Takes Estado's own query parameters (`pool_size`, `machine_cache_ms`) out of a
/// `postgres://` URL.
fn split_options(url: &str) -> Result<(String, Options), StoreError> {
    let mut options = Options::default();
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_owned(), options));
    };
    let mut kept = Vec::new();
    for pair in query.split('&') {
        match pair.split_once('=') {
            Some(("pool_size", n)) => {
                options.pool_size = n
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=1_000).contains(n))
                    .ok_or_else(|| {
                        invalid(format!("pool_size={n} in the store URL is not 1 to 1000"))
                    })?;
            }
            Some(("machine_cache_ms", n)) => {
                options.machine_cache_ms = n
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n <= 3_600_000)
                    .ok_or_else(|| {
                        invalid(format!(
                            "machine_cache_ms={n} in the store URL is not 0 to 3600000"
                        ))
                    })?;
            }
            _ => kept.push(pair),
        }
    }
    let url = if kept.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", kept.join("&"))
    };
    Ok((url, options))
}

/// Sends queued payloads, everything waiting at that moment in one statement (one transaction).
async fn send_notifications(pool: Pool, mut queue: tokio::sync::mpsc::UnboundedReceiver<String>) {
    while let Some(first) = queue.recv().await {
        let mut batch = vec![first];
        while batch.len() < NOTIFY_BATCH {
            match queue.try_recv() {
                Ok(p) => batch.push(p),
                Err(_) => break,
            }
        }
        let sent = async {
            let c = pool.get().await.map_err(crate::error::pool)?;
            ops::execute(
                &c,
                "SELECT pg_notify($1, p) FROM UNNEST($2::text[]) AS t(p)",
                &[&CHANNEL, &batch],
            )
            .await
        };
        if let Err(e) = sent.await {
            tracing::warn!(
                "{} notifications to other nodes were lost: {e}",
                batch.len()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_size_is_taken_out_of_the_url() {
        let (url, o) = split_options("postgres://u@h/db?pool_size=40&options=-cx%3Dy").unwrap();
        assert_eq!(
            (url.as_str(), o.pool_size),
            ("postgres://u@h/db?options=-cx%3Dy", 40)
        );
        let (url, o) = split_options("postgres://u@h/db?pool_size=3").unwrap();
        assert_eq!((url.as_str(), o.pool_size), ("postgres://u@h/db", 3));
        let (url, o) = split_options("postgres://u@h/db?machine_cache_ms=0&x=1").unwrap();
        assert_eq!(
            (url.as_str(), o.machine_cache_ms, o.pool_size),
            ("postgres://u@h/db?x=1", 0, 16)
        );
        assert!(split_options("postgres://u@h/db?machine_cache_ms=-1").is_err());
        let (url, o) = split_options("postgres://u@h/db").unwrap();
        assert_eq!((url.as_str(), o), ("postgres://u@h/db", Options::default()));
        assert!(split_options("postgres://u@h/db?pool_size=0").is_err());
    }
}
