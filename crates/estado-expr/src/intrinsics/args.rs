//! What a function implementation receives, typed access to its arguments, and the error texts
//! shared by every function.
//!
//! Cause texts: the recorded AWS conformance cases contain no failing intrinsic call, so these
//! texts follow AWS's documented argument rules in AWS's sentence style; all of them are built
//! here so that a recorded text can replace a guess in one place.

use estado_json::{Map, Value};
use estado_types::{Scope, StatesError};

use super::generic::Template;
use super::java;
use crate::path::{Path, Root};

/// One evaluation of a function: its name, its evaluated arguments and what it may use
/// besides them.
pub(crate) struct Invocation<'a> {
    pub name: &'static str,
    pub args: Vec<Value>,
    pub scope: &'a Scope<'a>,
    /// `States.Format`'s template when it was a string literal.
    pub template: Option<&'a Template>,
}

fn ordinal(index: usize) -> &'static str {
    const ORDINALS: [&str; 10] = [
        "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
        "tenth",
    ];
    ORDINALS.get(index).copied().unwrap_or("next")
}

impl Invocation<'_> {
    /// Argument `index` (0-based). The parser checked the arity, so a missing argument is a
    /// bug in a function's table entry; it still fails as data rather than panicking.
    pub fn arg(&self, index: usize) -> Result<&Value, StatesError> {
        self.args
            .get(index)
            .ok_or_else(|| self.fail(format!("the {} argument is missing", ordinal(index))))
    }

    /// A `States.IntrinsicFailure` naming this function.
    pub fn fail(&self, detail: impl AsRef<str>) -> StatesError {
        StatesError::intrinsic(format!(
            "Invalid arguments in {}: {}",
            self.name,
            detail.as_ref()
        ))
    }

    /// The failure for argument `index` not being of the `expected` kind.
    pub fn wrong_type(&self, index: usize, expected: &str, actual: &Value) -> StatesError {
        self.fail(format!(
            "the {} argument must be {expected}, but was: {}",
            ordinal(index),
            java::to_json(actual)
        ))
    }

    pub fn string(&self, index: usize) -> Result<&str, StatesError> {
        match self.arg(index)? {
            Value::String(s) => Ok(s),
            other => Err(self.wrong_type(index, "a string", other)),
        }
    }

    pub fn array(&self, index: usize) -> Result<&Vec<Value>, StatesError> {
        match self.arg(index)? {
            Value::Array(items) => Ok(items),
            other => Err(self.wrong_type(index, "an array", other)),
        }
    }

    pub fn object(&self, index: usize) -> Result<&Map, StatesError> {
        match self.arg(index)? {
            Value::Object(map) => Ok(map),
            other => Err(self.wrong_type(index, "a JSON object", other)),
        }
    }

    pub fn boolean(&self, index: usize) -> Result<bool, StatesError> {
        match self.arg(index)? {
            Value::Bool(b) => Ok(*b),
            other => Err(self.wrong_type(index, "a boolean", other)),
        }
    }

    /// A whole number (`2` or `2.0`) that fits a Java `int`, as the array functions require.
    pub fn integer(&self, index: usize) -> Result<i64, StatesError> {
        let value = self.arg(index)?;
        let whole = match value {
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() <= i32::MAX as f64)
                    .map(|f| f as i64)
            }),
            _ => None,
        };
        whole
            .filter(|i| i32::try_from(*i).is_ok())
            .ok_or_else(|| self.wrong_type(index, "an integer", value))
    }

    /// A number rounded to the nearest integer as Java's `Math.round` does (halves up), for
    /// the functions AWS documents as rounding non-integer arguments. Must fit a Java `int`.
    pub fn rounded_integer(&self, index: usize) -> Result<i64, StatesError> {
        let value = self.arg(index)?;
        let rounded = value.as_f64().map(java::math_round);
        rounded
            .filter(|i| i32::try_from(*i).is_ok())
            .ok_or_else(|| self.wrong_type(index, "an integer", value))
    }
}

/// The `States.Runtime` error for a path argument that selects nothing. Names the path and
/// the value it was evaluated against, as AWS's Parameters path errors do.
pub(crate) fn path_not_found(path: &Path, input: &Value, scope: &Scope) -> StatesError {
    let root = match path.root() {
        Root::Input => input,
        Root::Context => scope.context,
        Root::Variable(name) => scope.vars.lookup(name).unwrap_or(&Value::Null),
    };
    StatesError::runtime(format!(
        "The JsonPath argument for the field '{}' could not be found in the input '{}'",
        path.source(),
        java::to_json(root)
    ))
}
