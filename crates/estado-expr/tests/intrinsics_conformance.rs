//! The intrinsic calls of the conformance cases recorded on real AWS
//! (`tests/conformance/`, see its README for provenance).
//!
//! - Every JSONPath case of the `intrinsic_functions` category is a single Pass state whose
//!   `Parameters` hold intrinsic calls: each is evaluated against the case input, the state's
//!   `ResultPath`/`OutputPath` applied, and the result compared with AWS's output.
//! - Every intrinsic call anywhere in the recorded executions and definitions must parse when
//!   AWS accepted the definition, and must not when AWS rejected it as an invalid call.

use std::path::{Path as FsPath, PathBuf};

use estado_expr::intrinsics::{looks_like_call, Call};
use estado_expr::path::Path;
use estado_json::{json, Map, Value};
use estado_types::{Scope, SplitMix64};

fn conformance_dir() -> PathBuf {
    FsPath::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

fn read_cases(folder: &str) -> Vec<(String, Value)> {
    let dir = conformance_dir().join(folder);
    let mut cases = Vec::new();
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "json") {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let case: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            cases.push((
                path.file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                case,
            ));
        }
    }
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

fn uses_jsonata(case: &Value) -> bool {
    case["features"]
        .as_array()
        .is_some_and(|f| f.iter().any(|x| x == "jsonata"))
}

/// The context object AWS would give the state (only the fields the cases read matter).
fn context_for(input: &Value, state_name: &str) -> Value {
    json!({
        "Execution": {
            "Id": "arn:aws:states:us-east-1:111111111111:execution:IntrinsicMachine-a1b2:run-1",
            "Input": input,
            "Name": "run-1",
            "StartTime": "2024-01-01T00:00:00.000Z"
        },
        "State": {"Name": state_name, "EnteredTime": "2024-01-01T00:00:00.000Z"},
        "StateMachine": {"Id": "arn:aws:states:us-east-1:111111111111:stateMachine:IntrinsicMachine-a1b2", "Name": "IntrinsicMachine-a1b2"}
    })
}

/// Runs the case's start state as a Pass state whose Parameters values are intrinsic calls,
/// paths or literals.
fn run_pass(case: &Value) -> Result<Value, String> {
    let definition = &case["definition"];
    let start = definition["StartAt"].as_str().ok_or("no StartAt")?;
    let state = &definition["States"][start];
    if state["Type"] != "Pass" || state.get("Next").is_some() {
        return Err(format!("not a single Pass state: {state}"));
    }
    let input = &case["input"];
    let context = context_for(input, start);
    let vars = Map::new();
    let entropy = SplitMix64::new(1);
    let scope = Scope {
        context: &context,
        vars: &vars,
        entropy: &entropy,
        now_millis: 0,
    };

    let mut effective = Map::new();
    let parameters = state["Parameters"].as_object().ok_or("no Parameters")?;
    for (key, value) in parameters {
        match (key.strip_suffix(".$"), value.as_str()) {
            (Some(name), Some(expr)) if looks_like_call(expr) => {
                let call = Call::parse(expr).map_err(|e| e.to_string())?;
                let result = call.eval(input, &scope).map_err(|e| e.to_string())?;
                effective.insert(name.to_string(), result);
            }
            (Some(name), Some(expr)) => {
                let path = Path::parse(expr).map_err(|e| e.to_string())?;
                effective.insert(
                    name.to_string(),
                    path.select(input, &scope).map_err(|e| e.to_string())?,
                );
            }
            _ => {
                effective.insert(key.clone(), value.clone());
            }
        }
    }
    let result = Value::Object(effective);
    let output = match state["ResultPath"].as_str() {
        None | Some("$") => result,
        Some(rp) => {
            let rp = Path::parse_reference(rp).map_err(|e| e.to_string())?;
            rp.set(input.clone(), result).map_err(|e| e.to_string())?
        }
    };
    match state["OutputPath"].as_str() {
        None => Ok(output),
        Some(op) => {
            let op = Path::parse(op).map_err(|e| e.to_string())?;
            op.select(&output, &scope).map_err(|e| e.to_string())
        }
    }
}

/// Compares as the conformance README says: JSON values, `1 == 1.0`, a `<...>` placeholder
/// matches anything inside its string, and LocalStack's `RandomNumberGenerated` stands for any
/// integer.
fn matches(expected: &Value, got: &Value) -> bool {
    match (expected, got) {
        (Value::String(e), Value::Number(n)) if e == "RandomNumberGenerated" => n.is_i64(),
        (Value::String(e), Value::String(g)) => placeholder_match(e, g),
        (Value::Number(e), Value::Number(g)) => e.as_f64() == g.as_f64(),
        (Value::Array(e), Value::Array(g)) => {
            e.len() == g.len() && e.iter().zip(g).all(|(e, g)| matches(e, g))
        }
        (Value::Object(e), Value::Object(g)) => {
            e.len() == g.len()
                && e.iter()
                    .all(|(k, e)| g.get(k).is_some_and(|g| matches(e, g)))
        }
        _ => expected == got,
    }
}

