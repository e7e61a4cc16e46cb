//! One compiled JSONata expression.

use std::fmt;
use std::sync::Arc;

use estado_json::Value;
use estado_types::{Scope, StatesError};
use jsonata_core::ast::AstNode;

use crate::analysis::{analyse, Needs};
use crate::error::JsonataError;
use crate::messages;
use crate::session::Session;

/// A JSONata expression (the text inside `{% %}`), parsed once and shared across threads.
#[derive(Clone)]
pub struct Expression {
    inner: Arc<Compiled>,
}

pub(crate) struct Compiled {
    source: String,
    ast: AstNode,
    needs: Needs,
}

// The server shares compiled programs across threads; this must keep holding.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Expression>();
};

impl fmt::Debug for Expression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Expression")
            .field(&self.inner.source)
            .finish()
    }
}

impl PartialEq for Expression {
    fn eq(&self, other: &Self) -> bool {
        self.inner.source == other.inner.source
    }
}

impl Expression {
    /// Parses `src`, the text inside `{% %}` (see [`crate::expression_text`]).
    pub fn compile(src: &str) -> Result<Expression, JsonataError> {
        let mut ast = jsonata_core::parser::parse(src)
            .map_err(|e| JsonataError::new(messages::syntax(&e)))?;
        let needs = analyse(&mut ast);
        Ok(Expression {
            inner: Arc::new(Compiled {
                source: src.to_string(),
                ast,
                needs,
            }),
        })
    }

    /// The expression text as compiled (as AWS quotes it in causes).
    pub fn source(&self) -> &str {
        &self.inner.source
    }

    /// Evaluates with `$states` bound to `states` (the object the interpreter builds:
    /// `input`, `result`, `errorOutput`, `context`) and the workflow variables of `scope`
    /// bound as `$name`. `field` names the ASL field in error causes (`Output`,
    /// `Arguments/Payload`, ...).
    ///
    /// `Ok(None)` when the result is undefined: callers decide whether that is an error.
    /// Evaluation failures are `States.QueryEvaluationError` with AWS's cause (without the
    /// state prefix).
    pub fn evaluate(
        &self,
        states: &Value,
        scope: &Scope,
        field: &str,
    ) -> Result<Option<Value>, StatesError> {
        let mut session = Session::new(&self.inner.needs, states, scope)?;
        self.evaluate_in(&mut session, field)
    }

    pub(crate) fn needs(&self) -> &Needs {
        &self.inner.needs
    }

    pub(crate) fn evaluate_in(
        &self,
        session: &mut Session,
        field: &str,
    ) -> Result<Option<Value>, StatesError> {
        let called = &self.inner.needs.called;
        let sole_function = match called.len() {
            1 => called.first().map(String::as_str),
            _ => None,
        };
        session.run(&self.inner.ast, &self.inner.source, sole_function, field)
    }
}
