//! Test helpers: evaluate expressions like the spec examples read.
#![allow(dead_code)]

use estado_json::{Map, Value};
use estado_jsonata::{Expression, JsonataTemplate};
use estado_types::{Scope, SplitMix64, StatesError};

/// A fixed clock value: 2024-02-29T12:34:56.789Z.
pub const NOW_MILLIS: i64 = 1_709_210_096_789;

/// Workflow variables, a seeded entropy source and the fixed clock.
pub struct Env {
    pub vars: Map,
    pub entropy: SplitMix64,
    pub context: Value,
}

impl Env {
    pub fn new() -> Self {
        Env {
            vars: Map::new(),
            entropy: SplitMix64::new(7),
            context: Value::Object(Map::new()),
        }
    }

    pub fn with_vars(vars: Value) -> Self {
        let mut env = Env::new();
        if let Value::Object(map) = vars {
            env.vars = map;
        }
        env
    }

    pub fn scope(&self) -> Scope<'_> {
        Scope {
            context: &self.context,
            vars: &self.vars,
            entropy: &self.entropy,
            now_millis: NOW_MILLIS,
        }
    }

    pub fn eval(&self, states: &Value, expr: &str) -> Result<Option<Value>, StatesError> {
        let e = Expression::compile(expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
        e.evaluate(states, &self.scope(), "Output")
    }
}

/// `$states` with only `input` set.
pub fn states(input: Value) -> Value {
    estado_json::json!({ "input": input })
}

/// `expr` evaluated against `$states` gives `expected`.
pub fn give(states: Value, expr: &str, expected: Value) {
    let got = Env::new().eval(&states, expr);
    assert_eq!(got, Ok(Some(expected)), "{expr}");
}

/// `expr` evaluated against `$states` is undefined.
pub fn undefined(states: Value, expr: &str) {
    let got = Env::new().eval(&states, expr);
    assert_eq!(got, Ok(None), "{expr}");
}

/// `expr` fails with `States.QueryEvaluationError` and this cause (field `Output`).
pub fn fails(states: Value, expr: &str, cause: &str) {
    let got = Env::new().eval(&states, expr);
    assert_eq!(got, Err(StatesError::query(cause)), "{expr}");
}

/// The JSONata error message (after AWS's `threw an error during evaluation. `) of `expr`.
pub fn error_message(states: Value, expr: &str) -> String {
    match Env::new().eval(&states, expr) {
        Err(e) => {
            assert_eq!(e.error, "States.QueryEvaluationError", "{expr}");
            let marker = "threw an error during evaluation. ";
            match e.cause.split_once(marker) {
                Some((_, msg)) => msg.to_string(),
                None => panic!("{expr}: unexpected cause {}", e.cause),
            }
        }
        Ok(v) => panic!("{expr}: expected an error, got {v:?}"),
    }
}

/// Evaluates a template with `$states` and the given environment under field `field`.
pub fn template(
    env: &Env,
    template: Value,
    states: &Value,
    field: &str,
) -> Result<Value, StatesError> {
    let t = JsonataTemplate::compile(&template).unwrap_or_else(|e| panic!("{template}: {e}"));
    t.eval(states, &env.scope(), field)
}