fn placeholder_match(expected: &str, got: &str) -> bool {
    // Literal pieces between `<...>` placeholders must appear in order.
    let mut pieces = Vec::new();
    let mut rest = expected;
    while let Some(open) = rest.find('<') {
        match rest[open..].find('>') {
            Some(close) => {
                pieces.push(&rest[..open]);
                rest = &rest[open + close + 1..];
            }
            None => break,
        }
    }
    if pieces.is_empty() {
        return expected == got;
    }
    pieces.push(rest);
    let mut at = 0;
    for (i, piece) in pieces.iter().enumerate() {
        let found = if i == 0 {
            got.starts_with(piece).then_some(0)
        } else {
            got[at..].find(piece).map(|p| p + at)
        };
        match found {
            Some(p) => at = p + piece.len(),
            None => return false,
        }
    }
    pieces.last().is_some_and(|last| got.ends_with(last))
}

#[test]
fn intrinsic_function_cases_give_aws_outputs() {
    let mut ran = 0;
    let mut failures = Vec::new();
    for (name, case) in read_cases("executions") {
        if case["category"] != "intrinsic_functions" || uses_jsonata(&case) {
            continue;
        }
        ran += 1;
        let expected = &case["expected"];
        if expected["status"] != "SUCCEEDED" {
            failures.push(format!(
                "{name}: expected status {} is not handled here",
                expected["status"]
            ));
            continue;
        }
        match run_pass(&case) {
            Ok(got) if matches(&expected["output"], &got) => {}
            Ok(got) => failures.push(format!(
                "{name}: expected {}, got {got}",
                expected["output"]
            )),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(ran >= 80, "only {ran} JSONPath intrinsic cases found");
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every string in `value` that looks like an intrinsic call, with the key it is under.
/// `Result` values are literal JSON, never evaluated, so they are skipped.
fn calls_in<'v>(value: &'v Value, key: &str, out: &mut Vec<(String, &'v str)>) {
    match value {
        Value::String(s) if looks_like_call(s) => out.push((key.to_string(), s)),
        Value::Array(items) => items.iter().for_each(|v| calls_in(v, key, out)),
        Value::Object(map) => map
            .iter()
            .filter(|(k, _)| *k != "Result")
            .for_each(|(k, v)| calls_in(v, k, out)),
        _ => {}
    }
}

/// Keys whose string value AWS evaluates as an intrinsic call in JSONPath states.
fn is_evaluated(key: &str) -> bool {
    key.ends_with(".$") || key == "ErrorPath" || key == "CausePath"
}

#[test]
fn every_recorded_call_aws_accepted_parses() {
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut sources: Vec<(String, Value)> = read_cases("executions")
        .into_iter()
        .map(|(n, c)| (n, c["definition"].clone()))
        .collect();
    for (name, case) in read_cases("definitions") {
        // Only AWS's own verdicts count (not asl-validator's).
        let by_aws = case["origin"]
            .as_str()
            .is_some_and(|o| o.starts_with("aws"));
        if case["valid"] == true && by_aws {
            sources.push((name, case["definition"].clone()));
        }
    }
    for (name, definition) in &sources {
        let mut calls = Vec::new();
        calls_in(definition, "", &mut calls);
        for (key, call) in calls.into_iter().filter(|(k, _)| is_evaluated(k)) {
            checked += 1;
            if let Err(e) = Call::parse(call) {
                failures.push(format!("{name} [{key}]: {e}"));
            }
        }
    }
    assert!(checked >= 100, "only {checked} calls found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn calls_aws_rejected_do_not_parse() {
    let mut checked = 0;
    for (name, case) in read_cases("definitions") {
        let message = case["message"].as_str().unwrap_or_default();
        if case["valid"] != false
            || !message.contains("must be a valid JSONPath or a valid intrinsic function call")
        {
            continue;
        }
        let mut calls = Vec::new();
        calls_in(&case["definition"], "", &mut calls);
        for (key, call) in calls
            .into_iter()
            .filter(|(k, _)| message.contains(&format!("'{k}'")))
        {
            checked += 1;
            assert!(
                Call::parse(call).is_err(),
                "{name} [{key}]: AWS rejected {call}"
            );
        }
    }
    assert!(checked >= 1, "no rejected intrinsic call found");
}
