//! Real worker processes (python3 with Estado's bootstrap) behind a real Runtime API.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use estado_functions::{
    FunctionConfig, FunctionHost, FunctionSpec, HostSettings, Invocation, InvokeOutput,
};
use serde_json::{json, Value};

const HANDLERS: &str = r#"
import json, os, sys, time

def echo(event, context):
    return event

def pid(event, context):
    return os.getpid()

def ctx(event, context):
    return {
        "name": context.function_name,
        "version": context.function_version,
        "arn": context.invoked_function_arn,
        "memory": context.memory_limit_in_mb,
        "request_id": context.aws_request_id,
        "remaining_ok": 0 < context.get_remaining_time_in_millis() <= 2000,
        "env": os.environ.get("GREETING"),
        "region": os.environ.get("AWS_REGION"),
        "cwd_is_root": os.getcwd() == os.environ["LAMBDA_TASK_ROOT"],
    }

class OrderRejected(Exception):
    pass

def fail(event, context):
    raise OrderRejected("item " + str(event["item"]) + " is out of stock")

def slow(event, context):
    time.sleep(event["seconds"])
    return os.getpid()

def crash(event, context):
    os._exit(3)

def raw(event, context):
    return b'"raw bytes"'

def unserialisable(event, context):
    return {1, 2}

def hog(event, context):
    data = b"x" * (event["mb"] * 1024 * 1024)
    time.sleep(0.5)
    return len(data)

def chatty(event, context):
    print("hello from the handler")
    return "ok"
"#;

fn code_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("estado-fn-test-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("app.py"), HANDLERS).unwrap();
    std::fs::write(dir.join("broken.py"), "import no_such_module_here\n").unwrap();
    dir
}

fn spec(dir: &Path, name: &str, handler: &str, extra: &str) -> FunctionSpec {
    let cfg: FunctionConfig = toml::from_str(&format!("handler = \"{handler}\"\n{extra}")).unwrap();
    cfg.resolve(name, dir).unwrap()
}

struct Host {
    host: FunctionHost,
    logs: Arc<Mutex<Vec<String>>>,
}

fn host(specs: Vec<FunctionSpec>) -> Host {
    let logs = Arc::new(Mutex::new(Vec::new()));
    let sink = logs.clone();
    let host = FunctionHost::new(
        specs,
        HostSettings {
            region: "eu-west-1".into(),
            extra_env: vec![],
            log_sink: Arc::new(move |name, line| {
                sink.lock().unwrap().push(format!("{name}: {line}"));
            }),
            fallback_endpoint: None,
        },
    );
    Host { host, logs }
}

async fn call(h: &Host, name: &str, payload: Value) -> InvokeOutput {
    h.host
        .invoke(
            name,
            &format!("arn:aws:lambda:eu-west-1:123456789012:function:{name}"),
            Invocation {
                payload: serde_json::to_vec(&payload).unwrap(),
                invoked_arn: format!("arn:aws:lambda:eu-west-1:123456789012:function:{name}"),
                ..Default::default()
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn json_of(out: &InvokeOutput) -> Value {
    serde_json::from_slice(&out.payload).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.payload));
    })
}

#[tokio::test]
async fn a_warm_worker_serves_many_calls() {
    let dir = code_dir();
    let h = host(vec![
        spec(&dir, "echo", "app.py:echo", ""),
        spec(&dir, "pid", "app.py:pid", "concurrency = 1"),
    ]);
    let out = call(&h, "echo", json!({"a": [1, 2.5, "x"], "b": null})).await;
    assert_eq!(out.function_error, None);
    assert_eq!(out.executed_version, "$LATEST");
    assert_eq!(
        String::from_utf8(out.payload).unwrap(),
        r#"{"a": [1, 2.5, "x"], "b": null}"#,
        "the payload is what Python's json.dumps wrote"
    );
    let first = json_of(&call(&h, "pid", json!({})).await);
    for _ in 0..5 {
        assert_eq!(json_of(&call(&h, "pid", json!({})).await), first);
    }
    assert_eq!(
        h.host.worker_pids("pid"),
        vec![first.as_u64().unwrap() as u32]
    );
}

