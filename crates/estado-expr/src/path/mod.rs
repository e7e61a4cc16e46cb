//! JSONPath as AWS Step Functions evaluates it: Jayway JsonPath semantics (AWS runs Jayway in
//! Java), plus ASL's roots `$$` (the context object) and `$name` (a workflow variable).
//!
//! - [`Path::parse`] accepts the full grammar (for `InputPath`, `OutputPath`, `ItemsPath`,
//!   `"x.$"` template values, intrinsic arguments).
//! - [`Path::parse_reference`] accepts only reference paths: `.name`, `['name']`, `[N]` steps to a
//!   single node (for `ResultPath`, Choice `Variable`, `*Path` comparison operands).
//!
//! Result shaping follows Jayway: a *definite* path (one that can select at most one node)
//! yields that node or nothing; any other path yields an array of every match.

mod ast;
mod eval;
mod filter;
mod filter_parse;
mod function;
mod java;
mod parse;
mod set;

use std::borrow::Cow;

use estado_json::Value;
use estado_types::{Scope, StatesError};

use ast::Chain;
use eval::Fail;

/// Where a path starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    /// `$`: the state's input (or whatever value the caller evaluates against).
    Input,
    /// `$$`: the context object ([`Scope::context`]).
    Context,
    /// `$name`: the workflow variable `name` ([`Scope::vars`]).
    Variable(String),
}

/// A parsed JSONPath. Parse once (at definition load), evaluate many times.
#[derive(Debug, Clone)]
pub struct Path {
    source: String,
    root: Root,
    chain: Chain,
}

/// Why a path string is not a valid path. `Display` is a human message naming the path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid JSONPath '{source_text}': {message} (at offset {offset})")]
pub struct PathParseError {
    source_text: String,
    message: String,
    offset: usize,
}

impl PathParseError {
    pub(crate) fn new(source: &str, offset: usize, message: impl Into<String>) -> Self {
        PathParseError {
            source_text: source.to_string(),
            message: message.into(),
            offset,
        }
    }
    /// The path text that failed to parse.
    pub fn path(&self) -> &str {
        &self.source_text
    }
    /// What is wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// Byte offset in [`Self::path`] where the problem was found.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl Path {
    /// Parses a full JSONPath (InputPath, OutputPath, ItemsPath, Parameters `"x.$"` values,
    /// intrinsic function arguments).
    pub fn parse(src: &str) -> Result<Path, PathParseError> {
        let (root, chain) = parse::parse(src, parse::Mode::Full)?;
        Ok(Path {
            source: src.to_string(),
            root,
            chain,
        })
    }

    /// Parses a reference path (ResultPath, Choice `Variable`, `*Path` comparison operands):
    /// only `.name`, `['name']` and `[N]` steps, so that it names at most one node.
    pub fn parse_reference(src: &str) -> Result<Path, PathParseError> {
        let (root, chain) = parse::parse(src, parse::Mode::Reference)?;
        Ok(Path {
            source: src.to_string(),
            root,
            chain,
        })
    }

    /// The text this path was parsed from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Where the path starts.
    pub fn root(&self) -> &Root {
        &self.root
    }

    /// True when the path can select at most one node: no wildcard, slice, filter, deep scan,
    /// or union of indexes (Jayway's "definite path"). A union of names as the *last* step is
    /// definite: Jayway merges the named members into one object.
    pub fn is_definite(&self) -> bool {
        self.chain.definite
    }

    /// Evaluates the path with Jayway's result shaping: a definite path gives `Ok(Some(value))`,
    /// or `Ok(None)` when nothing is there (or the path cannot be applied to this input, e.g. a
    /// member of a string); an indefinite path gives `Ok(Some(array))` of every match (possibly
    /// empty), except that Jayway still reports absence (`Ok(None)`) when a member is missing
    /// before the first indefinite step (`$.missing[*]`). Never fails today; the `Result` leaves room for failures AWS reports even when
    /// the caller tolerates absence.
    pub fn query(&self, input: &Value, scope: &Scope) -> Result<Option<Value>, StatesError> {
        Ok(self.lookup(input, scope).map(Cow::into_owned))
    }

    /// [`Path::query`] without copying what it finds when that is a node of `input` or of
    /// the scope (a Choice rule only reads the value it tests).
    pub fn lookup<'a>(&'a self, input: &'a Value, scope: &Scope<'a>) -> Option<Cow<'a, Value>> {
        self.evaluate(input, scope).ok()
    }

    /// InputPath / OutputPath / ItemsPath semantics: like [`Path::query`], but absence is AWS's
    /// `States.Runtime` error, e.g. `Invalid path '$.x' : No results for path: $['x']` (the
    /// part after ` : ` is Jayway's message).
    pub fn select(&self, input: &Value, scope: &Scope) -> Result<Value, StatesError> {
        self.evaluate(input, scope)
            .map(Cow::into_owned)
            .map_err(|fail| {
                StatesError::runtime(format!(
                    "Invalid path '{}' : {}",
                    self.source,
                    fail.message()
                ))
            })
    }

    /// Evaluates against the root's value, borrowing from it where possible. `Err` is Jayway's
    /// failure (nothing at a definite path, or the path cannot be applied).
    pub(crate) fn evaluate<'a>(
        &'a self,
        input: &'a Value,
        scope: &Scope<'a>,
    ) -> Result<Cow<'a, Value>, Fail> {
        let start: &'a Value = match &self.root {
            Root::Input => input,
            Root::Context => scope.context,
            Root::Variable(name) => scope.vars.lookup(name).ok_or_else(|| {
                Fail::NotFound(format!("No results for path: {}", self.normalized()))
            })?,
        };
        // The common case (`$.a.b`, `$.a[0]` finding its node) without setting up the walker.
        if let Some(found) = eval::simple_lookup(&self.chain, start) {
            return Ok(Cow::Borrowed(found));
        }
        eval::evaluate(&self.chain, start, start, "$", false)
    }

    /// ResultPath semantics: returns `target` with `value` placed at this reference path. The
    /// root path `$` replaces the whole target; missing intermediate objects are created.
    /// A step that cannot be applied (a name into a non-object, an index out of range) is
    /// AWS's `States.ResultPathMatchFailure`.
    pub fn set(&self, target: Value, value: Value) -> Result<Value, StatesError> {
        set::set(self, target, value)
    }

    /// AWS's normalized form, used in its messages: `$['a']['b'][0]`.
    /// `Some(name)` when this path is `$` followed by exactly one member name (`$.x`,
    /// `$['x']`): the shape most `ResultPath`s have, which callers can apply without a walk.
    pub fn single_member(&self) -> Option<&str> {
        match (&self.root, self.chain.steps.as_slice()) {
            (Root::Input, [ast::Step::Props { names, .. }]) if names.len() == 1 => Some(&names[0]),
            _ => None,
        }
    }

    pub fn normalized(&self) -> String {
        let mut out = String::from("$");
        out.push_str(&self.chain.fragments_from(0));
        out
    }

    pub(crate) fn chain(&self) -> &Chain {
        &self.chain
    }
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.source)
    }
}
