//! A small Step Functions API client: awsJson1.0 over HTTP/1.1 keep-alive connections,
//! unsigned (`estado serve` is open unless access keys are configured). Only the calls the load
//! phases make, each answering with the JSON document of the response.

use std::time::Duration;

use anyhow::{bail, Context as _};
use estado_json::{json, Value};
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::Url;

/// The role every machine the load phases create names; `estado serve` does not assume it.
const ROLE_ARN: &str = "arn:aws:iam::123456789012:role/estado-load";

/// Longest any one call may take before the phase gives up on it.
const CALL_TIMEOUT: Duration = Duration::from_secs(120);

/// One client per phase: it keeps up to `connections` idle keep-alive connections, so that a
/// phase with that many requests in flight reuses them instead of reconnecting.
pub struct Sfn {
    http: reqwest::Client,
    endpoint: Url,
    /// Further nodes sharing the first one's store: calls go to each endpoint in turn.
    peers: Vec<Url>,
    turn: std::sync::atomic::AtomicUsize,
}

/// An answer of one page of a list call.
pub struct Page {
    pub items: Vec<Value>,
    pub next_token: Option<String>,
}

impl Sfn {
    pub fn new(endpoint: Url, connections: usize) -> anyhow::Result<Sfn> {
        estado_functions::install_tls();
        let http = reqwest::Client::builder()
            .no_proxy()
            .tcp_nodelay(true)
            .pool_max_idle_per_host(connections.max(1))
            .timeout(CALL_TIMEOUT)
            .build()
            .context("cannot set up the HTTP client")?;
        Ok(Sfn {
            http,
            endpoint,
            peers: Vec::new(),
            turn: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// Spreads the calls over `endpoint` and `peers` (nodes sharing one store), in turn.
    pub fn with_peers(mut self, peers: Vec<Url>) -> Sfn {
        self.peers = peers;
        self
    }

    fn next_endpoint(&self) -> &Url {
        if self.peers.is_empty() {
            return &self.endpoint;
        }
        let turn =
            self.turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % (self.peers.len() + 1);
        if turn == 0 {
            &self.endpoint
        } else {
            &self.peers[turn - 1]
        }
    }

    /// `POST /` with `X-Amz-Target: AWSStepFunctions.<action>`. An error answer (any status
    /// but 200) is an `Err` naming AWS's error code and message.
    pub async fn call(&self, action: &str, body: &Value) -> anyhow::Result<Value> {
        self.call_body(action, serde_json::to_vec(body)?).await
    }

    /// [`Sfn::call`] with the request's JSON already written (see [`Sfn::body`]), so that a
    /// phase can write a large request before it starts its clock: what it times is then the
    /// server's work and the transfer, not the client's encoding.
    pub async fn call_body(&self, action: &str, body: Vec<u8>) -> anyhow::Result<Value> {
        let target = HeaderValue::from_str(&format!("AWSStepFunctions.{action}"))
            .with_context(|| format!("{action} is not a header value"))?;
        let endpoint = self.next_endpoint();
        let response = self
            .http
            .post(endpoint.clone())
            .header("X-Amz-Target", target)
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static("application/x-amz-json-1.0"),
            )
            .body(body)
            .send()
            .await
            .with_context(|| format!("{action}: no answer from {endpoint}"))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .with_context(|| format!("{action}: the answer was cut off"))?;
        let doc: Value = serde_json::from_slice(&bytes).with_context(|| {
            format!(
                "{action}: HTTP {status}, the body is not JSON: {}",
                String::from_utf8_lossy(&bytes[..bytes.len().min(200)])
            )
        })?;
        if !status.is_success() {
            let code = doc["__type"].as_str().unwrap_or("(no __type)");
            let message = doc["message"]
                .as_str()
                .or(doc["Message"].as_str())
                .unwrap_or("");
            bail!("{action}: HTTP {status} {code}: {message}");
        }
        Ok(doc)
    }

    /// Creates a machine of `kind` (`STANDARD` or `EXPRESS`) and answers its ARN.
    pub async fn create_state_machine(
        &self,
        name: &str,
        definition: &str,
        kind: &str,
    ) -> anyhow::Result<String> {
        let doc = self
            .call(
                "CreateStateMachine",
                &json!({"name": name, "definition": definition, "roleArn": ROLE_ARN, "type": kind}),
            )
            .await?;
        text(&doc, "stateMachineArn", "CreateStateMachine")
    }

    /// Starts an execution named `name` with `input` (JSON text) and answers its ARN.
    pub async fn start_execution(
        &self,
        machine_arn: &str,
        name: &str,
        input: &str,
    ) -> anyhow::Result<String> {
        let doc = self
            .call(
                "StartExecution",
                &json!({"stateMachineArn": machine_arn, "name": name, "input": input}),
            )
            .await?;
        text(&doc, "executionArn", "StartExecution")
    }

    /// The body of a StartExecution (or, `name` `None`, StartSyncExecution) request.
    pub fn start_body(
        machine_arn: &str,
        name: Option<&str>,
        input: &str,
    ) -> anyhow::Result<Vec<u8>> {
        let mut body = json!({"stateMachineArn": machine_arn, "input": input});
        if let Some(name) = name {
            body["name"] = json!(name);
        }
        Ok(serde_json::to_vec(&body)?)
    }

    /// StartExecution with a body from [`Sfn::start_body`]; answers the execution's ARN.
    pub async fn start_prepared(&self, body: Vec<u8>) -> anyhow::Result<String> {
        let doc = self.call_body("StartExecution", body).await?;
        text(&doc, "executionArn", "StartExecution")
    }

    /// StartSyncExecution with a body from [`Sfn::start_body`]: the whole response.
    pub async fn start_sync_prepared(&self, body: Vec<u8>) -> anyhow::Result<Value> {
        self.call_body("StartSyncExecution", body).await
    }

    /// DescribeExecution without the execution's input and output (`includedData`
    /// `METADATA_ONLY`): its status, error and cause, without the server sending back and
    /// this client parsing a large input each time it asks.
    pub async fn execution_status(&self, execution_arn: &str) -> anyhow::Result<Value> {
        self.call(
            "DescribeExecution",
            &json!({"executionArn": execution_arn, "includedData": "METADATA_ONLY"}),
        )
        .await
    }

    /// Runs an EXPRESS execution to its end and answers the whole response.
    pub async fn start_sync_execution(
        &self,
        machine_arn: &str,
        input: &str,
    ) -> anyhow::Result<Value> {
        self.call(
            "StartSyncExecution",
            &json!({"stateMachineArn": machine_arn, "input": input}),
        )
        .await
    }

    pub async fn describe_execution(&self, execution_arn: &str) -> anyhow::Result<Value> {
        self.call("DescribeExecution", &json!({"executionArn": execution_arn}))
            .await
    }

    /// One page of a machine's executions with `status` (newest first).
    pub async fn list_executions(
        &self,
        machine_arn: &str,
        status: &str,
        max_results: u32,
        next_token: Option<&str>,
    ) -> anyhow::Result<Page> {
        let mut body = json!({
            "stateMachineArn": machine_arn,
            "statusFilter": status,
            "maxResults": max_results,
        });
        if let Some(token) = next_token {
            body["nextToken"] = json!(token);
        }
        let doc = self.call("ListExecutions", &body).await?;
        page(doc, "executions")
    }

    /// Every execution of a machine with `status`, through all pages of 1,000.
    pub async fn list_all_executions(
        &self,
        machine_arn: &str,
        status: &str,
    ) -> anyhow::Result<Vec<Value>> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let p = self
                .list_executions(machine_arn, status, 1000, token.as_deref())
                .await?;
            all.extend(p.items);
            match p.next_token {
                Some(t) => token = Some(t),
                None => return Ok(all),
            }
        }
    }

