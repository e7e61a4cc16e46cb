//! One evaluation context: the bindings and functions shared by the expressions of one
//! expression or template evaluation, on the current thread.

use std::cell::Cell;
use std::rc::Rc;

use estado_json::Value;
use estado_types::{Scope, StatesError};
use jsonata_core::evaluator::{Context, Evaluator, EvaluatorOptions};
use jsonata_core::value::{JMap, JValue};

use crate::analysis::{Needs, StatesUse, STATES};
use crate::causes;
use crate::convert::{to_json, to_jvalue, ToJsonError};
use crate::functions::{self, FunctionEnv, SplitMix};
use crate::messages;

/// Wall-clock budget of one evaluation. A guard against runaway expressions (AWS documents no
/// limit); a well-formed ASL expression finishes in microseconds.
const TIMEOUT_MS: u64 = 10_000;
/// Evaluation nesting bound (about 3 levels per non-tail recursive call), keeping memory of a
/// runaway recursion small.
const MAX_STACK_DEPTH: usize = 10_000;
/// Longest sequence an evaluation may build (jsonata-js bounds `..` ranges at 1e7 too).
const MAX_SEQUENCE_LENGTH: usize = 10_000_000;

/// The evaluator of one evaluation, with `$states`, the workflow variables the expressions
/// read, and the Step Functions functions in place.
pub(crate) struct Session {
    ev: Evaluator,
}

impl Session {
    /// Binds what `needs` says the expressions read.
    pub(crate) fn new(
        needs: &Needs,
        states: &Value,
        scope: &Scope<'_>,
    ) -> Result<Self, StatesError> {
        let mut ctx = Context::new();
        for name in &needs.variables {
            if name == STATES {
                ctx.bind(name.clone(), bind_states(&needs.states, states));
            } else if let Some(value) = scope.vars.lookup(name) {
                ctx.bind(name.clone(), to_jvalue(value));
            }
        }
        let options = EvaluatorOptions {
            timeout_ms: Some(TIMEOUT_MS),
            max_stack_depth: Some(MAX_STACK_DEPTH),
            max_sequence_length: Some(MAX_SEQUENCE_LENGTH),
            ..EvaluatorOptions::default()
        };
        let mut ev = Evaluator::with_options(ctx, options);
        let entropy = needs
            .entropy
            .then(|| Rc::new(Cell::new(SplitMix::new(scope.entropy.next_u64()))));
        let env = FunctionEnv {
            now_millis: scope.now_millis,
            entropy,
        };
        // Registration fails only on a name clash with a built-in, which the fixed set of
        // names above never has; surface it rather than panic.
        functions::register(&mut ev, env).map_err(|e| {
            StatesError::query(format!("JSONata functions could not be registered: {e}"))
        })?;
        Ok(Session { ev })
    }

    /// Evaluates one expression. `Ok(None)` when the result is undefined.
    /// `sole_function` is the one function the expression calls, if it calls exactly one
    /// (argument errors name it).
    pub(crate) fn run(
        &mut self,
        ast: &jsonata_core::ast::AstNode,
        source: &str,
        sole_function: Option<&str>,
        field: &str,
    ) -> Result<Option<Value>, StatesError> {
        let result = self
            .ev
            .evaluate(ast, &JValue::Undefined)
            .map_err(|e| causes::threw(source, field, &messages::evaluation(&e, sole_function)))?;
        to_json(&result).map_err(|e| match e {
            ToJsonError::NonFinite(n) => {
                causes::threw(source, field, &format!("D1001: Number out of range: {n}"))
            }
        })
    }
}

/// `$states`, holding only the fields the expressions read.
fn bind_states(usage: &StatesUse, states: &Value) -> JValue {
    match (usage, states) {
        (StatesUse::Fields(fields), Value::Object(map)) => JValue::Object(Rc::new(
            fields
                .iter()
                .filter_map(|f| map.get(f).map(|v| (f.clone(), to_jvalue(v))))
                .collect::<JMap>(),
        )),
        _ => to_jvalue(states),
    }
}
