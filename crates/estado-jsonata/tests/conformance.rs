//! Data-driven: the JSONata expressions of the AWS-recorded conformance cases
//! (tests/conformance/executions, categories `evaluate_jsonata`, `intrinsic_functions` and
//! `query_language`) that can be evaluated in isolation: a JSONata `Pass` state's `Output`, and
//! a `Map` state's `Items` whose item processor passes items through.

mod support;

use std::path::PathBuf;

use estado_json::{json, Value};
use estado_jsonata::JsonataTemplate;
use support::Env;

const CATEGORIES: [&str; 3] = ["evaluate_jsonata", "intrinsic_functions", "query_language"];

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance/executions")
}

/// What a case exercises, when it is one JSONata template evaluated against the input.
struct Isolated {
    template: Value,
    field: &'static str,
}

fn is_jsonata(definition: &Value, state: &Value) -> bool {
    let lang = state
        .get("QueryLanguage")
        .or_else(|| definition.get("QueryLanguage"));
    lang == Some(&json!("JSONata"))
}

fn isolate(definition: &Value) -> Option<Isolated> {
    let states = definition.get("States")?.as_object()?;
    if states.len() != 1 {
        return None;
    }
    let state = states.values().next()?;
    if !is_jsonata(definition, state) || state.get("Assign").is_some() {
        return None;
    }
    match state.get("Type")?.as_str()? {
        "Pass" => Some(Isolated {
            template: state
                .get("Output")
                .cloned()
                .unwrap_or(json!("{% $states.input %}")),
            field: "Output",
        }),
        "Map" if state.get("Output").is_none() => {
            let processor = state.get("ItemProcessor")?.get("States")?.as_object()?;
            let passes_through = processor.len() == 1
                && processor.values().all(|s| {
                    s.get("Type") == Some(&json!("Pass"))
                        && s.get("Output").is_none()
                        && s.get("Parameters").is_none()
                });
            passes_through.then(|| Isolated {
                template: state
                    .get("Items")
                    .cloned()
                    .unwrap_or(json!("{% $states.input %}")),
                field: "Items",
            })
        }
        _ => None,
    }
}

/// AWS's cause without the interpreter's `An error occurred while executing the state ...`
/// prefix.
fn specific_cause(cause: &str) -> &str {
    match cause.split_once("). ") {
        Some((prefix, rest))
            if prefix.starts_with("An error occurred while executing the state") =>
        {
            rest
        }
        _ => cause,
    }
}

#[test]
fn recorded_jsonata_cases_evaluate_as_on_aws() {
    let mut checked = 0;
    let mut failures = Vec::new();
    let entries = std::fs::read_dir(cases_dir()).expect("conformance cases are vendored");
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("readable case");
        let case: Value = serde_json::from_str(&text).expect("case is JSON");
        let category = case["category"].as_str().unwrap_or_default();
        if !CATEGORIES.contains(&category) {
            continue;
        }
        let Some(isolated) = isolate(&case["definition"]) else {
            continue;
        };
        let expected = &case["expected"];
        // Values AWS made up per run (random numbers, UUIDs) cannot be compared.
        if case["ignore_paths"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
        {
            continue;
        }
        checked += 1;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let env = Env::new();
        let states = json!({"input": case["input"], "context": {}});
        let got = JsonataTemplate::compile(&isolated.template)
            .map_err(|e| e.to_string())
            .and_then(|t| {
                t.eval(&states, &env.scope(), isolated.field)
                    .map_err(|e| format!("{}|{}", e.error, e.cause))
            });
        let ok = match (expected["status"].as_str(), &got) {
            (Some("SUCCEEDED"), Ok(v)) => v == &expected["output"],
            (Some("FAILED"), Err(e)) => {
                let want = format!(
                    "{}|{}",
                    expected["error"].as_str().unwrap_or_default(),
                    specific_cause(expected["cause"].as_str().unwrap_or_default())
                );
                e == &want
            }
            _ => false,
        };
        if !ok {
            failures.push(format!("{name}: expected {expected}, got {got:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 30, "only {checked} cases were checked");
    println!("{checked} recorded JSONata cases checked");
}