#[tokio::test]
async fn the_handler_sees_lambdas_context_and_environment() {
    let dir = code_dir();
    let h = host(vec![spec(
        &dir,
        "ctx",
        "app.py:ctx",
        "timeout = 2\nmemory = 256\nenvironment = { GREETING = \"olá\" }",
    )]);
    let out = json_of(&call(&h, "ctx", json!({})).await);
    assert_eq!(out["name"], "ctx");
    assert_eq!(out["version"], "$LATEST");
    assert_eq!(
        out["arn"],
        "arn:aws:lambda:eu-west-1:123456789012:function:ctx"
    );
    assert_eq!(out["memory"], "256");
    assert_eq!(out["request_id"].as_str().unwrap().len(), 36);
    assert_eq!(out["remaining_ok"], true);
    assert_eq!(out["env"], "olá");
    assert_eq!(out["region"], "eu-west-1");
    assert_eq!(out["cwd_is_root"], true);
}

#[tokio::test]
async fn an_exception_is_a_function_error_in_lambdas_shape() {
    let dir = code_dir();
    let h = host(vec![spec(&dir, "fail", "app.py:fail", "")]);
    let out = call(&h, "fail", json!({"item": 7})).await;
    assert_eq!(out.function_error.as_deref(), Some("Unhandled"));
    let text = String::from_utf8(out.payload.clone()).unwrap();
    let doc = json_of(&out);
    assert_eq!(doc["errorType"], "OrderRejected");
    assert_eq!(doc["errorMessage"], "item 7 is out of stock");
    assert_eq!(doc["requestId"], out.request_id.as_str());
    assert_eq!(
        doc["stackTrace"],
        json!([
            "  File \"/var/task/app.py\", line 27, in fail\n    raise OrderRejected(\"item \" + str(event[\"item\"]) + \" is out of stock\")\n"
        ])
    );
    assert!(
        text.starts_with("{\"errorMessage\": \"item 7"),
        "Python's own JSON layout: {text}"
    );
}

#[tokio::test]
async fn the_deadline_kills_the_worker_and_a_fresh_one_takes_over() {
    let dir = code_dir();
    let h = host(vec![spec(
        &dir,
        "slow",
        "app.py:slow",
        "timeout = 3\nconcurrency = 1",
    )]);
    // 3 s: a cold Python worker on a busy machine can take over a second to start.
    let first = json_of(&call(&h, "slow", json!({"seconds": 0})).await);
    let t = Instant::now();
    let out = call(&h, "slow", json!({"seconds": 30})).await;
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    assert_eq!(out.function_error.as_deref(), Some("Unhandled"));
    let doc = json_of(&out);
    assert_eq!(doc["errorType"], "Sandbox.Timedout");
    assert_eq!(
        doc["errorMessage"],
        format!(
            "RequestId: {} Error: Task timed out after 3.00 seconds",
            out.request_id
        )
    );
    let old = first.as_u64().unwrap() as i32;
    // The killed process is gone, and the next call runs in a new one.
    let next = json_of(&call(&h, "slow", json!({"seconds": 0})).await);
    assert_ne!(next, first);
    assert!(!PathBuf::from(format!("/proc/{old}")).exists() || is_zombie(old));
}

fn is_zombie(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| s.contains(") Z "))
        .unwrap_or(true)
}

