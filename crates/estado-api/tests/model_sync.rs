//! The generated code matches the vendored AWS service model.

use std::path::Path;
use std::process::Command;

use estado_api::shapes::MODELED_ERRORS;
use estado_api::{ErrorCode, Operation};
use serde_json::Value;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").leak()
}

fn model() -> Value {
    let text = std::fs::read_to_string(repo().join("aws-model/stepfunctions-service-2.json"))
        .expect("vendored service model");
    serde_json::from_str(&text).expect("model is JSON")
}

#[test]
fn generated_file_is_up_to_date() {
    let status = Command::new("python3")
        .arg(repo().join("tools/gen_api.py"))
        .arg("--check")
        .status()
        .expect("python3 runs tools/gen_api.py");
    assert!(status.success(), "run python3 tools/gen_api.py");
}

#[test]
fn operations_are_the_models() {
    let model = model();
    let names: Vec<&str> = model["operations"]
        .as_object()
        .expect("operations")
        .keys()
        .map(String::as_str)
        .collect();
    let ours: Vec<&str> = Operation::ALL.iter().map(|op| op.name()).collect();
    assert_eq!(ours, names);
    assert_eq!(ours.len(), 37);
    for op in Operation::ALL {
        let spec = &model["operations"][op.name()];
        assert_eq!(op.is_idempotent(), spec["idempotent"] == true, "{op}");
        assert_eq!(
            op.host_prefix(),
            spec["endpoint"]["hostPrefix"].as_str(),
            "{op}"
        );
    }
}

#[test]
fn every_modeled_error_has_a_code() {
    let model = model();
    let exceptions: Vec<&str> = model["shapes"]
        .as_object()
        .expect("shapes")
        .iter()
        .filter(|(_, shape)| shape["exception"] == true)
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(MODELED_ERRORS.to_vec(), exceptions);
    let modeled: Vec<&str> = ErrorCode::ALL
        .into_iter()
        .filter(|code| code.is_modeled())
        .map(ErrorCode::name)
        .collect();
    assert_eq!(modeled, exceptions);
}
