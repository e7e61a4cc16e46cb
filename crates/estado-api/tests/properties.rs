//! Property tests: decoding never panics, ARNs and tokens round-trip.

use estado_api::arn::{AnyExecutionArn, ArnScope, StateMachineTarget};
use estado_api::paging::{decode_token, encode_token};
use estado_api::{decode, Operation};
use proptest::prelude::*;
use serde_json::{json, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,90}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((member_name(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

/// Mostly names the model uses, so that type checks and validation are reached.
fn member_name() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "name",
            "stateMachineArn",
            "executionArn",
            "input",
            "maxResults",
            "nextToken",
            "definition",
            "roleArn",
            "type",
            "tags",
            "key",
            "value",
            "routingConfiguration",
            "stateMachineVersionArn",
            "weight",
            "statusFilter",
            "encryptionConfiguration",
            "loggingConfiguration",
            "destinations",
            "mock",
            "errorOutput",
            "taskToken",
            "toleratedFailurePercentage",
            "clientToken",
            "traceHeader",
            "reverseOrder",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z]{1,12}",
    ]
}

fn operation() -> impl Strategy<Value = Operation> {
    prop::sample::select(Operation::ALL.to_vec())
}

proptest! {
    #[test]
    fn decode_never_panics_on_bytes(op in operation(), body in prop::collection::vec(any::<u8>(), 0..256)) {
        let _ = decode(op, &body);
    }

    #[test]
    fn decode_never_panics_on_json(op in operation(), fields in prop::collection::vec((member_name(), json_value()), 0..8)) {
        let body = Value::Object(fields.into_iter().collect()).to_string();
        if let Err(error) = decode(op, body.as_bytes()) {
            prop_assert!(error.status() == 400);
            prop_assert!(error.message().is_none_or(|m| !m.is_empty()));
        }
    }

    #[test]
    fn arn_parsers_never_panic(text in "(arn:(aws|x)?:(states|s3)?:[a-z0-9-]{0,12}:[0-9]{0,13}:)?[a-zA-Z:/ _.-]{0,40}") {
        let _ = StateMachineTarget::parse(&text);
        let _ = AnyExecutionArn::parse(&text);
    }

    #[test]
    fn arns_round_trip(sm in "[a-zA-Z0-9_.-]{1,80}", exec in "[a-zA-Z0-9_-]{1,80}", version in 1u64..100_000) {
        let machine = ArnScope::new("us-west-2", "123456789012").state_machine(sm);
        let target = StateMachineTarget::Version(machine.version(version));
        prop_assert_eq!(StateMachineTarget::parse(&target.to_string())?, target);
        let execution = machine.execution(exec);
        prop_assert_eq!(AnyExecutionArn::parse(&execution.to_string())?, AnyExecutionArn::Standard(execution));
    }

    #[test]
    fn tokens_round_trip(scope in ".{0,40}", cursor in ".{0,200}", garbage in "[a-zA-Z0-9_-]{0,64}") {
        let token = encode_token(&scope, &cursor);
        prop_assert_eq!(decode_token::<String>(&scope, &token)?, cursor);
        let _ = decode_token::<String>(&scope, &garbage);
    }
}
