//! JSON values with embedded JSONata expressions: `Output`, `Arguments`, `Assign`, `Items`, ...

use std::sync::Arc;

use estado_json::{Map, Value};
use estado_types::{Scope, StatesError};

use crate::analysis::Needs;
use crate::causes;
use crate::error::JsonataError;
use crate::expression::Expression;
use crate::expression_text;
use crate::session::Session;

/// A JSON value in which every string of the form `{% expr %}` (at any depth, in objects and
/// arrays) is a JSONata expression; every other value is literal.
#[derive(Debug, Clone)]
pub struct JsonataTemplate {
    inner: Arc<Compiled>,
}

#[derive(Debug)]
struct Compiled {
    root: Node,
    /// Everything the template's expressions read, bound once per evaluation.
    needs: Needs,
}

#[derive(Debug)]
enum Node {
    /// A subtree without expressions, used as is.
    Literal(Value),
    Expression(Expression),
    Array(Vec<Node>),
    Object(Vec<(estado_json::Key, Node)>),
}

const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<JsonataTemplate>();
};

impl JsonataTemplate {
    /// Compiles every `{% %}` string in `value`; the first syntax error fails the whole
    /// template.
    pub fn compile(value: &Value) -> Result<JsonataTemplate, JsonataError> {
        let mut needs = Needs::default();
        let root = compile_node(value, &mut needs)?;
        Ok(JsonataTemplate {
            inner: Arc::new(Compiled { root, needs }),
        })
    }

    /// When the whole template is one expression (`"{% ... %}"`), that expression: callers
    /// that check the result's type quote its source in the cause (see
    /// [`crate::unexpected_result_type`]).
    pub fn as_expression(&self) -> Option<&Expression> {
        match &self.inner.root {
            Node::Expression(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the template holds no expression at all (its value is fixed).
    pub fn is_literal(&self) -> bool {
        matches!(self.inner.root, Node::Literal(_))
    }

    /// Evaluates every expression with `$states` bound to `states` and the workflow variables
    /// of `scope`, building the value.
    ///
    /// An expression that is undefined is an error wherever it is, as on AWS: `The JSONata
    /// expression '$x' specified for the field 'Output/result' returned nothing (undefined).`
    /// Nested fields are named by their path below `field`, `/`-separated (object keys, array
    /// indexes).
    pub fn eval(&self, states: &Value, scope: &Scope, field: &str) -> Result<Value, StatesError> {
        if let Node::Literal(v) = &self.inner.root {
            return Ok(v.clone());
        }
        let mut session = Session::new(&self.inner.needs, states, scope)?;
        let mut path = field.to_string();
        eval_node(&self.inner.root, &mut session, &mut path)
    }
}

fn compile_node(value: &Value, needs: &mut Needs) -> Result<Node, JsonataError> {
    let node = match value {
        Value::String(s) => match expression_text(s) {
            Some(src) => {
                let expr = Expression::compile(src)?;
                needs.merge(expr.needs());
                Node::Expression(expr)
            }
            None => Node::Literal(value.clone()),
        },
        Value::Array(items) => Node::Array(
            items
                .iter()
                .map(|v| compile_node(v, needs))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Node::Object(
            map.iter()
                .map(|(k, v)| Ok((k.clone(), compile_node(v, needs)?)))
                .collect::<Result<_, JsonataError>>()?,
        ),
        Value::Null | Value::Bool(_) | Value::Number(_) => Node::Literal(value.clone()),
    };
    Ok(match node {
        Node::Array(items) if items.iter().all(|n| matches!(n, Node::Literal(_))) => {
            Node::Literal(value.clone())
        }
        Node::Object(pairs) if pairs.iter().all(|(_, n)| matches!(n, Node::Literal(_))) => {
            Node::Literal(value.clone())
        }
        other => other,
    })
}

/// `path` is the field name of `node`; it is extended and restored around children.
fn eval_node(node: &Node, session: &mut Session, path: &mut String) -> Result<Value, StatesError> {
    match node {
        Node::Literal(v) => Ok(v.clone()),
        Node::Expression(expr) => expr
            .evaluate_in(session, path)?
            .ok_or_else(|| causes::returned_nothing(expr.source(), path)),
        Node::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                out.push(with_segment(path, &i.to_string(), |path| {
                    eval_node(item, session, path)
                })?);
            }
            Ok(Value::Array(out))
        }
        Node::Object(pairs) => {
            let mut out = Map::with_capacity(pairs.len());
            for (key, item) in pairs {
                let v = with_segment(path, key, |path| eval_node(item, session, path))?;
                out.insert(key.clone(), v);
            }
            Ok(Value::Object(out))
        }
    }
}

fn with_segment<T>(path: &mut String, segment: &str, f: impl FnOnce(&mut String) -> T) -> T {
    let len = path.len();
    path.push('/');
    path.push_str(segment);
    let result = f(path);
    path.truncate(len);
    result
}
