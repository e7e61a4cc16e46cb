//! Shared plumbing of the fuzz targets: how an input is split, and the document, context
//! object, variables and randomness an expression is evaluated against.
//!
//! Every expression target reads its input as `TEXT \0 DOCUMENT`: the expression text (the
//! part under test), a NUL byte, then a JSON document to evaluate it against. Without a NUL,
//! or when the document is not JSON, [`default_document`] is used, so that every input still
//! reaches evaluation. The format keeps seed files readable and lets the fuzzer mutate the
//! expression and the data independently (`fuzz/seed.py` writes seeds in this shape).

use estado_json::{json, Map, Value};
use estado_types::{NoVars, Scope, SplitMix64};

/// A fixed "now" (2024-01-02T03:04:05.678Z), so that runs are reproducible.
pub const NOW_MILLIS: i64 = 1_704_164_645_678;

/// Splits `data` at the first NUL into (text, document). `None` when the text is not UTF-8.
pub fn split(data: &[u8]) -> Option<(&str, Value)> {
    let (text, rest) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], Some(&data[at + 1..])),
        None => (data, None),
    };
    let text = std::str::from_utf8(text).ok()?;
    let doc = rest
        .and_then(|bytes| serde_json::from_slice(bytes).ok())
        .unwrap_or_else(default_document);
    Some((text, doc))
}

/// A document with something at most of the paths the seeds use: nested objects, arrays of
/// numbers, strings and objects, nulls, booleans, big and fractional numbers, unicode.
pub fn default_document() -> Value {
    json!({
        "a": {"b": {"c": [1, 2, 3]}, "x": "y"},
        "arr": [1, 2.5, -3, 1e300, "s", null, true, {"k": "v"}, [0, [1]]],
        "items": [
            {"id": 1, "name": "one", "price": 9.99, "tags": ["a", "b"]},
            {"id": 2, "name": "two", "price": 20, "tags": []},
            {"id": 3, "name": "three", "isbn": "0-553-21311-3"}
        ],
        "str": "hello, {} world",
        "num": 42,
        "neg": -7,
        "big": 9_223_372_036_854_775_807i64,
        "frac": 0.1,
        "t": true,
        "f": false,
        "n": null,
        "empty": {},
        "none": [],
        "unicode": "h\u{e9}llo \u{1f600}",
        "json": "{\"k\": [1, 2]}",
        "b64": "aGVsbG8=",
        "ts": "2016-03-14T01:59:00Z"
    })
}

/// A context object (`$$`, `$states.context`) shaped like the interpreter's.
pub fn context() -> Value {
    json!({
        "Execution": {
            "Id": "arn:aws:states:us-east-1:123456789012:execution:sm:exec",
            "Input": {"a": 1},
            "Name": "exec",
            "RoleArn": "arn:aws:iam::123456789012:role/r",
            "StartTime": "2024-01-02T03:04:05.678Z",
            "RedriveCount": 0
        },
        "State": {"EnteredTime": "2024-01-02T03:04:05.678Z", "Name": "S", "RetryCount": 0},
        "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:sm", "Name": "sm"},
        "Task": {"Token": "token"},
        "Map": {"Item": {"Index": 0, "Value": {"x": 1}}}
    })
}

/// Workflow variables taken from the document: its members when it is an object.
pub fn variables(doc: &Value) -> Map {
    doc.as_object().cloned().unwrap_or_default()
}

/// Everything an evaluation needs besides its input, owned by the target's stack frame.
pub struct Fixture {
    pub context: Value,
    pub vars: Map,
    pub entropy: SplitMix64,
}

impl Fixture {
    pub fn new(doc: &Value) -> Self {
        Fixture {
            context: context(),
            vars: variables(doc),
            entropy: SplitMix64::new(0x5EED),
        }
    }

    /// A scope whose variables are the document's members.
    pub fn scope(&self) -> Scope<'_> {
        Scope {
            context: &self.context,
            vars: &self.vars,
            entropy: &self.entropy,
            now_millis: NOW_MILLIS,
        }
    }

    /// The same scope with no variables at all.
    pub fn scope_without_vars(&self) -> Scope<'_> {
        Scope {
            context: &self.context,
            vars: &NoVars,
            entropy: &self.entropy,
            now_millis: NOW_MILLIS,
        }
    }
}
