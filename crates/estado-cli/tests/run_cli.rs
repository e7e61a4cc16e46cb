//! `estado run`: how the execution was started shows in its context object, as on AWS.

use std::process::Command;

use estado_json::Value;

/// Runs `estado run` on a machine whose output is `$$.Execution`; gives the exit code and the
/// result line.
fn run_context(extra: &[&str]) -> (i32, Value) {
    let dir = std::env::temp_dir().join(format!("estado-run-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let def = dir.join("context.json");
    std::fs::write(
        &def,
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass",
            "Parameters": {"execution.$": "$$.Execution"}, "End": true}}}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new(env!("CARGO_BIN_EXE_estado"))
        .arg("run")
        .arg(&def)
        .args(["--input", r#"{"n": 1}"#])
        .args(extra)
        .output()
        .unwrap_or_else(|e| panic!("cannot run estado: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last = stdout.lines().last().unwrap_or("null");
    (
        out.status.code().unwrap_or(-1),
        serde_json::from_str(last).unwrap_or(Value::Null),
    )
}

#[test]
fn the_redrive_count_is_there_unless_the_run_is_a_synchronous_express_one() {
    let (code, standard) = run_context(&[]);
    assert_eq!(code, 0, "{standard}");
    assert_eq!(standard["output"]["execution"]["RedriveCount"], 0);
    assert_eq!(standard["output"]["execution"]["Input"]["n"], 1);

    // StartSyncExecution's context, as AWS recorded it: no RedriveCount.
    let (code, sync) = run_context(&["--type", "EXPRESS"]);
    assert_eq!(code, 0, "{sync}");
    let execution = &sync["output"]["execution"];
    assert_eq!(execution["Input"]["n"], 1);
    assert!(execution.get("RedriveCount").is_none(), "{execution}");

    // StartExecution's: RedriveCount 0.
    let (code, asynchronous) = run_context(&["--type", "EXPRESS", "--async"]);
    assert_eq!(code, 0, "{asynchronous}");
    assert_eq!(asynchronous["output"]["execution"]["RedriveCount"], 0);
}

#[test]
fn async_is_refused_for_a_standard_execution() {
    let (code, _) = run_context(&["--async"]);
    assert_eq!(code, 2);
}
