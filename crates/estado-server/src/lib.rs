//! Estado's HTTP front end: the AWS Step Functions API as AWS serves it (awsJson1_0), so the
//! AWS CLI, boto3 and the SDKs work against it unchanged.
//!
//! - `POST /` with `X-Amz-Target: AWSStepFunctions.<Operation>` (header name in any case) and
//!   a JSON body: `200` with the output, or AWS's error status and `{"__type", "message"}`.
//!   Every answer has `Content-Type: application/x-amz-json-1.0` and `x-amzn-RequestId`.
//! - `GET /health`: `200 {"status":"ok"}`.
//! - Any `Host` is accepted (clients prepend `sync-` to the host for `StartSyncExecution`).
//! - Authentication: open by default; with access keys, SigV4 for the service `states`
//!   ([`Auth`]). The region of the request's credential scope, when it has one, is the region
//!   of the ARNs it creates.
//! - No request can crash the server: a panic while handling one is a 500 `InternalFailure`
//!   for that request, and a client's mistake is always a 4xx.
//!
//! [`serve`] runs the server on a listener until a shutdown future completes; tests start it
//! on port 0.

pub mod auth;
mod errors;
mod health;
mod router;
pub mod sigv4;

use std::future::Future;
use std::sync::Arc;

use estado_engine::service::Service;
use tokio::net::TcpListener;

pub use auth::{AccessKey, Auth};
pub use errors::REQUEST_ID_HEADER;
pub use health::HEALTHY;
pub use router::router;

/// The largest request body accepted. A definition may have 1 MiB of characters, and JSON
/// escaping inside the request can more than double that.
pub const DEFAULT_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    pub service: Arc<Service>,
    pub auth: Arc<Auth>,
    /// Bodies larger than this are refused with a 400 before they are decoded.
    pub body_limit: usize,
}

impl AppState {
    pub fn new(service: Arc<Service>, auth: Auth) -> Self {
        AppState {
            service,
            auth: Arc::new(auth),
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }

    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }
}

/// Serves the API on `listener` until `shutdown` completes, then stops accepting connections
/// and returns once the requests in flight have been answered. Bounding that wait (a
/// `GetActivityTask` long poll lasts up to a minute) is the caller's choice.
pub async fn serve(
    listener: TcpListener,
    app: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (closing_tx, closing) = tokio::sync::watch::channel(false);
    let shutdown = async move {
        shutdown.await;
        // End the console's live streams, which would otherwise hold the graceful stop.
        let _ = closing_tx.send(true);
    };
    axum::serve(listener, router::build(app, closing))
        .with_graceful_shutdown(shutdown)
        .await
}
