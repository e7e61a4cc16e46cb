//! `estado validate`: diagnostics one per line or as AWS's JSON response, exit codes 0/1/2.

use std::process::Command;

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

/// Writes `text` to a file of this test process and returns its path as a string.
fn write(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("estado-validate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
    path.to_string_lossy().into_owned()
}

#[test]
fn a_valid_definition_exits_0_and_prints_nothing() {
    let def = write(
        "ok.json",
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#,
    );
    let (code, stdout, _) = estado(&["validate", &def]);
    assert_eq!(code, 0);
    assert_eq!(stdout, "");
}

#[test]
fn an_invalid_definition_exits_1_with_one_line_per_diagnostic() {
    let def = write(
        "bad.json",
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}}"#,
    );
    let (code, stdout, _) = estado(&["validate", &def]);
    assert_eq!(code, 1);
    assert_eq!(
        stdout,
        "ERROR MISSING_TRANSITION_TARGET /States/A/Next: Missing 'Next' target: B\n\
         ERROR MISSING_END_STATE: Workflow has no terminal state\n"
    );
}

#[test]
fn json_output_is_aws_response_shape() {
    let def = write(
        "express.json",
        r#"{"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken", "End": true}}}"#,
    );
    let (code, stdout, _) = estado(&["validate", &def, "--json", "--type", "EXPRESS"]);
    assert_eq!(code, 1);
    let response: estado_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(
        response,
        estado_json::json!({"result": "FAIL", "truncated": false, "diagnostics": [{
            "severity": "ERROR", "code": "SCHEMA_VALIDATION_FAILED",
            "message": "Express state machine does not support '.waitForTaskToken' service integration ",
            "location": "/States/T/Resource"}]})
    );
    let (code, stdout, _) = estado(&["validate", &def, "--json"]);
    assert_eq!(code, 0);
    let response: estado_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(
        response,
        estado_json::json!({"result": "OK", "diagnostics": [], "truncated": false})
    );
}

#[test]
fn text_that_is_not_json_is_invalid() {
    let def = write("text.json", "not a definition");
    let (code, stdout, _) = estado(&["validate", &def]);
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with(
            "ERROR INVALID_JSON_DESCRIPTION [Source: (String)\"not a definition\"; line: 1, column: 4]: Unrecognized token 'not'"
        ),
        "{stdout}"
    );
}

#[test]
fn an_unreadable_file_exits_2() {
    let (code, _, stderr) = estado(&["validate", "/nonexistent/definition.json"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("cannot read /nonexistent/definition.json"),
        "{stderr}"
    );
}

#[test]
fn run_refuses_a_settings_file_it_cannot_read() {
    let def = write(
        "run-ok.json",
        r#"{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}"#,
    );
    let (code, _, stderr) = estado(&["run", &def, "--config", "/no/such/estado.toml"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("/no/such/estado.toml"), "{stderr}");
    let (code, stdout, _) = estado(&["run", &def]);
    assert_eq!(code, 0);
    assert!(
        stdout
            .trim_end()
            .ends_with(r#""status":"SUCCEEDED","output":{},"error":null,"cause":null}"#),
        "{stdout}"
    );
}
