//! Payload templates (`Parameters`, `ResultSelector`, `ItemSelector`, JSONPath-mode `Assign`):
//! a JSON value in which an object member whose key ends in `.$` holds a path (`$...`, `$$...`,
//! `$name...`) or an intrinsic call (`States.Xxx(...)`). The member is emitted under the key
//! without `.$`, with the value the path or call produces. Everything else is copied as is, at
//! any depth (inside objects and arrays).
//!
//! Compile once per definition version ([`Template::compile`]), evaluate per state entry
//! ([`Template::eval`]).

use estado_json::{Key, Map, Value};
use estado_types::{Scope, StatesError};

use crate::intrinsics::{self, Call, IntrinsicParseError};
use crate::path::{Path, PathParseError};

/// Why a template (or one dynamic value) is invalid. Each variant names the field (the key as
/// written, with its `.$`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A `"x.$"` member whose value is not a string.
    #[error(
        "the value of field '{field}' must be a string holding a JSONPath or an intrinsic function"
    )]
    NotAString { field: String },
    /// A `"x.$"` string that is neither a path (`$...`) nor an intrinsic call (`States.X(...)`).
    #[error(
        "the value of field '{field}' must be a JSONPath or an intrinsic function, not '{value}'"
    )]
    NotDynamic { field: String, value: String },
    /// A `"x.$"` string starting with `$` that does not parse as a path.
    #[error("the value of field '{field}' is not a valid JSONPath: {error}")]
    InvalidPath {
        field: String,
        error: PathParseError,
    },
    /// A `"x.$"` string that looks like an intrinsic call but does not parse.
    #[error("the value of field '{field}' is not a valid intrinsic function: {error}")]
    InvalidIntrinsic {
        field: String,
        error: IntrinsicParseError,
    },
}

impl TemplateError {
    /// The field (key with `.$`) the error is about.
    pub fn field(&self) -> &str {
        match self {
            TemplateError::NotAString { field }
            | TemplateError::NotDynamic { field, .. }
            | TemplateError::InvalidPath { field, .. }
            | TemplateError::InvalidIntrinsic { field, .. } => field,
        }
    }
}

/// One dynamic string: a path or an intrinsic call (`ErrorPath`, `CausePath`, `"x.$"` values).
#[derive(Debug, Clone)]
pub enum Dynamic {
    Path(Path),
    Intrinsic(Call),
}

impl Dynamic {
    /// Parses a path (`$...`) or an intrinsic call (`States.Xxx(...)`). Errors name the field as
    /// `"<value>"`; [`Template::compile`] reports the real field name.
    pub fn parse(src: &str) -> Result<Dynamic, TemplateError> {
        Self::parse_field(src, src)
    }

    fn parse_field(src: &str, field: &str) -> Result<Dynamic, TemplateError> {
        if intrinsics::looks_like_call(src) {
            return Call::parse(src).map(Dynamic::Intrinsic).map_err(|error| {
                TemplateError::InvalidIntrinsic {
                    field: field.to_string(),
                    error,
                }
            });
        }
        if src.starts_with('$') {
            return Path::parse(src).map(Dynamic::Path).map_err(|error| {
                TemplateError::InvalidPath {
                    field: field.to_string(),
                    error,
                }
            });
        }
        Err(TemplateError::NotDynamic {
            field: field.to_string(),
            value: src.to_string(),
        })
    }

    /// The text this value was parsed from.
    pub fn source(&self) -> &str {
        match self {
            Dynamic::Path(p) => p.source(),
            Dynamic::Intrinsic(c) => c.source(),
        }
    }

    /// Evaluates against a state's `input`. A path that selects nothing (or cannot be applied)
    /// is AWS's `States.Runtime` error
    /// `The JSONPath '$.x' specified for the field 'x.$' could not be found in the input '{...}'`,
    /// with the input as compact JSON; `field` names the field (e.g. `x.$`, `ErrorPath`).
    /// Intrinsic failures are returned as the intrinsic reports them.
    pub fn eval(&self, input: &Value, scope: &Scope, field: &str) -> Result<Value, StatesError> {
        match self {
            // An indefinite path that selects nothing gives `[]` (recorded on AWS for
            // `$.missing[*]` and `$.missing[1:]`); a definite one is an error.
            Dynamic::Path(path) => match path.evaluate(input, scope) {
                Ok(v) => Ok(v.into_owned()),
                Err(_) if !path.is_definite() => Ok(Value::Array(Vec::new())),
                Err(_) => Err(not_found(path, field, input)),
            },
            Dynamic::Intrinsic(call) => call.eval(input, scope),
        }
    }
}

/// AWS's cause for a template path that selects nothing.
fn not_found(path: &Path, field: &str, input: &Value) -> StatesError {
    StatesError::runtime(format!(
        "The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
        path.source(),
        field,
        serde_json::to_string(input).unwrap_or_default()
    ))
}

