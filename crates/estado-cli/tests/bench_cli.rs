//! `estado bench`: one line per workload with its figures, a summary line, `--json`, and exit
//! status 1 when an answer differs from the expected output.

use std::path::PathBuf;
use std::process::Command;

use estado_json::Value;

fn estado(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_estado"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run estado: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The repository's workloads folder.
fn repo_workloads() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../bench/workloads")
        .to_string_lossy()
        .into_owned()
}

/// A workloads folder of this test holding one workload `name` with these files.
fn workloads(
    test: &str,
    name: &str,
    mode: &str,
    definition: &str,
    input: &str,
    expected: &str,
    executions: usize,
) -> String {
    let dir = std::env::temp_dir().join(format!("estado-bench-cli-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let manifest = estado_json::json!({ name: {
        "definition": format!("{name}.json"),
        "input": format!("{name}.input.json"),
        "expected": format!("{name}.expected.json"),
        "mode": mode,
        "executions": executions,
        "transitions_per_execution": 3,
        "transitions_total": 3 * executions,
    }});
    for (file, text) in [
        ("manifest.json".to_string(), manifest.to_string()),
        (format!("{name}.json"), definition.to_string()),
        (format!("{name}.input.json"), input.to_string()),
        (format!("{name}.expected.json"), expected.to_string()),
    ] {
        std::fs::write(dir.join(file), text).unwrap_or_else(|e| panic!("{e}"));
    }
    dir.to_string_lossy().into_owned()
}

/// The table line of `workload`, split into its cells.
fn row<'a>(stdout: &'a str, workload: &str) -> Vec<&'a str> {
    let line = stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(workload))
        .unwrap_or_else(|| panic!("no line for {workload} in:\n{stdout}"));
    line.split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

const THREE_STATES: &str = r#"{"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Parameters": {"x.$": "$.x"}, "Next": "W"},
    "W": {"Type": "Wait", "Seconds": 5, "Next": "C"},
    "C": {"Type": "Pass", "End": true}}}"#;

#[test]
fn pass_chain_1000_prints_its_transitions_per_second_and_exits_0() {
    let (code, stdout, stderr) = estado(&[
        "bench",
        "--workloads",
        &repo_workloads(),
        "--filter",
        "pass_chain_1000",
        "--runs",
        "1",
    ]);
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    let cells = row(&stdout, "pass_chain_1000");
    let rate = cells
        .iter()
        .find(|c| c.ends_with("/s"))
        .unwrap_or_else(|| panic!("no transitions/s in {cells:?}"));
    let number: f64 = rate
        .split_whitespace()
        .next()
        .and_then(|n| n.trim_end_matches("/s").parse().ok())
        .unwrap_or(0.0);
    assert!(number > 0.0, "{rate}");
    assert_eq!(cells.last(), Some(&"ok"));
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("summary: 1 workloads, 1 correct, 0 wrong")),
        "{stdout}"
    );
}

#[test]
fn json_gives_the_figures_of_each_workload() {
    let (code, stdout, _) = estado(&[
        "bench",
        "--workloads",
        &repo_workloads(),
        "--filter",
        "pass_chain_1000",
        "--runs",
        "2",
        "--warmup",
        "0",
        "--json",
    ]);
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let w = &doc["workloads"][0];
    assert_eq!(w["name"], "pass_chain_1000");
    assert_eq!(w["correct"], true);
    assert_eq!(w["times_ns"].as_array().map(Vec::len), Some(2));
    assert!(w["transitions_per_second"].as_f64().unwrap_or(0.0) > 0.0);
    assert_eq!(w["transitions_counted"], 1000);
    assert!(w["heap_peak_bytes"].as_u64().unwrap_or(0) > 0);
    assert!(
        w["history_events"].as_u64().unwrap_or(0) >= 2000,
        "the history is recorded"
    );
    assert!(w["vs_peer"].as_f64().unwrap_or(0.0) > 0.0);
    assert_eq!(doc["summary"]["wrong"], 0);
}

#[test]
fn a_wrong_answer_fails_the_benchmark() {
    let dir = workloads(
        "wrong",
        "tiny",
        "single",
        THREE_STATES,
        r#"{"x": 1}"#,
        r#"{"x": 2}"#,
        1,
    );
    let (code, stdout, _) = estado(&["bench", "--workloads", &dir, "--runs", "1"]);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(row(&stdout, "tiny").last(), Some(&"WRONG"));
    assert!(
        stdout.contains(r#"wrong answer: execution 0: output {"x":1} instead of {"x":2}"#),
        "{stdout}"
    );
}

#[test]
fn concurrent_executions_all_wait_then_all_finish() {
    let inputs = r#"[{"x": 1}, {"x": 2}, {"x": 3}]"#;
    let dir = workloads(
        "concurrent",
        "parked",
        "many_concurrent",
        THREE_STATES,
        inputs,
        inputs,
        3,
    );
    let (code, stdout, _) = estado(&["bench", "--workloads", &dir, "--runs", "1", "--json"]);
    assert_eq!(code, 0, "{stdout}");
    let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let w = &doc["workloads"][0];
    assert_eq!(w["correct"], true);
    assert_eq!(w["transitions_counted"], 9);
    assert!(w["heap_per_waiting_execution_bytes"].as_u64().unwrap_or(0) > 0);
}

#[test]
fn an_unknown_workload_is_an_error() {
    let (code, _, stderr) = estado(&[
        "bench",
        "--workloads",
        &repo_workloads(),
        "--filter",
        "no_such_workload",
    ]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no workload"), "{stderr}");
}
