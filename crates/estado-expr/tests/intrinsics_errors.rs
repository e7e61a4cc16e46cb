//! How intrinsic calls fail at run time: the error name and the exact cause.
//!
//! AWS's recorded cases contain no failing intrinsic call, so the causes checked here are the
//! ones Estado defines (see `src/intrinsics/args.rs`); the error names follow AWS's docs.

mod intrinsics_support;

use estado_json::json;
use intrinsics_support::fails;

const INTRINSIC: &str = "States.IntrinsicFailure";
const RUNTIME: &str = "States.Runtime";

#[test]
fn a_path_argument_that_selects_nothing() {
    fails(
        json!({"a": 1}),
        "States.Format('{}', $.missing)",
        RUNTIME,
        "The JsonPath argument for the field '$.missing' could not be found in the input '{\"a\":1}'",
    );
    fails(
        json!({}),
        "States.Array($$.Execution.Nope)",
        RUNTIME,
        &format!(
            "The JsonPath argument for the field '$$.Execution.Nope' could not be found in the input '{}'",
            serde_json::to_string(&intrinsics_support::context()).unwrap_or_default()
        ),
    );
}

#[test]
fn the_first_failing_argument_wins() {
    fails(
        json!({}),
        "States.Array(States.ArrayLength(1), $.missing)",
        INTRINSIC,
        "Invalid arguments in States.ArrayLength: the first argument must be an array, but was: 1",
    );
}

#[test]
fn format() {
    fails(
        json!({}),
        "States.Format('{} and {}', 1)",
        INTRINSIC,
        "Invalid arguments in States.Format: the format string has 2 placeholder(s) but 1 value(s) were given",
    );
    fails(
        json!({"t": 5}),
        "States.Format($.t)",
        INTRINSIC,
        "Invalid arguments in States.Format: the first argument must be a string, but was: 5",
    );
}

#[test]
fn json_functions() {
    fails(
        json!({}),
        "States.StringToJson('{nope')",
        INTRINSIC,
        "Invalid arguments in States.StringToJson: the string is not valid JSON: {nope",
    );
    fails(
        json!({"o": {}}),
        "States.StringToJson($.o)",
        INTRINSIC,
        "Invalid arguments in States.StringToJson: the first argument must be a string, but was: {}",
    );
    fails(
        json!({"a": {}, "b": {}}),
        "States.JsonMerge($.a, $.b, true)",
        INTRINSIC,
        "Invalid arguments in States.JsonMerge: only the shallow merging mode is supported; the third argument must be false",
    );
    fails(
        json!({"a": {}}),
        "States.JsonMerge($.a, 'x', false)",
        INTRINSIC,
        "Invalid arguments in States.JsonMerge: the second argument must be a JSON object, but was: \"x\"",
    );
    fails(
        json!({"a": {}, "b": {}}),
        "States.JsonMerge($.a, $.b, 'false')",
        INTRINSIC,
        "Invalid arguments in States.JsonMerge: the third argument must be a boolean, but was: \"false\"",
    );
}

#[test]
fn array_functions() {
    fails(
        json!({"a": "x"}),
        "States.ArrayLength($.a)",
        INTRINSIC,
        "Invalid arguments in States.ArrayLength: the first argument must be an array, but was: \"x\"",
    );
    fails(
        json!({"a": [1]}),
        "States.ArrayPartition($.a, 0)",
        INTRINSIC,
        "Invalid arguments in States.ArrayPartition: the chunk size must be greater than 0, but was: 0",
    );
    fails(
        json!({"a": [1]}),
        "States.ArrayPartition($.a, 1.5)",
        INTRINSIC,
        "Invalid arguments in States.ArrayPartition: the second argument must be an integer, but was: 1.5",
    );
    fails(
        json!({"a": [1, 2]}),
        "States.ArrayGetItem($.a, 2)",
        INTRINSIC,
        "Invalid arguments in States.ArrayGetItem: the index 2 is out of bounds for an array of length 2",
    );
    fails(
        json!({"a": [1, 2]}),
        "States.ArrayGetItem($.a, -1)",
        INTRINSIC,
        "Invalid arguments in States.ArrayGetItem: the index -1 is out of bounds for an array of length 2",
    );
    fails(
        json!({}),
        "States.ArrayRange(1, 5, 0)",
        INTRINSIC,
        "Invalid arguments in States.ArrayRange: the step must not be 0",
    );
    fails(
        json!({}),
        "States.ArrayRange(0, 1000, 1)",
        INTRINSIC,
        "Invalid arguments in States.ArrayRange: the range would have 1001 items, more than the maximum of 1000",
    );
    fails(
        json!({}),
        "States.ArrayRange('1', 5, 1)",
        INTRINSIC,
        "Invalid arguments in States.ArrayRange: the first argument must be an integer, but was: \"1\"",
    );
    fails(
        json!({}),
        "States.ArrayContains('abc', 'a')",
        INTRINSIC,
        "Invalid arguments in States.ArrayContains: the first argument must be an array, but was: \"abc\"",
    );
}

#[test]
fn encoding_functions() {
    fails(
        json!({}),
        "States.Base64Decode('not base64!')",
        INTRINSIC,
        "Invalid arguments in States.Base64Decode: the input is not valid Base64: not base64!",
    );
    fails(
        json!({"big": "x".repeat(10_001)}),
        "States.Base64Encode($.big)",
        INTRINSIC,
        "Invalid arguments in States.Base64Encode: the input is 10001 characters long, more than the maximum of 10000",
    );
    fails(
        json!({}),
        "States.Hash('data', 'SHA-2')",
        INTRINSIC,
        "Invalid arguments in States.Hash: the hashing algorithm must be one of MD5, SHA-1, SHA-256, SHA-384, SHA-512, but was: SHA-2",
    );
    fails(
        json!({}),
        "States.Hash(1, 'MD5')",
        INTRINSIC,
        "Invalid arguments in States.Hash: the first argument must be a string, but was: 1",
    );
}

#[test]
fn math_functions() {
    fails(
        json!({}),
        "States.MathAdd('1', 2)",
        INTRINSIC,
        "Invalid arguments in States.MathAdd: the first argument must be an integer, but was: \"1\"",
    );
    fails(
        json!({}),
        "States.MathAdd(1, 3000000000)",
        INTRINSIC,
        "Invalid arguments in States.MathAdd: the second argument must be an integer, but was: 3000000000",
    );
    fails(
        json!({}),
        "States.MathRandom(5, 5)",
        INTRINSIC,
        "Invalid arguments in States.MathRandom: the start (5) must be less than the end (5)",
    );
    fails(
        json!({}),
        "States.MathRandom(1, 10, 'seed')",
        INTRINSIC,
        "Invalid arguments in States.MathRandom: the third argument must be an integer, but was: \"seed\"",
    );
}

#[test]
fn string_split() {
    fails(
        json!({}),
        "States.StringSplit(1, ',')",
        INTRINSIC,
        "Invalid arguments in States.StringSplit: the first argument must be a string, but was: 1",
    );
    fails(
        json!({}),
        "States.StringSplit('a', null)",
        INTRINSIC,
        "Invalid arguments in States.StringSplit: the second argument must be a string, but was: null",
    );
}
