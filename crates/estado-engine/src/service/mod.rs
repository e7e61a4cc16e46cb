//! The API verbs, one file per group of operations. Methods take and return plain domain
//! take the operation's input shape and return its output shape (`estado_api::shapes`), or an
//! [`ApiError`] with AWS's code.

pub mod activities;
pub mod aliases;
pub mod dispatch;
pub mod executions;
pub mod express;
pub mod map_runs;
pub mod nested;
pub mod state_machines;
pub mod tags;
pub mod tasks;
pub mod test_state;
pub mod validate;
pub mod versions;

use std::sync::Arc;

use estado_store::{Store, StoreError};

use crate::runtime::Runtime;

pub use dispatch::dispatch;
pub use estado_api::{ApiError, ErrorCode};

/// Store failures that reach a verb unhandled are the service's fault, not the caller's.
pub fn internal(e: StoreError) -> ApiError {
    ApiError::new(ErrorCode::InternalFailure, e.to_string())
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Keyset paging, step one: the cursor a request's `nextToken` carries (none on the first
/// page). Tokens are scoped to one listing; another listing's token is `InvalidToken`.
pub(crate) fn page_cursor<C: serde::de::DeserializeOwned>(
    scope: &str,
    token: &Option<String>,
) -> ApiResult<Option<C>> {
    token
        .as_deref()
        .map(|t| estado_api::paging::decode_token(scope, t))
        .transpose()
}

/// Keyset paging, step two: `rows` were fetched with `limit + 1`; keep `limit` and, when
/// there were more, make the next token from the last row kept.
pub(crate) fn page_out<T, C: serde::Serialize>(
    mut rows: Vec<T>,
    limit: usize,
    scope: &str,
    cursor: impl Fn(&T) -> C,
) -> (Vec<T>, Option<String>) {
    if rows.len() <= limit {
        return (rows, None);
    }
    rows.truncate(limit);
    let token = rows
        .last()
        .map(|last| estado_api::paging::encode_token(scope, &cursor(last)));
    (rows, token)
}

/// Where the service lives by default: the account and region in its ARNs.
#[derive(Debug, Clone)]
pub struct ServiceConfig {
    pub account: String,
    pub region: String,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            account: "123456789012".into(),
            region: "us-east-1".into(),
        }
    }
}

/// Per request: the region (from the request's SigV4 credential scope, else the configured
/// one) and the account its ARNs use.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub account: String,
    pub region: String,
}

impl Ctx {
    /// `arn:aws:states:REGION:ACCOUNT:<kind>:<rest>`.
    pub fn arn(&self, kind: &str, rest: &str) -> String {
        format!(
            "arn:aws:states:{}:{}:{}:{}",
            self.region, self.account, kind, rest
        )
    }
}

/// The Step Functions service: every API verb, as `verb(&self, &Ctx, Input) -> ApiResult<Output>`.
pub struct Service {
    pub runtime: Arc<Runtime>,
    pub store: Arc<dyn Store>,
    pub config: ServiceConfig,
    /// GetActivityTask's long-poll time (AWS: 60 s).
    pub activity_poll: std::time::Duration,
}

impl Service {
    pub fn new(runtime: Arc<Runtime>, config: ServiceConfig) -> Arc<Self> {
        Self::with_activity_poll(runtime, config, tasks::ACTIVITY_POLL)
    }

    /// [`Service::new`] with another GetActivityTask long-poll time (tests).
    pub fn with_activity_poll(
        runtime: Arc<Runtime>,
        config: ServiceConfig,
        activity_poll: std::time::Duration,
    ) -> Arc<Self> {
        let service = Arc::new(Service {
            store: runtime.store.clone(),
            runtime,
            config,
            activity_poll,
        });
        // Nested executions (`states:startExecution` tasks) start through the service.
        service.runtime.attach_service(&service);
        service
    }
    pub fn now_ms(&self) -> i64 {
        self.runtime.clock.now_ms()
    }
    /// The context of a request that names no region.
    pub fn default_ctx(&self) -> Ctx {
        Ctx {
            account: self.config.account.clone(),
            region: self.config.region.clone(),
        }
    }
}
