//! `estado run --config estado.toml` runs Task states with the file's Lambda functions.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use estado_json::{json, Value};

fn workdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("estado-run-fn-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("handlers")).unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("handlers/app.py"),
        "import time\n\ndef double(event, context):\n    return {\"n\": event[\"n\"] * 2}\n\ndef slow(event, context):\n    time.sleep(20)\n\ndef sometimes(event, context):\n    if event.get(\"fail\"):\n        raise KeyError(\"nope\")\n    return event\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(
        dir.join("estado.toml"),
        "[functions.double]\nhandler = \"handlers/app.py:double\"\n\n[functions.slow]\nhandler = \"handlers/app.py:slow\"\ntimeout = 30\n\n[functions.sometimes]\nhandler = \"handlers/app.py:sometimes\"\n",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    dir
}

/// Runs `definition` with `input`; returns the result line.
fn run(dir: &Path, definition: Value, input: Value, extra: &[&str]) -> Value {
    let def = dir.join(format!("{}.json", uuid::Uuid::new_v4()));
    std::fs::write(&def, definition.to_string()).unwrap_or_else(|e| panic!("{e}"));
    // From another folder: the file's functions are found relative to the file.
    let out = Command::new(env!("CARGO_BIN_EXE_estado"))
        .arg("run")
        .arg(&def)
        .args(["--input", &input.to_string(), "--config"])
        .arg(dir.join("estado.toml"))
        .args(extra)
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or_default();
    serde_json::from_str(last)
        .unwrap_or_else(|e| panic!("{e}: {stdout}\n{}", String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn lambda_tasks_run_with_the_files_functions() {
    let dir = workdir();
    let result = run(
        &dir,
        json!({"StartAt": "A", "States": {
            "A": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double", "Next": "B"},
            "B": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {"FunctionName": "double", "Payload.$": "$"},
                  "OutputPath": "$.Payload", "End": true}
        }}),
        json!({"n": 5}),
        &[],
    );
    assert_eq!(result["status"], "SUCCEEDED", "{result}");
    assert_eq!(result["output"], json!({"n": 20}));
}

#[test]
fn a_task_timeout_is_real_time_even_when_waits_are_skipped() {
    let dir = workdir();
    let t = Instant::now();
    let result = run(
        &dir,
        json!({"StartAt": "Slow", "States": {
            "Slow": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:slow",
                     "TimeoutSeconds": 1,
                     "Catch": [{"ErrorEquals": ["States.Timeout"], "Next": "Fast"}], "End": true},
            "Fast": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:double",
                     "Parameters": {"n": 1}, "End": true}
        }}),
        json!({}),
        &["--time-scale", "0"],
    );
    let took = t.elapsed();
    assert_eq!(result["status"], "SUCCEEDED", "{result}");
    assert_eq!(result["output"], json!({"n": 2}));
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(10),
        "{took:?}"
    );
}

#[test]
fn retries_call_the_function_again_and_errors_are_caught() {
    let dir = workdir();
    let result = run(
        &dir,
        json!({"StartAt": "Call", "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:sometimes",
                     "Retry": [{"ErrorEquals": ["KeyError"], "MaxAttempts": 2, "IntervalSeconds": 5}],
                     "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
            "Caught": {"Type": "Pass", "End": true}
        }}),
        json!({"fail": true}),
        &["--time-scale", "0", "--history"],
    );
    assert_eq!(result["status"], "SUCCEEDED", "{result}");
    assert_eq!(result["output"]["Error"], "KeyError");
    let cause: Value = serde_json::from_str(result["output"]["Cause"].as_str().unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cause["errorMessage"], "'nope'");
    let unknown = run(
        &dir,
        json!({"StartAt": "Call", "States": {
            "Call": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                     "Parameters": {"FunctionName": "absent"}, "End": true}
        }}),
        json!({}),
        &[],
    );
    assert_eq!(unknown["status"], "FAILED");
    assert_eq!(unknown["error"], "Lambda.ResourceNotFoundException");
}
