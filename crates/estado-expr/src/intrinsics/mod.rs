//! The 18 `States.*` intrinsic functions of JSONPath states, evaluated as AWS Step Functions
//! evaluates them.
//!
//! A call is parsed once ([`Call::parse`], at definition load) and evaluated many times
//! ([`Call::eval`]). Arguments are string literals in single quotes (`\'`, `\{`, `\}` and `\\`
//! are the only escapes), numbers, `true`/`false`/`null`, paths (`$.x`, `$$.Execution.Id`, `$var.field`)
//! and nested calls (at most [`MAX_NESTING`] calls deep).
//!
//! The functions live in a table of (name, arity, implementation), one module per family:
//! `array`, `json`, `encoding` (Base64 and hashes), `math`, `string`, `uuid` and `generic`
//! (`States.Format`). AWS runs Java, so values are printed the way Java prints them (see
//! `java`).
//!
//! Failures of a function on its arguments are `States.IntrinsicFailure`; a path argument that
//! selects nothing is `States.Runtime`. The cause returned here is only the specific part; the
//! interpreter adds AWS's `An error occurred while executing the state ...` prefix.

mod args;
mod array;
mod encoding;
mod generic;
mod java;
mod json;
mod math;
mod parse;
mod string;
mod table;
mod uuid;

use std::fmt;

use estado_json::Value;
use estado_types::{Scope, StatesError};

use crate::path::Path;
use args::Invocation;
use generic::Template;
use table::Function;

/// How many calls may be nested inside one another, the outermost included (AWS: "You can nest
/// up to 10 intrinsic functions within a field").
pub const MAX_NESTING: usize = 10;

/// A parsed intrinsic function call, e.g. `States.Format('{} {}', $.a, States.Array(1))`.
#[derive(Clone, Debug)]
pub struct Call {
    source: String,
    function: &'static Function,
    args: Vec<Arg>,
    /// `States.Format`'s template, compiled at parse time when it is a string literal (only a
    /// literal can tell an escaped `\{}` from a placeholder `{}`).
    template: Option<Template>,
}

/// One argument of a call.
#[derive(Clone, Debug)]
pub(crate) enum Arg {
    /// A string, number, boolean or null literal.
    Literal(Value),
    /// `$...`, `$$...` or `$name...`.
    Path(Path),
    /// A nested call.
    Call(Box<Call>),
}

/// Why a string is not a valid intrinsic call. `Display` is a human message naming the call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid intrinsic function call '{source_text}': {message} (at offset {offset})")]
pub struct IntrinsicParseError {
    source_text: String,
    message: String,
    offset: usize,
}

impl IntrinsicParseError {
    pub(crate) fn new(source: &str, offset: usize, message: impl Into<String>) -> Self {
        IntrinsicParseError {
            source_text: source.to_string(),
            message: message.into(),
            offset,
        }
    }
    /// The text that failed to parse.
    pub fn call(&self) -> &str {
        &self.source_text
    }
    /// What is wrong, without the call text.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// Byte offset in [`Self::call`] where the problem was found.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl Call {
    /// Parses `States.Name(arg, ...)`. Unknown function names, argument counts the function
    /// never accepts, a non-string literal as `States.Format`'s template, invalid paths,
    /// unbalanced quotes or parentheses, trailing text and nesting deeper than
    /// [`MAX_NESTING`] are errors.
    pub fn parse(src: &str) -> Result<Call, IntrinsicParseError> {
        parse::parse(src)
    }

    /// The function's full name, e.g. `States.Format`.
    pub fn name(&self) -> &str {
        self.function.name
    }

    /// The text this call was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates the call against a state's `input`. Arguments are evaluated left to right;
    /// the first failure is returned. Randomness (`States.UUID`, unseeded `States.MathRandom`)
    /// comes only from `scope.entropy`.
    pub fn eval(&self, input: &Value, scope: &Scope) -> Result<Value, StatesError> {
        let mut values = Vec::with_capacity(self.args.len());
        for arg in &self.args {
            values.push(arg.eval(input, scope)?);
        }
        let invocation = Invocation {
            name: self.function.name,
            args: values,
            scope,
            template: self.template.as_ref(),
        };
        (self.function.run)(&invocation)
    }
}

impl Arg {
    fn eval(&self, input: &Value, scope: &Scope) -> Result<Value, StatesError> {
        match self {
            Arg::Literal(v) => Ok(v.clone()),
            Arg::Call(call) => call.eval(input, scope),
            Arg::Path(path) => match path.query(input, scope)? {
                Some(v) => Ok(v),
                None => Err(args::path_not_found(path, input, scope)),
            },
        }
    }
}

impl fmt::Display for Call {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// True when `s` is meant as an intrinsic call: `States.`, an identifier, optional blanks,
/// then `(`. Says nothing about whether the rest parses (see [`Call::parse`]).
pub fn looks_like_call(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("States.") else {
        return false;
    };
    let ident_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    ident_len > 0 && rest[ident_len..].trim_start().starts_with('(')
}
