//! No request is answered with a 5xx because of what the client sent: random targets and
//! bodies, valid-looking and not, always get a 2xx or 4xx and a JSON error body.

mod common;

use common::TestServer;
use estado_server::Auth;
use proptest::prelude::*;
use serde_json::Value;

fn operation() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("ListStateMachines".to_owned()),
        Just("CreateStateMachine".to_owned()),
        Just("StartExecution".to_owned()),
        Just("DescribeExecution".to_owned()),
        Just("GetExecutionHistory".to_owned()),
        Just("SendTaskSuccess".to_owned()),
        Just("TagResource".to_owned()),
        Just("ValidateStateMachineDefinition".to_owned()),
        Just("TestState".to_owned()),
        "[A-Za-z]{0,24}",
    ]
}

/// JSON values of any shape, a few levels deep.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,20}".prop_map(Value::String),
        Just(Value::String(
            "arn:aws:states:us-east-1:123456789012:stateMachine:x".into()
        )),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("name".to_owned()),
                    Just("definition".to_owned()),
                    Just("stateMachineArn".to_owned()),
                    Just("executionArn".to_owned()),
                    Just("input".to_owned()),
                    Just("maxResults".to_owned()),
                    Just("nextToken".to_owned()),
                    Just("tags".to_owned()),
                    Just("roleArn".to_owned()),
                    "[a-zA-Z]{1,10}",
                ],
                inner,
                0..5
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        json_value().prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec(any::<u8>(), 0..200),
        ".{0,100}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn no_client_mistake_is_a_server_error(op in operation(), body in body()) {
        let rt = runtime();
        let (status, json) = rt.block_on(async {
            let s = server().await;
            let res = s
                .client
                .post(format!("{}/", s.base))
                .header("X-Amz-Target", format!("AWSStepFunctions.{op}"))
                .body(body.clone())
                .send()
                .await
                .unwrap_or_else(|e| panic!("{e}"));
            let status = res.status().as_u16();
            let bytes = res.bytes().await.unwrap_or_default();
            (status, serde_json::from_slice::<Value>(&bytes).ok())
        });
        prop_assert!(status < 500, "{op} {:?} -> {status} {json:?}", String::from_utf8_lossy(&body));
        let json = json.unwrap_or(Value::Null);
        prop_assert!(json.is_object(), "{op}: body {json}");
        if status >= 400 {
            prop_assert!(json["__type"].is_string(), "{op}: {json}");
        }
    }
}

/// One runtime and one server for every case: cases then cost a request, not a start-up.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

async fn server() -> &'static TestServer {
    static SERVER: tokio::sync::OnceCell<TestServer> = tokio::sync::OnceCell::const_new();
    SERVER.get_or_init(|| TestServer::start(Auth::open())).await
}