/// A compiled payload template. Cheap to clone; `Send + Sync`.
#[derive(Debug, Clone)]
pub struct Template {
    root: Node,
}

#[derive(Debug, Clone)]
enum Node {
    /// A subtree without dynamic members, copied as is.
    Literal(Value),
    Object {
        members: Vec<Member>,
        /// The output's keys in order, every value null, when the keys are distinct (a static
        /// `x` and a dynamic `x.$` are not). Evaluation clones it (one allocation, the keys
        /// copied in a row) and fills the values in place: fewer instructions than inserting
        /// the members one by one, which looks each key up first.
        shape: Option<Map>,
    },
    Array(Vec<Node>),
}

#[derive(Debug, Clone)]
enum Member {
    Static {
        key: Key,
        node: Node,
    },
    Dynamic {
        /// The key as written (`x.$`), for messages.
        field: String,
        /// The key emitted (`x`).
        key: Key,
        value: Dynamic,
    },
}

impl Template {
    /// Compiles a template. Any JSON value is accepted; `"x.$"` members at any depth must hold a
    /// valid path or intrinsic call.
    pub fn compile(value: &Value) -> Result<Template, TemplateError> {
        Ok(Template {
            root: compile_node(value)?,
        })
    }

    /// True when the template has no `"x.$"` member anywhere (evaluation is a copy).
    pub fn is_static(&self) -> bool {
        matches!(self.root, Node::Literal(_))
    }

    /// Builds the payload for a state's `input`. Members keep the template's order; the first
    /// failing dynamic member (in that order) is the error.
    pub fn eval(&self, input: &Value, scope: &Scope) -> Result<Value, StatesError> {
        eval_node(&self.root, input, scope)
    }
}

fn compile_node(value: &Value) -> Result<Node, TemplateError> {
    match value {
        Value::Object(map) => {
            let mut members = Vec::with_capacity(map.len());
            let mut dynamic = false;
            for (key, child) in map {
                if let Some(stripped) = key.strip_suffix(".$") {
                    let Value::String(src) = child else {
                        return Err(TemplateError::NotAString {
                            field: key.to_string(),
                        });
                    };
                    dynamic = true;
                    members.push(Member::Dynamic {
                        field: key.to_string(),
                        key: stripped.into(),
                        value: Dynamic::parse_field(src, key)?,
                    });
                } else {
                    let node = compile_node(child)?;
                    dynamic |= !matches!(node, Node::Literal(_));
                    members.push(Member::Static {
                        key: key.clone(),
                        node,
                    });
                }
            }
            Ok(if dynamic {
                // Literal members already hold their value in the shape (a copy of the shape
                // copies them); the others hold a placeholder that evaluation replaces.
                let mut shape = Map::with_capacity(members.len());
                for member in &members {
                    let (key, value) = match member {
                        Member::Static {
                            key,
                            node: Node::Literal(v),
                        } => (key, v.clone()),
                        Member::Static { key, .. } | Member::Dynamic { key, .. } => {
                            (key, Value::Null)
                        }
                    };
                    shape.insert(key.clone(), value);
                }
                let shape = (shape.len() == members.len()).then_some(shape);
                Node::Object { members, shape }
            } else {
                Node::Literal(value.clone())
            })
        }
        Value::Array(items) => {
            let nodes = items
                .iter()
                .map(compile_node)
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if nodes.iter().all(|n| matches!(n, Node::Literal(_))) {
                Node::Literal(value.clone())
            } else {
                Node::Array(nodes)
            })
        }
        other => Ok(Node::Literal(other.clone())),
    }
}

fn eval_node(node: &Node, input: &Value, scope: &Scope) -> Result<Value, StatesError> {
    match node {
        Node::Literal(v) => Ok(v.clone()),
        Node::Array(nodes) => nodes
            .iter()
            .map(|n| eval_node(n, input, scope))
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        Node::Object {
            members,
            shape: Some(shape),
        } => {
            let mut out = shape.clone();
            for (slot, member) in out.values_mut().zip(members) {
                *slot = match member {
                    Member::Static {
                        node: Node::Literal(_),
                        ..
                    } => continue,
                    Member::Static { node, .. } => eval_node(node, input, scope)?,
                    Member::Dynamic { field, value, .. } => value.eval(input, scope, field)?,
                };
            }
            Ok(Value::Object(out))
        }
        Node::Object {
            members,
            shape: None,
        } => {
            let mut out = Map::with_capacity(members.len());
            for member in members {
                match member {
                    Member::Static { key, node } => {
                        out.insert(key.clone(), eval_node(node, input, scope)?);
                    }
                    Member::Dynamic { field, key, value } => {
                        out.insert(key.clone(), value.eval(input, scope, field)?);
                    }
                }
            }
            Ok(Value::Object(out))
        }
    }
}
