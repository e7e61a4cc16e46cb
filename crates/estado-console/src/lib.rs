//! Estado's web console, served by `estado serve` next to the API.
//!
//! - `GET /`: the console page. The API stays `POST /` (selected by `X-Amz-Target`), so the
//!   two share the root path without conflict.
//! - `GET /console/assets/<file>`: the page's scripts and styles, embedded in the binary at
//!   build time (no CDN, no node at build time). Answers carry an `ETag`; a matching
//!   `If-None-Match` gets `304`.
//! - `GET /console/stream[?executionArn=ARN]`: server-sent events saying *that* something
//!   advanced, never *what*: the console reads every fact through the public API. With an
//!   `executionArn`, an `progress` event (data: the ARN) follows each step that execution
//!   commits, at most every [`EXECUTION_EVERY`]; without one, a `progress` event (data `*`)
//!   follows any step, at most every [`ANY_EVERY`]. A `resync` event means notifications were
//!   lost (the receiver lagged) and the page should reread. When the server requires signed
//!   requests the stream is closed to everyone (`403`), since it would name executions to
//!   unauthenticated callers; the console then polls the API instead. Streams end when the
//!   server starts shutting down ([`Live::closing`]), so they never hold up a graceful stop.

mod assets;
mod stream;

use std::sync::Arc;

use axum::routing::get;
use axum::Router;
use tokio::sync::{broadcast, watch};

pub use stream::{ANY_EVERY, EXECUTION_EVERY};

/// Subscribes to executions advancing: each message is the ARN of an execution that committed
/// a step.
pub type Subscribe = Arc<dyn Fn() -> broadcast::Receiver<Arc<str>> + Send + Sync>;

/// What the live stream needs.
#[derive(Clone)]
pub struct Live {
    pub subscribe: Subscribe,
    /// Becomes `true` when the server shuts down; every stream then ends. A dropped sender
    /// means no shutdown will be announced.
    pub closing: watch::Receiver<bool>,
}

/// The console's routes. `live` is `None` when the stream must stay closed (signed requests
/// required).
pub fn router(live: Option<Live>) -> Router {
    Router::new()
        .route("/", get(assets::index))
        .route("/console/assets/{*path}", get(assets::asset))
        .route("/console/stream", get(stream::stream))
        .with_state(live)
}
