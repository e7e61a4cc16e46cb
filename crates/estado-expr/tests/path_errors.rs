//! AWS's causes for paths that select nothing (InputPath/OutputPath/ItemsPath), and ResultPath.

mod path_support;

use estado_expr::path::Path;
use estado_json::{json, Value};
use estado_types::StatesError;
use path_support::*;

#[test]
fn missing_output_path_is_the_recorded_aws_cause() {
    // Recorded on AWS: scenarios test_invalid_jsonpath[ST.INVALID_JSONPATH_IN_OUTPUTPATH].
    select_fails(
        json!({"int-literal": 0}),
        "$.NoSuchOutputPath",
        "Invalid path '$.NoSuchOutputPath' : No results for path: $['NoSuchOutputPath']",
    );
}

#[test]
fn jayway_messages_for_other_absences() {
    select_fails(
        json!({"a": 1}),
        "$.b.c",
        "Invalid path '$.b.c' : Missing property in path $['b']",
    );
    select_fails(
        json!({"a": [1]}),
        "$.a[3]",
        "Invalid path '$.a[3]' : No results for path: $['a'][3]",
    );
    select_fails(
        json!({"a": "x"}),
        "$.a.b",
        "Invalid path '$.a.b' : Expected to find an object with property ['b'] in path $['a'] \
         but found 'java.lang.String'. This is not a json object according to the JsonProvider: \
         'com.jayway.jsonpath.spi.json.JsonSmartJsonProvider'.",
    );
    select_fails(
        json!({"a": null}),
        "$.a[0]",
        "Invalid path '$.a[0]' : The path $['a'] is null",
    );
    select_fails(
        json!({"a": {"k": 1}}),
        "$.a[0]",
        "Invalid path '$.a[0]' : Filter: [0] can only be applied to arrays. Current context is: {k=1}",
    );
    select_fails(
        json!({"a": 5}),
        "$.a.*.b",
        "Invalid path '$.a.*.b' : Expected to find an object or array in path $['a'] but found \
         'java.lang.Integer'. ",
    );
    select_fails(
        json!({"xs": []}),
        "$.xs.max()",
        "Invalid path '$.xs.max()' : Aggregation function attempted to calculate value using empty array",
    );
}

#[test]
fn indefinite_selects_are_arrays_even_when_empty() {
    let path = Path::parse("$.items[?(@.n > 5)]").unwrap();
    let got = path
        .select(&json!({"items": [{"n": 1}]}), &Env::new().scope())
        .unwrap();
    assert_eq!(got, json!([]));
}

fn set(target: Value, path: &str, value: Value) -> Result<Value, StatesError> {
    Path::parse_reference(path).unwrap().set(target, value)
}

#[test]
fn result_path_root_replaces_everything() {
    assert_eq!(set(json!({"a": 1}), "$", json!("r")).unwrap(), json!("r"));
}

#[test]
fn result_path_adds_or_replaces_a_member() {
    assert_eq!(
        set(json!({"a": 1}), "$.b", json!(2)).unwrap(),
        json!({"a": 1, "b": 2})
    );
    assert_eq!(
        set(json!({"a": 1}), "$.a", json!(2)).unwrap(),
        json!({"a": 2})
    );
}

#[test]
fn result_path_creates_missing_objects() {
    assert_eq!(
        set(json!({"a": 1}), "$.x.y['z']", json!(true)).unwrap(),
        json!({"a": 1, "x": {"y": {"z": true}}})
    );
}

#[test]
fn result_path_into_array_elements() {
    assert_eq!(
        set(json!({"xs": [1, {"k": 0}]}), "$.xs[1].k", json!(9)).unwrap(),
        json!({"xs": [1, {"k": 9}]})
    );
    assert_eq!(
        set(json!({"xs": [1, 2]}), "$.xs[-1]", json!(9)).unwrap(),
        json!({"xs": [1, 9]})
    );
}

#[test]
fn result_path_failures_are_result_path_match_failure() {
    // Cause text as AWS reports it (see aws/aws-cdk#29473).
    let err = set(json!("{\"min_size\":1}"), "$.partitioned", json!(1)).unwrap_err();
    assert_eq!(err.error, "States.ResultPathMatchFailure");
    assert_eq!(
        err.cause,
        r#"Unable to apply ReferencePath $.partitioned to input "{\"min_size\":1}""#
    );
    let err = set(json!({"a": 5}), "$.a.b", json!(1)).unwrap_err();
    assert_eq!(
        err.cause,
        r#"Unable to apply ReferencePath $.a.b to input {"a":5}"#
    );
    assert!(set(json!({"xs": [1]}), "$.xs[3]", json!(1)).is_err());
    assert!(set(json!({"xs": {}}), "$.xs[0]", json!(1)).is_err());
}

#[test]
fn result_path_only_writes_into_the_input() {
    let path = Path::parse_reference("$$.Execution").unwrap();
    assert!(path.set(json!({}), json!(1)).is_err());
}