    /// One page of an execution's history.
    pub async fn history_page(
        &self,
        execution_arn: &str,
        max_results: u32,
        reverse: bool,
        next_token: Option<&str>,
    ) -> anyhow::Result<Page> {
        let mut body = json!({
            "executionArn": execution_arn,
            "maxResults": max_results,
            "reverseOrder": reverse,
        });
        if let Some(token) = next_token {
            body["nextToken"] = json!(token);
        }
        let doc = self.call("GetExecutionHistory", &body).await?;
        page(doc, "events")
    }

    /// An execution's whole history, oldest first.
    pub async fn history(&self, execution_arn: &str) -> anyhow::Result<Vec<Value>> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let p = self
                .history_page(execution_arn, 1000, false, token.as_deref())
                .await?;
            all.extend(p.items);
            match p.next_token {
                Some(t) => token = Some(t),
                None => return Ok(all),
            }
        }
    }
}

fn text(doc: &Value, member: &str, action: &str) -> anyhow::Result<String> {
    match doc[member].as_str() {
        Some(s) => Ok(s.to_owned()),
        None => bail!("{action}: the answer has no {member}: {doc}"),
    }
}

fn page(mut doc: Value, member: &str) -> anyhow::Result<Page> {
    let items = match doc[member].take() {
        Value::Array(items) => items,
        other => bail!("the answer's {member} is not a list: {other}"),
    };
    let next_token = doc["nextToken"].as_str().map(str::to_owned);
    Ok(Page { items, next_token })
}

/// The output of a finished execution (`output` is JSON text inside the JSON answer).
pub fn output_of(answer: &Value) -> Option<Value> {
    serde_json::from_str(answer["output"].as_str()?).ok()
}
