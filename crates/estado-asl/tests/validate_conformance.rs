//! Definitions recorded on AWS (tests/conformance): every definition AWS accepted validates
//! without errors, every one it rejected is rejected with AWS's diagnostics. asl-validator's
//! fixtures (its verdicts, not AWS's) must agree too, except those listed with a reason in
//! `validate_skip.txt`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use estado_asl::validate::{
    is_valid, validate, validate_text, Diagnostic, MachineType, Options, Severity,
};
use estado_json::Value;

fn conformance_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

fn cases(folder: &str) -> Vec<(String, Value)> {
    let dir = conformance_dir().join(folder);
    let mut out = Vec::new();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let case: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let id = case["id"].as_str().unwrap_or_default().to_string();
        out.push((id, case));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn options(case: &Value) -> Options {
    let machine_type = match case["state_machine_type"].as_str() {
        Some("EXPRESS") => MachineType::Express,
        _ => MachineType::Standard,
    };
    Options { machine_type }
}

/// LocalStack's tests write the Resource of an activity Task as `create_activity` and replace
/// it with the ARN of an activity they create; AWS saw that ARN.
const ACTIVITY_PLACEHOLDER: &str = "create_activity";
const ACTIVITY_ARN: &str = "arn:aws:states:us-east-1:111111111111:activity:placeholder";

fn with_placeholders_replaced(v: &Value) -> Value {
    match v {
        Value::String(s) if s == ACTIVITY_PLACEHOLDER => Value::String(ACTIVITY_ARN.to_string()),
        Value::Array(items) => Value::Array(items.iter().map(with_placeholders_replaced).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), with_placeholders_replaced(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn run(case: &Value) -> Vec<Diagnostic> {
    let opts = options(case);
    match case.get("definition_text").and_then(Value::as_str) {
        Some(text) => validate_text(text, &opts),
        None => validate(&with_placeholders_replaced(&case["definition"]), &opts),
    }
}

fn errors(diags: &[Diagnostic]) -> Vec<&Diagnostic> {
    diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

/// `CreateStateMachine`'s rendering of diagnostics: `CODE: message at location, ...`.
fn render_for_create(diags: &[&Diagnostic]) -> String {
    let parts: Vec<String> = diags
        .iter()
        .map(|d| {
            format!(
                "{}: {} at {}",
                d.code,
                d.message,
                d.location.as_deref().unwrap_or("null")
            )
        })
        .collect();
    format!("Invalid State Machine Definition: '{}'", parts.join(", "))
}

fn skip_list() -> BTreeMap<String, String> {
    let text = include_str!("validate_skip.txt");
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once('#') {
            Some((id, reason)) => (id.trim().to_string(), reason.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// Checks one AWS verdict; returns a failure description.
fn check_aws_case(id: &str, case: &Value) -> Option<String> {
    let diags = run(case);
    let errs = errors(&diags);
    let valid = case["valid"].as_bool().unwrap_or(true);
    if valid {
        return (!errs.is_empty()).then(|| format!("{id}: AWS accepted it, we report {errs:#?}"));
    }
    if let Some(expected) = case.get("diagnostics").and_then(Value::as_array) {
        let ours: Vec<Value> = errs
            .iter()
            .map(|d| estado_json::to_value(d).unwrap_or(Value::Null))
            .collect();
        return (ours.as_slice() != expected.as_slice())
            .then(|| format!("{id}: AWS said {expected:#?}\n we say {ours:#?}"));
    }
    if let Some(message) = case.get("message").and_then(Value::as_str) {
        let ours = render_for_create(&errs);
        return (ours != message).then(|| format!("{id}: AWS said {message:?}\n we say {ours:?}"));
    }
    is_valid(&diags).then(|| format!("{id}: AWS rejected it, we accept it"))
}

#[test]
fn aws_verdicts_on_definitions() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (id, case) in cases("definitions") {
        if !case["origin"]
            .as_str()
            .unwrap_or_default()
            .starts_with("aws")
        {
            continue;
        }
        checked += 1;
        failures.extend(check_aws_case(&id, &case));
    }
    assert!(checked > 300, "only {checked} AWS definitions found");
    assert!(
        failures.is_empty(),
        "{} of {checked} disagree with AWS:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_definition_aws_executed_is_valid() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for (id, case) in cases("executions") {
        checked += 1;
        let diags = run(&case);
        let errs = errors(&diags);
        if !errs.is_empty() {
            failures.push(format!("{id}: {errs:#?}"));
        }
    }
    assert!(checked > 600, "only {checked} executions found");
    assert!(
        failures.is_empty(),
        "{} of {checked} rejected:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn asl_validator_fixtures_agree_except_listed() {
    let skips = skip_list();
    let mut agree = 0;
    let mut unexpected = Vec::new();
    let mut stale = Vec::new();
    let mut total = 0;
    for (id, case) in cases("definitions") {
        if !case["origin"]
            .as_str()
            .unwrap_or_default()
            .starts_with("asl-validator")
        {
            continue;
        }
        total += 1;
        let diags = run(&case);
        let ours = is_valid(&diags);
        let theirs = case["valid"].as_bool().unwrap_or(true);
        match (ours == theirs, skips.contains_key(&id)) {
            (true, false) => agree += 1,
            (true, true) => stale.push(id),
            (false, true) => {}
            (false, false) => unexpected.push(format!(
                "{id}: asl-validator says valid={theirs}, we say {diags:#?}"
            )),
        }
    }
    eprintln!(
        "asl-validator fixtures: {agree} of {total} agree; {} listed in validate_skip.txt",
        skips.len()
    );
    assert!(
        unexpected.is_empty(),
        "unlisted disagreements:\n{}",
        unexpected.join("\n")
    );
    assert!(
        stale.is_empty(),
        "listed in validate_skip.txt but agree now: {stale:?}"
    );
}
