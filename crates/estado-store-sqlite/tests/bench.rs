//! Throughput of `commit_step` on this machine's disk under 1, 16 and 256 concurrent callers,
//! and of reads beside a write load with and without reader connections. Ignored by default:
//! `cargo test -p estado-store-sqlite --test bench -- --ignored --nocapture`.

mod common;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use estado_store::suite::{event, execution_arn, inbox, new_execution};
use estado_store::{StepCommit, Store};
use estado_store_sqlite::{Options, SqliteStore};

const RUN: Duration = Duration::from_secs(3);

/// A step as the engine writes one: three events, a ~2 KiB snapshot, the previous timer
/// cancelled and a new one started.
fn step(arn: &str, version: u64) -> StepCommit {
    let first = 2 + 3 * version as i64;
    StepCommit {
        execution_arn: arn.to_owned(),
        expected_version: version,
        snapshot: vec![b'x'; 2048],
        events: (first..first + 3).map(event).collect(),
        cancel_keys: vec![version],
        new_inbox: vec![inbox(i64::MAX / 2, Some(version + 1))],
        ..Default::default()
    }
}

async fn setup(store: &SqliteStore, callers: usize) {
    for i in 0..callers {
        let e = new_execution("bench", &format!("e{i}"), i as i64, 1, vec![]);
        store.create_execution(e).await.expect("create");
    }
}

/// Every caller commits steps of its own execution back to back until `stop`.
fn spawn_committers(
    store: &Arc<SqliteStore>,
    callers: usize,
    stop: &Arc<AtomicBool>,
    done: &Arc<AtomicU64>,
) -> Vec<tokio::task::JoinHandle<Vec<Duration>>> {
    (0..callers)
        .map(|i| {
            let (store, stop, done) = (store.clone(), stop.clone(), done.clone());
            tokio::spawn(async move {
                let arn = execution_arn("bench", &format!("e{i}"));
                let mut latencies = Vec::new();
                let mut version = 0;
                while !stop.load(Ordering::Relaxed) {
                    let t = Instant::now();
                    store
                        .commit_step("bench", step(&arn, version))
                        .await
                        .expect("commit");
                    latencies.push(t.elapsed());
                    version += 1;
                    done.fetch_add(1, Ordering::Relaxed);
                }
                latencies
            })
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: seconds of disk writes"]
async fn commit_throughput() {
    for callers in [1, 16, 256] {
        let store = Arc::new(SqliteStore::open(&common::fresh_db("bench")).expect("open"));
        setup(&store, callers).await;
        let before = store.commit_stats();
        let (stop, done) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicU64::new(0)),
        );
        let started = Instant::now();
        let workers = spawn_committers(&store, callers, &stop, &done);
        tokio::time::sleep(RUN).await;
        stop.store(true, Ordering::Relaxed);
        let mut latencies = Vec::new();
        for w in workers {
            latencies.extend(w.await.expect("committer"));
        }
        let elapsed = started.elapsed().as_secs_f64();
        let after = store.commit_stats();
        latencies.sort();
        let commits = done.load(Ordering::Relaxed);
        let batches = after.batches - before.batches;
        println!(
            "{callers:>4} callers: {:>7.0} commits/s, {:>5.0} transactions/s, {:>5.1} commits per \
             transaction, latency p50 {:>6.2} ms p99 {:>6.2} ms",
            commits as f64 / elapsed,
            batches as f64 / elapsed,
            (after.requests - before.requests) as f64 / batches.max(1) as f64,
            percentile(&latencies, 0.5).as_secs_f64() * 1e3,
            percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        );
    }
}

/// Reads (describe + a history page) beside 16 committers: on reader connections, or on the
/// writer (where each read waits for a group commit).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: seconds of disk writes"]
async fn reads_beside_writes() {
    for readers in [3, 0] {
        let path = common::fresh_db("bench-reads");
        let store = Arc::new(SqliteStore::open_with(&path, &Options { readers }).expect("open"));
        setup(&store, 16).await;
        let (stop, done) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicU64::new(0)),
        );
        let reads = Arc::new(AtomicU64::new(0));
        let started = Instant::now();
        let writers = spawn_committers(&store, 16, &stop, &done);
        let readers_tasks: Vec<_> = (0..16)
            .map(|i| {
                let (store, stop, reads) = (store.clone(), stop.clone(), reads.clone());
                tokio::spawn(async move {
                    let arn = execution_arn("bench", &format!("e{i}"));
                    while !stop.load(Ordering::Relaxed) {
                        store.get_execution(&arn).await.expect("describe");
                        store.history(&arn, 0, false, 100).await.expect("history");
                        reads.fetch_add(1, Ordering::Relaxed);
                    }
                })
            })
            .collect();
        tokio::time::sleep(RUN).await;
        stop.store(true, Ordering::Relaxed);
        for w in writers {
            w.await.expect("committer");
        }
        for r in readers_tasks {
            r.await.expect("reader");
        }
        let elapsed = started.elapsed().as_secs_f64();
        println!(
            "readers={readers}: {:>7.0} reads/s (describe + 100 events) beside {:>6.0} commits/s",
            reads.load(Ordering::Relaxed) as f64 / elapsed,
            done.load(Ordering::Relaxed) as f64 / elapsed,
        );
    }
}
