//! Lambda functions run locally, engine-independent.
//!
//! A [`FunctionHost`] holds the functions of one process ([`spec`]: how `estado.toml` declares
//! them). Calling one ([`FunctionHost::invoke`]) behaves like Lambda's synchronous Invoke:
//! the answer is the function's payload, marked as a function error when the handler failed,
//! timed out (`Sandbox.Timedout`, the worker is killed) or its process died
//! (`Runtime.ExitError`); failures to reach a function at all (no such function, a payload that
//! is not JSON, an endpoint that does not answer) are [`InvokeError`]s, as Lambda's exceptions.
//!
//! Local functions run in warm worker processes that speak the AWS Lambda Runtime API
//! ([`runtime_api`]): Python handlers through the bootstrap embedded here ([`BOOTSTRAP_PY`],
//! standard library only), anything else (`python3 -m awslambdaric`, a `lambda_runtime` binary)
//! as a `command`. Functions declared with an `endpoint` are called over the Invoke API.

use std::collections::BTreeMap;
use std::sync::Arc;

pub mod endpoint;
pub mod invoke;
mod pool;
pub mod runtime_api;
pub mod spec;
mod worker;

pub use invoke::{Invocation, InvokeError, InvokeOutput};
pub use pool::rss_kb;
pub use spec::{FunctionConfig, FunctionSpec, Source, SpecError};

/// Estado's Python bootstrap (a Runtime API client using only the standard library).
pub const BOOTSTRAP_PY: &str = include_str!("bootstrap.py");

/// Where worker output goes: `(function name, line)`.
pub type LogSink = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// What every function of a host shares.
pub struct HostSettings {
    /// `AWS_REGION` of the workers.
    pub region: String,
    /// Variables set in every worker before the function's own `environment`.
    pub extra_env: Vec<(String, String)>,
    pub log_sink: LogSink,
    /// A Lambda Invoke API that runs every function not declared here (Step Functions
    /// Local's `LAMBDA_ENDPOINT`).
    pub fallback_endpoint: Option<String>,
}

impl Default for HostSettings {
    fn default() -> Self {
        HostSettings {
            region: "us-east-1".into(),
            extra_env: Vec::new(),
            log_sink: Arc::new(|name, line| eprintln!("[{name}] {line}")),
            fallback_endpoint: None,
        }
    }
}

enum Hosted {
    Local(Arc<pool::Pool>),
    Endpoint { url: String, spec: FunctionSpec },
}

/// The functions of one process, by name.
pub struct FunctionHost {
    functions: BTreeMap<String, Hosted>,
    client: reqwest::Client,
    fallback: Option<String>,
}

impl FunctionHost {
    /// Host `specs`. Workers start on the first call (must be called inside a Tokio runtime).
    pub fn new(specs: Vec<FunctionSpec>, settings: HostSettings) -> Self {
        let fallback = settings
            .fallback_endpoint
            .as_ref()
            .map(|u| u.trim_end_matches('/').to_owned());
        let settings = Arc::new(settings);
        let functions = specs
            .into_iter()
            .map(|spec| {
                let name = spec.name.clone();
                let hosted = match &spec.source {
                    Source::Endpoint { url } => Hosted::Endpoint {
                        url: url.clone(),
                        spec,
                    },
                    _ => Hosted::Local(pool::Pool::new(spec, settings.clone())),
                };
                (name, hosted)
            })
            .collect();
        install_tls();
        FunctionHost {
            functions,
            client: reqwest::Client::new(),
            fallback,
        }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.functions.keys().map(String::as_str)
    }

    /// Whether calls to `name` go somewhere: a declared function, or the fallback endpoint.
    pub fn contains(&self, name: &str) -> bool {
        self.functions.contains_key(name) || self.fallback.is_some()
    }

    /// Call `name` synchronously. `function_arn` is the ARN errors and the function see.
    pub async fn invoke(
        &self,
        name: &str,
        function_arn: &str,
        inv: Invocation,
    ) -> Result<InvokeOutput, InvokeError> {
        let Some(hosted) = self.functions.get(name) else {
            return match &self.fallback {
                // The other side knows its functions and their timeouts.
                Some(url) => {
                    let longest = std::time::Duration::from_secs(900);
                    endpoint::invoke(&self.client, url, name, longest, inv).await
                }
                None => Err(InvokeError::not_found(function_arn)),
            };
        };
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(&inv.payload) {
            return Err(InvokeError {
                code: "InvalidRequestContentException".into(),
                message: format!("Could not parse request body into json: {e}"),
                status: 400,
            });
        }
        match hosted {
            Hosted::Local(pool) => pool.invoke(inv).await,
            Hosted::Endpoint { url, spec } => {
                endpoint::invoke(&self.client, url, name, spec.timeout, inv).await
            }
        }
    }

    /// Process ids of `name`'s live workers.
    pub fn worker_pids(&self, name: &str) -> Vec<u32> {
        match self.functions.get(name) {
            Some(Hosted::Local(p)) => p.worker_pids(),
            _ => Vec::new(),
        }
    }

    /// Stop every idle worker now; busy ones stop when their call ends.
    pub fn shutdown(&self) {
        for h in self.functions.values() {
            if let Hosted::Local(p) = h {
                p.stop();
            }
        }
    }
}

impl Drop for FunctionHost {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Make ring the process's TLS crypto, as every HTTP client Estado builds needs one (reqwest
/// with rustls and no provider of its own refuses to build a client otherwise). Call it before
/// building a client; calling it again does nothing.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}
