//! Helpers shared by the `intrinsics_*` test files.
#![allow(dead_code)]

use estado_expr::intrinsics::Call;
use estado_json::{json, Map, Value};
use estado_types::{Scope, SplitMix64, StatesError};

/// The context object the helpers evaluate against.
pub fn context() -> Value {
    json!({
        "Execution": {"Id": "arn:aws:states:us-east-1:111111111111:execution:Machine-1:run-7", "Name": "run-7"},
        "StateMachine": {"Name": "Machine-1"},
        "Map": {"Item": {"Index": 2, "Value": "Pikachu"}}
    })
}

/// The workflow variables the helpers evaluate against.
pub fn vars() -> Map {
    let Value::Object(map) = json!({
        "greeting": "Hello",
        "numbers": [1, 2, 3],
        "person": {"name": "Ada"}
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

/// Parses and evaluates `expr` against `input` with [`context`], [`vars`] and a fixed
/// entropy seed.
pub fn eval(input: &Value, expr: &str) -> Result<Value, StatesError> {
    eval_seeded(input, expr, 7)
}

pub fn eval_seeded(input: &Value, expr: &str, seed: u64) -> Result<Value, StatesError> {
    let call = Call::parse(expr).unwrap_or_else(|e| panic!("{expr} should parse: {e}"));
    let context = context();
    let vars = vars();
    let entropy = SplitMix64::new(seed);
    let scope = Scope {
        context: &context,
        vars: &vars,
        entropy: &entropy,
        now_millis: 0,
    };
    call.eval(input, &scope)
}

/// `expr` evaluated against `input` gives `expected`.
pub fn give(input: Value, expr: &str, expected: Value) {
    match eval(&input, expr) {
        Ok(got) => assert_eq!(got, expected, "{expr} on {input}"),
        Err(e) => panic!("{expr} on {input} failed: {e}"),
    }
}

/// `expr` evaluated against `input` fails with `error` and exactly `cause`.
pub fn fails(input: Value, expr: &str, error: &str, cause: &str) {
    match eval(&input, expr) {
        Ok(got) => panic!("{expr} on {input} gave {got}, expected {error}"),
        Err(e) => {
            assert_eq!(e.error, error, "{expr}: {}", e.cause);
            assert_eq!(e.cause, cause, "{expr}");
        }
    }
}

/// `expr` is rejected by the parser with a message containing `fragment`.
pub fn rejects(expr: &str, fragment: &str) {
    match Call::parse(expr) {
        Ok(call) => panic!("{expr} parsed as {call:?}"),
        Err(e) => assert!(
            e.to_string().contains(fragment),
            "{expr}: '{e}' should mention '{fragment}'"
        ),
    }
}
