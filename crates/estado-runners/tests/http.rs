//! The HTTP Task runner against a local server: what goes out (method, query, headers, body
//! encodings), what comes back (AWS's result shape), the failures (status codes, the time
//! limit, forbidden headers), and https endpoints over TLS.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::RawQuery;
use axum::http::{HeaderMap, Method, StatusCode};
use axum::routing::any;
use axum::Router;
use estado_interp::{Delivery, ExecInfo, MachineType, TaskRequest};
use estado_json::{json, Value};
use estado_runners::{HttpRunner, TaskRunner};

/// Serves `/echo` (the request back as JSON), `/text`, `/missing` (404 with a JSON body) and
/// `/slow` (answers after 3 s).
async fn server() -> String {
    let echo = |method: Method, headers: HeaderMap, RawQuery(q): RawQuery, body: Bytes| async move {
        let headers: estado_json::Map = headers
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v.to_str().unwrap_or_default())))
            .collect();
        let answer = json!({
            "method": method.as_str(),
            "query": q,
            "headers": headers,
            "body": String::from_utf8_lossy(&body),
        });
        (
            [("content-type", "application/json"), ("x-extra", "1")],
            answer.to_string(),
        )
    };
    let app = Router::new()
        .route("/echo", any(echo))
        .route("/text", any(|| async { "plain words" }))
        .route(
            "/missing",
            any(|| async {
                (
                    StatusCode::NOT_FOUND,
                    [("content-type", "application/json")],
                    r#"{"message":"no such thing"}"#,
                )
            }),
        )
        .route(
            "/slow",
            any(|| async {
                tokio::time::sleep(Duration::from_secs(3)).await;
                "late"
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

fn info() -> ExecInfo {
    ExecInfo {
        execution_arn: "arn:aws:states:eu-west-1:123456789012:execution:sm:e".into(),
        name: "e".into(),
        state_machine_arn: "arn:aws:states:eu-west-1:123456789012:stateMachine:sm".into(),
        state_machine_name: "sm".into(),
        role_arn: "arn:aws:iam::123456789012:role/r".into(),
        start_millis: 0,
        input: Arc::new(json!({})),
        machine_type: MachineType::Standard,
        seed: 1,
        redrive_count: Some(0),
        test_case: None,
    }
}

async fn call(runner: &HttpRunner, params: Value) -> Delivery {
    let req = TaskRequest {
        id: 7,
        resource: "arn:aws:states:::http:invoke".into(),
        input: Arc::new(params),
        state_name: "Call".into(),
        timeout_seconds: None,
        heartbeat_seconds: None,
        task_token: None,
    };
    runner.run(&info(), &req).await
}

fn succeeded(d: Delivery) -> Value {
    match d {
        Delivery::TaskSucceeded { id: 7, output } => output,
        other => panic!("expected success, got {other:?}"),
    }
}

fn failed(d: Delivery) -> (String, String) {
    match d {
        Delivery::TaskFailed {
            id: 7,
            error,
            cause,
        } => (error, cause),
        other => panic!("expected failure, got {other:?}"),
    }
}

#[tokio::test]
async fn a_json_call_goes_out_and_comes_back_in_aws_shape() {
    let base = server().await;
    let runner = HttpRunner::new();
    let out = succeeded(
        call(
            &runner,
            json!({
                "ApiEndpoint": format!("{base}/echo?fixed=1"),
                "Method": "POST",
                "Authentication": {"ConnectionArn": "arn:aws:events:eu-west-1:123456789012:connection/c/x"},
                "Headers": {"X-Custom": "yes", "Multi": ["a", 1]},
                "QueryParameters": {"q": "two words", "list": ["x", "y"]},
                "RequestBody": {"order": 42, "items": ["a"]},
            }),
        )
        .await,
    );
    assert_eq!(out["StatusCode"], 200);
    assert_eq!(out["StatusText"], "OK");
    assert_eq!(out["Headers"]["x-extra"], json!(["1"]));
    let echoed = &out["ResponseBody"];
    assert_eq!(echoed["method"], "POST");
    assert_eq!(echoed["query"], "fixed=1&q=two+words&list=x&list=y");
    assert_eq!(echoed["headers"]["x-custom"], "yes");
    assert_eq!(echoed["headers"]["multi"], "a,1");
    assert_eq!(
        echoed["headers"]["content-type"],
        "application/json; charset=UTF-8"
    );
    assert_eq!(
        echoed["headers"]["user-agent"],
        "Amazon|StepFunctions|HttpInvoke|eu-west-1"
    );
    assert_eq!(
        serde_json::from_str::<Value>(echoed["body"].as_str().unwrap()).unwrap(),
        json!({"order": 42, "items": ["a"]})
    );
}

#[tokio::test]
async fn url_encoded_bodies_and_text_answers() {
    let base = server().await;
    let runner = HttpRunner::new();
    let out = succeeded(
        call(
            &runner,
            json!({
                "ApiEndpoint": format!("{base}/echo"),
                "Method": "PUT",
                "RequestBody": {"tags": ["a", "b"], "name": "x y"},
                "Transform": {"RequestBodyEncoding": "URL_ENCODED",
                              "RequestEncodingOptions": {"ArrayFormat": "BRACKETS"}},
            }),
        )
        .await,
    );
    let echoed = &out["ResponseBody"];
    assert_eq!(echoed["body"], "tags%5B%5D=a&tags%5B%5D=b&name=x+y");
    assert_eq!(
        echoed["headers"]["content-type"],
        "application/x-www-form-urlencoded"
    );

    let text = succeeded(
        call(
            &runner,
            json!({"ApiEndpoint": format!("{base}/text"), "Method": "GET"}),
        )
        .await,
    );
    assert_eq!(
        text["ResponseBody"], "plain words",
        "not JSON: kept as text"
    );
}

#[tokio::test]
async fn a_status_outside_2xx_fails_with_its_code_and_the_response_as_cause() {
    let base = server().await;
    let (error, cause) = failed(
        call(
            &HttpRunner::new(),
            json!({"ApiEndpoint": format!("{base}/missing"), "Method": "GET"}),
        )
        .await,
    );
    assert_eq!(error, "States.Http.StatusCode.404");
    let cause: Value = serde_json::from_str(&cause).unwrap();
    assert_eq!(cause["StatusCode"], 404);
    assert_eq!(cause["StatusText"], "Not Found");
    assert_eq!(cause["ResponseBody"], json!({"message": "no such thing"}));
}

#[tokio::test]
async fn a_call_past_the_time_limit_fails_with_a_socket_error() {
    let base = server().await;
    let runner = HttpRunner::with_limit(Duration::from_millis(500));
    let began = Instant::now();
    let (error, cause) = failed(
        call(
            &runner,
            json!({"ApiEndpoint": format!("{base}/slow"), "Method": "GET"}),
        )
        .await,
    );
    assert!(began.elapsed() < Duration::from_secs(2));
    assert_eq!(error, "States.Http.Socket");
    assert!(cause.contains("timed out"), "{cause}");
    assert_eq!(estado_runners::http::LIMIT, Duration::from_secs(60));
}

#[tokio::test]
async fn bad_parameters_fail_before_anything_goes_out() {
    let runner = HttpRunner::new();
    let cases = [
        (json!({"Method": "GET"}), "ApiEndpoint"),
        (
            json!({"ApiEndpoint": "http://127.0.0.1:9/", "Method": "FETCH"}),
            "FETCH",
        ),
        (
            json!({"ApiEndpoint": "http://127.0.0.1:9/", "Method": "GET", "Headers": {"Authorization": "x"}}),
            "Authorization",
        ),
        (
            json!({"ApiEndpoint": "http://127.0.0.1:9/", "Method": "GET", "Headers": {"X-Amz-Date": "x"}}),
            "X-Amz-Date",
        ),
    ];
    for (params, named) in cases {
        let (error, cause) = failed(call(&runner, params).await);
        assert_eq!(error, "States.Runtime");
        assert!(cause.contains(named), "{cause}");
    }
}

/// A test CA (made with the `openssl` command), a certificate it signs for 127.0.0.1 and an
/// `openssl s_server -www` using it; returns the CA certificate's path and the server's port.
fn tls_server(dir: &std::path::Path, name: &str) -> (std::path::PathBuf, u16, std::process::Child) {
    let file = |ext: &str| dir.join(format!("{name}.{ext}"));
    let (ca, ca_key, cert, key, csr, ext) = (
        file("ca.pem"),
        file("ca.key"),
        file("pem"),
        file("key"),
        file("csr"),
        file("ext"),
    );
    std::fs::write(
        &ext,
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let openssl = |args: &[&std::ffi::OsStr]| {
        let out = std::process::Command::new("openssl")
            .args(args)
            .output()
            .expect("the openssl command");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let os = |s: &'static str| std::ffi::OsStr::new(s);
    openssl(&[
        os("req"),
        os("-x509"),
        os("-newkey"),
        os("rsa:2048"),
        os("-nodes"),
        os("-days"),
        os("1"),
        os("-subj"),
        os("/CN=estado test CA"),
        os("-keyout"),
        ca_key.as_os_str(),
        os("-out"),
        ca.as_os_str(),
    ]);
    openssl(&[
        os("req"),
        os("-newkey"),
        os("rsa:2048"),
        os("-nodes"),
        os("-subj"),
        os("/CN=localhost"),
        os("-keyout"),
        key.as_os_str(),
        os("-out"),
        csr.as_os_str(),
    ]);
    openssl(&[
        os("x509"),
        os("-req"),
        os("-in"),
        csr.as_os_str(),
        os("-CA"),
        ca.as_os_str(),
        os("-CAkey"),
        ca_key.as_os_str(),
        os("-CAcreateserial"),
        os("-days"),
        os("1"),
        os("-extfile"),
        ext.as_os_str(),
        os("-out"),
        cert.as_os_str(),
    ]);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept", &port.to_string()])
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("openssl s_server");
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "s_server did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    (ca, port, child)
}

#[tokio::test]
async fn https_endpoints_are_called_over_tls_with_the_certificate_checked() {
    let dir = std::env::temp_dir().join(format!("estado-https-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (trusted, port, mut server) = tls_server(&dir, "trusted");
    let (_, other_port, mut other) = tls_server(&dir, "untrusted");
    // The roots come from the system store; on Linux SSL_CERT_FILE names another one. Only
    // this test in this process calls https endpoints.
    std::env::set_var("SSL_CERT_FILE", &trusted);
    let runner = HttpRunner::new();
    let out = succeeded(
        call(
            &runner,
            json!({"ApiEndpoint": format!("https://127.0.0.1:{port}/"), "Method": "GET"}),
        )
        .await,
    );
    assert_eq!(out["StatusCode"], json!(200), "{out}");
    assert!(
        out["ResponseBody"].to_string().contains("s_server"),
        "{out}"
    );
    // A certificate nobody vouches for is refused.
    let (error, cause) = failed(
        call(
            &runner,
            json!({"ApiEndpoint": format!("https://127.0.0.1:{other_port}/"), "Method": "GET"}),
        )
        .await,
    );
    assert_eq!(error, "States.Http.Socket", "{cause}");
    assert!(cause.to_lowercase().contains("certificate"), "{cause}");
    let _ = server.kill();
    let _ = other.kill();
    let _ = server.wait();
    let _ = other.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
