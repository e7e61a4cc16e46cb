//! Helpers shared by the path and template tests.
#![allow(dead_code)]

use estado_expr::path::Path;
use estado_json::{Map, Value};
use estado_types::{Scope, SplitMix64, StatesError};

/// Evaluation environment: a context object and variables.
pub struct Env {
    pub context: Value,
    pub vars: Map,
    pub entropy: SplitMix64,
}

impl Env {
    pub fn new() -> Env {
        Env {
            context: estado_json::json!({}),
            vars: Map::new(),
            entropy: SplitMix64::new(7),
        }
    }
    pub fn with_context(mut self, context: Value) -> Env {
        self.context = context;
        self
    }
    pub fn with_var(mut self, name: &str, value: Value) -> Env {
        self.vars.insert(name.to_string(), value);
        self
    }
    pub fn scope(&self) -> Scope<'_> {
        Scope {
            context: &self.context,
            vars: &self.vars,
            entropy: &self.entropy,
            now_millis: 0,
        }
    }
}

/// `expr` applied to `input` yields `expected` (Jayway shaping: value or array).
#[track_caller]
pub fn give(input: Value, expr: &str, expected: Value) {
    give_in(&Env::new(), input, expr, expected);
}

#[track_caller]
pub fn give_in(env: &Env, input: Value, expr: &str, expected: Value) {
    let path = Path::parse(expr).unwrap_or_else(|e| panic!("{expr} should parse: {e}"));
    let got = path
        .query(&input, &env.scope())
        .unwrap_or_else(|e| panic!("{expr} failed: {e}"));
    assert_eq!(got, Some(expected), "{expr} on {input}");
}

/// `expr` is definite and selects nothing in `input`.
#[track_caller]
pub fn absent(input: Value, expr: &str) {
    let path = Path::parse(expr).unwrap_or_else(|e| panic!("{expr} should parse: {e}"));
    let got = path.query(&input, &Env::new().scope()).expect("query");
    assert_eq!(got, None, "{expr} on {input}");
}

/// `select` fails with `States.Runtime` and exactly this cause.
#[track_caller]
pub fn select_fails(input: Value, expr: &str, cause: &str) {
    let path = Path::parse(expr).unwrap_or_else(|e| panic!("{expr} should parse: {e}"));
    let err = path
        .select(&input, &Env::new().scope())
        .expect_err("select should fail");
    assert_eq!(
        err,
        StatesError::new("States.Runtime", cause),
        "{expr} on {input}"
    );
}

/// `expr` is rejected by the full parser.
#[track_caller]
pub fn rejected(expr: &str) {
    assert!(Path::parse(expr).is_err(), "{expr} should not parse");
}
