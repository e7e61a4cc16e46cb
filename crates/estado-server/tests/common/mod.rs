//! A server on 127.0.0.1:0 over the in-memory store, with its runtime loop, and a client.

#![allow(dead_code)] // each test file uses its own part of this

use std::sync::Arc;

use estado_engine::service::{Service, ServiceConfig};
use estado_engine::{Runtime, RuntimeConfig, SystemClock};
use estado_server::{AppState, Auth};
use estado_store::memory::MemoryStore;
use reqwest::header::HeaderMap;
use serde_json::Value;
use tokio::sync::watch;

pub const ACCOUNT: &str = "123456789012";
pub const REGION: &str = "us-east-1";

pub struct TestServer {
    pub base: String,
    pub client: reqwest::Client,
    stop: watch::Sender<bool>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// One answer: status, headers and the body as JSON (`Value::Null` when it is not JSON).
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    /// The code of an error answer, after the `namespace#`.
    pub fn error_code(&self) -> &str {
        let t = self.body["__type"].as_str().unwrap_or("");
        t.rsplit('#').next().unwrap_or(t)
    }

    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or("")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl TestServer {
    pub async fn start(auth: Auth) -> TestServer {
        TestServer::start_with(auth, estado_server::DEFAULT_BODY_LIMIT).await
    }

    pub async fn start_with(auth: Auth, body_limit: usize) -> TestServer {
        let store = Arc::new(MemoryStore::new());
        let config = RuntimeConfig {
            time_scale: 0.0,
            poll_ms: 50,
            ..Default::default()
        };
        let runtime = Runtime::new(
            store,
            Arc::new(SystemClock),
            config,
            estado_engine::Registry::default(),
        );
        let service = Service::new(
            runtime.clone(),
            ServiceConfig {
                account: ACCOUNT.into(),
                region: REGION.into(),
            },
        );
        let (stop, stopped) = watch::channel(false);
        let until = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        tokio::spawn(runtime.run(until(stopped.clone())));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap_or_else(|e| panic!("bind: {e}"));
        let port = listener
            .local_addr()
            .unwrap_or_else(|e| panic!("{e}"))
            .port();
        let app = AppState::new(service, auth).with_body_limit(body_limit);
        let server = tokio::spawn(estado_server::serve(listener, app, until(stopped)));
        // reqwest is built with rustls and no crypto of its own (see estado_functions::install_tls).
        let _ = rustls::crypto::ring::default_provider().install_default();
        TestServer {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            stop,
            server,
        }
    }

    /// `POST /` with `X-Amz-Target: AWSStepFunctions.<op>` and `body`.
    pub async fn call(&self, op: &str, body: &str) -> Answer {
        self.send(
            self.client
                .post(format!("{}/", self.base))
                .header("X-Amz-Target", format!("AWSStepFunctions.{op}"))
                .header("Content-Type", "application/x-amz-json-1.0")
                .body(body.to_owned()),
        )
        .await
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Answer {
        let res = req.send().await.unwrap_or_else(|e| panic!("request: {e}"));
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.unwrap_or_else(|e| panic!("body: {e}"));
        Answer {
            status,
            headers,
            body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        }
    }

    /// Stops accepting, waits for the server to return.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let result = self
            .server
            .await
            .unwrap_or_else(|e| panic!("server task: {e}"));
        result.unwrap_or_else(|e| panic!("server: {e}"));
    }
}