#[tokio::test]
async fn a_worker_over_its_memory_is_killed() {
    let dir = code_dir();
    let h = host(vec![spec(
        &dir,
        "hog",
        "app.py:hog",
        "memory = 128\nconcurrency = 1",
    )]);
    assert_eq!(json_of(&call(&h, "hog", json!({"mb": 16})).await), 16 << 20);
    let out = call(&h, "hog", json!({"mb": 200})).await;
    assert_eq!(out.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(json_of(&out)["errorType"], "Runtime.OutOfMemory");
    // A fresh worker serves the next call.
    assert_eq!(json_of(&call(&h, "hog", json!({"mb": 1})).await), 1 << 20);
}

#[tokio::test]
async fn a_crash_is_a_function_error_and_the_next_call_gets_a_new_worker() {
    let dir = code_dir();
    let h = host(vec![spec(&dir, "crash", "app.py:crash", "concurrency = 1")]);
    let out = call(&h, "crash", json!({})).await;
    assert_eq!(out.function_error.as_deref(), Some("Unhandled"));
    let doc = json_of(&out);
    assert_eq!(doc["errorType"], "Runtime.ExitError");
    assert_eq!(
        doc["errorMessage"],
        format!(
            "RequestId: {} Error: Runtime exited with error: exit status 3",
            out.request_id
        )
    );
    let again = call(&h, "crash", json!({})).await;
    assert_eq!(json_of(&again)["errorType"], "Runtime.ExitError");
}

#[tokio::test]
async fn results_and_failures_shaped_like_pythons_runtime() {
    let dir = code_dir();
    let h = host(vec![
        spec(&dir, "raw", "app.py:raw", ""),
        spec(&dir, "unserialisable", "app.py:unserialisable", ""),
        spec(&dir, "broken", "broken.py:handler", ""),
        spec(&dir, "missing", "app.py:no_such_function", ""),
    ]);
    let out = call(&h, "raw", json!({})).await;
    assert_eq!(out.payload, b"\"raw bytes\"");
    let doc = json_of(&call(&h, "unserialisable", json!({})).await);
    assert_eq!(doc["errorType"], "Runtime.MarshalError");
    assert_eq!(
        doc["errorMessage"],
        "Unable to marshal response: Object of type set is not JSON serializable"
    );
    let doc = json_of(&call(&h, "broken", json!({})).await);
    assert_eq!(doc["errorType"], "Runtime.ImportModuleError");
    assert_eq!(
        doc["errorMessage"],
        "Unable to import module 'broken': No module named 'no_such_module_here'"
    );
    let doc = json_of(&call(&h, "missing", json!({})).await);
    assert_eq!(doc["errorType"], "Runtime.HandlerNotFound");
    assert_eq!(
        doc["errorMessage"],
        "Handler 'no_such_function' missing on module 'app'"
    );
}

#[tokio::test]
async fn calls_that_never_reach_a_function_are_lambdas_exceptions() {
    let dir = code_dir();
    let h = host(vec![spec(&dir, "echo", "app.py:echo", "")]);
    let arn = "arn:aws:lambda:eu-west-1:123456789012:function:nope";
    let e = h
        .host
        .invoke("nope", arn, Invocation::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, "ResourceNotFoundException");
    assert_eq!(e.message, format!("Function not found: {arn}"));
    assert_eq!(e.status, 404);
    let e = h
        .host
        .invoke(
            "echo",
            arn,
            Invocation {
                payload: b"not json".to_vec(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(e.code, "InvalidRequestContentException");
    assert!(e
        .message
        .starts_with("Could not parse request body into json"));
}

#[tokio::test]
async fn concurrent_calls_get_their_own_workers_up_to_the_concurrency() {
    let dir = code_dir();
    let h = Arc::new(host(vec![spec(
        &dir,
        "slow",
        "app.py:slow",
        "concurrency = 2",
    )]));
    // Warm two workers.
    let warm: Vec<_> = (0..2)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move { call(&h, "slow", json!({"seconds": 0.3})).await })
        })
        .collect();
    for w in warm {
        w.await.unwrap();
    }
    let t = Instant::now();
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let h = h.clone();
            tokio::spawn(async move { json_of(&call(&h, "slow", json!({"seconds": 0.4})).await) })
        })
        .collect();
    let mut pids = std::collections::BTreeSet::new();
    for c in calls {
        pids.insert(c.await.unwrap().as_u64().unwrap());
    }
    let took = t.elapsed();
    assert_eq!(pids.len(), 2, "two workers, no more: {pids:?}");
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_millis(2500),
        "4 calls of 0.4 s on 2 workers: {took:?}"
    );
}

