//! The in-memory backend against the shared suite: one test per contract.

use estado_store::memory::MemoryStore;

estado_store::store_suite!(|| async { MemoryStore::new() });

/// `run_all` (the single-call entry point other backends may use) runs the same checks.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_all_runs_every_check() {
    estado_store::suite::run_all(|| async { MemoryStore::new() }).await;
}
