//! Shared by the service test files: a `Service` over the in-memory store.

use std::sync::Arc;

use estado_engine::service::{Ctx, Service, ServiceConfig};
use estado_engine::{Runtime, RuntimeConfig, SystemClock};
use estado_store::memory::MemoryStore;
use estado_store::Store;

/// A service over a fresh in-memory store (its runtime loop is not running: enough for the
/// metadata verbs).
pub fn service() -> (Arc<Service>, Ctx) {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let runtime = Runtime::new(
        store,
        Arc::new(SystemClock),
        RuntimeConfig::default(),
        estado_engine::Registry::default(),
    );
    let service = Service::new(runtime, ServiceConfig::default());
    let ctx = service.default_ctx();
    (service, ctx)
}