#[tokio::test]
async fn the_log_tail_holds_what_the_handler_printed() {
    let dir = code_dir();
    let h = host(vec![spec(&dir, "chatty", "app.py:chatty", "")]);
    let out = h
        .host
        .invoke(
            "chatty",
            "arn:aws:lambda:eu-west-1:123456789012:function:chatty",
            Invocation {
                payload: b"{}".to_vec(),
                tail_log: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let log = base64::engine::general_purpose::STANDARD
        .decode(out.log_result.unwrap())
        .unwrap();
    let log = String::from_utf8(log).unwrap();
    assert!(
        log.starts_with(&format!(
            "START RequestId: {} Version: $LATEST\n",
            out.request_id
        )),
        "{log}"
    );
    assert!(log.contains("hello from the handler\n"), "{log}");
    assert!(
        log.contains(&format!(
            "END RequestId: {}\nREPORT RequestId: {}\tDuration: ",
            out.request_id, out.request_id
        )),
        "{log}"
    );
    assert!(h
        .logs
        .lock()
        .unwrap()
        .contains(&"chatty: hello from the handler".to_string()));
}

#[tokio::test]
async fn a_program_that_cannot_start_fails_the_call() {
    let dir = code_dir();
    let cfg: FunctionConfig = toml::from_str("command = [\"./no-such-bootstrap\"]").unwrap();
    let h = host(vec![cfg.resolve("custom", &dir).unwrap()]);
    let out = call(&h, "custom", json!({})).await;
    assert_eq!(out.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(json_of(&out)["errorType"], "Runtime.InvalidEntrypoint");
}

/// A Lambda Invoke API served by the test: the endpoint client against a real HTTP server.
#[tokio::test]
async fn endpoint_functions_are_called_over_the_invoke_api() {
    use axum::extract::Path;
    use axum::http::{HeaderMap, StatusCode};
    use axum::routing::post;
    type Seen = Vec<(String, Option<String>, String)>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/2015-03-31/functions/{name}/invocations",
        post(
            move |Path(name): Path<String>, headers: HeaderMap, body: String| {
                let record = record.clone();
                async move {
                    let kind = headers
                        .get("x-amz-invocation-type")
                        .map(|v| v.to_str().unwrap().to_owned());
                    record
                        .lock()
                        .unwrap()
                        .push((name.clone(), kind, body.clone()));
                    match name.as_str() {
                        "remote" => (
                            StatusCode::OK,
                            [("X-Amz-Executed-Version", "7")],
                            format!("{{\"got\": {body}}}"),
                        )
                            .into_response_parts(),
                        "remote_fail" => (
                            StatusCode::OK,
                            [("X-Amz-Function-Error", "Unhandled")],
                            "{\"errorType\": \"Boom\", \"errorMessage\": \"no\"}".to_string(),
                        )
                            .into_response_parts(),
                        _ => (
                            StatusCode::NOT_FOUND,
                            [(
                                "x-amzn-ErrorType",
                                "ResourceNotFoundException:http://internal",
                            )],
                            "{\"Type\": \"User\", \"Message\": \"Function not found: x\"}"
                                .to_string(),
                        )
                            .into_response_parts(),
                    }
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let specs = ["remote", "remote_fail", "remote_missing"]
        .iter()
        .map(|n| {
            FunctionConfig {
                endpoint: Some(url.clone()),
                environment: BTreeMap::new(),
                ..Default::default()
            }
            .resolve(n, &PathBuf::from("."))
            .unwrap()
        })
        .collect();
    let h = host(specs);
    let out = call(&h, "remote", json!({"x": 1})).await;
    assert_eq!(json_of(&out), json!({"got": {"x": 1}}));
    assert_eq!(out.executed_version, "7");
    assert_eq!(out.function_error, None);
    let out = call(&h, "remote_fail", json!({})).await;
    assert_eq!(out.function_error.as_deref(), Some("Unhandled"));
    assert_eq!(json_of(&out)["errorType"], "Boom");
    let e = h
        .host
        .invoke(
            "remote_missing",
            "arn",
            Invocation {
                payload: b"{}".to_vec(),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        (e.code.as_str(), e.message.as_str(), e.status),
        ("ResourceNotFoundException", "Function not found: x", 404)
    );
    // With a fallback endpoint (LAMBDA_ENDPOINT), undeclared functions are called there.
    let fallback = FunctionHost::new(
        vec![],
        HostSettings {
            fallback_endpoint: Some(format!("{url}/")),
            ..Default::default()
        },
    );
    assert!(fallback.contains("remote") && fallback.contains("anything"));
    let out = fallback
        .invoke(
            "remote",
            "arn",
            Invocation {
                payload: b"[1]".to_vec(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(json_of(&out), json!({"got": [1]}));
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 4);
    assert_eq!(
        seen[0],
        (
            "remote".to_string(),
            Some("RequestResponse".to_string()),
            "{\"x\":1}".to_string()
        )
    );
}

trait IntoParts {
    fn into_response_parts(self) -> axum::response::Response;
}

impl<const N: usize> IntoParts
    for (
        axum::http::StatusCode,
        [(&'static str, &'static str); N],
        String,
    )
{
    fn into_response_parts(self) -> axum::response::Response {
        use axum::response::IntoResponse;
        self.into_response()
    }
}
