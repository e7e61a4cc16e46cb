//! Error bodies and statuses, and page tokens.

use estado_api::paging::{decode_token, encode_token, page_size, DEFAULT_MAX_RESULTS};
use estado_api::{ApiError, ErrorCode};
use serde::{Deserialize, Serialize};
use serde_json::json;

#[test]
fn error_bodies_carry_the_namespaced_type_and_extra_members() {
    let error = ApiError::new(
        ErrorCode::StateMachineDoesNotExist,
        "State Machine Does Not Exist: 'arn:aws:states:us-east-1:123456789012:stateMachine:x'",
    );
    assert_eq!(error.status(), 400);
    assert_eq!(
        error.body(),
        json!({"__type": "com.amazonaws.swf.service.v2.model#StateMachineDoesNotExist",
            "message": "State Machine Does Not Exist: 'arn:aws:states:us-east-1:123456789012:stateMachine:x'"})
    );
    let error = ApiError::validation(
        "labelled ARNs are not supported",
        "API_DOES_NOT_SUPPORT_LABELED_ARNS",
    );
    assert_eq!(
        error.body(),
        json!({"__type": "com.amazonaws.swf.service.v2.model#ValidationException",
            "message": "labelled ARNs are not supported", "reason": "API_DOES_NOT_SUPPORT_LABELED_ARNS"})
    );
    let error = ApiError::new(ErrorCode::ResourceNotFound, "Resource not found")
        .with_resource_name("arn:x");
    assert_eq!(error.body()["resourceName"], "arn:x");
    let error = ApiError::new(ErrorCode::KmsInvalidStateException, "disabled")
        .with_kms_key_state("Disabled");
    assert_eq!(error.body()["kmsKeyState"], "Disabled");
    assert_eq!(
        ApiError::bare(ErrorCode::UnknownOperationException).body(),
        json!({"__type": "com.amazon.coral.service#UnknownOperationException"})
    );
    assert_eq!(
        ApiError::new(ErrorCode::ThrottlingException, "Rate exceeded").type_name(),
        "com.amazon.coral.availability#ThrottlingException"
    );
}

#[test]
fn every_type_name_is_namespace_hash_code_without_a_colon() {
    for code in ErrorCode::ALL {
        let name = ApiError::bare(code).type_name();
        assert!(!name.contains(':'), "{name}");
        assert_eq!(name.rsplit('#').next(), Some(code.name()));
        assert_eq!(ErrorCode::from_name(code.name()), Some(code));
    }
}

#[test]
fn statuses_are_400_except_for_server_failures() {
    for code in ErrorCode::ALL {
        let expected = match code {
            ErrorCode::InternalFailure => 500,
            ErrorCode::ServiceUnavailableException => 503,
            _ => 400,
        };
        assert_eq!(code.status(), expected, "{code}");
    }
}

#[test]
fn page_sizes() {
    assert_eq!(page_size(None), DEFAULT_MAX_RESULTS);
    assert_eq!(page_size(Some(0)), 100);
    assert_eq!(page_size(Some(1)), 1);
    assert_eq!(page_size(Some(1000)), 1000);
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Cursor {
    after: String,
    offset: u64,
}

#[test]
fn tokens_round_trip_within_their_scope() {
    let cursor = Cursor {
        after: "arn:aws:states:us-east-1:123456789012:execution:HelloWorld:3b8c8e1a-0a3c-4c4f-9f39-4f3d5b5a8b11".into(),
        offset: 42,
    };
    let token = encode_token("ListExecutions", &cursor);
    assert!(token.len() < 1024, "{}", token.len());
    assert!(token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_eq!(decode_token::<Cursor>("ListExecutions", &token), Ok(cursor));

    let error = decode_token::<Cursor>("ListStateMachines", &token).unwrap_err();
    assert_eq!(error.code(), ErrorCode::InvalidToken);
    assert_eq!(
        error.message(),
        Some(format!("Invalid Token: '{token}'").as_str())
    );
}

#[test]
fn garbage_tokens_are_invalid() {
    let other_shape = encode_token("s", &json!({"x": 1}));
    for token in ["", "!!!", "bm90IGpzb24", "e30", other_shape.as_str()] {
        let error = decode_token::<Cursor>("s", token).unwrap_err();
        assert_eq!(error.code(), ErrorCode::InvalidToken, "{token}");
    }
}
