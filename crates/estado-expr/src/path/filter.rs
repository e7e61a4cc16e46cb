//! Filter evaluation with Jayway's value semantics (`ValueNode`s and `EvaluatorFactory`):
//! numbers and numeric strings compare equal, a missing path is "undefined" and equals nothing,
//! an error anywhere in the expression makes the whole filter reject the element.

use std::borrow::Cow;
use std::cmp::Ordering;

use estado_json::Value;

use super::ast::{FilterExpr, Operand, RelOp};
use super::eval::{evaluate_sub, Fail};
use super::java;

/// Whether `item` passes the filter (`document` is what `$` means inside it).
pub(crate) fn accept(expr: &FilterExpr, item: &Value, document: &Value) -> bool {
    eval(expr, item, document).unwrap_or(false)
}

/// `Err(())` stands for an `InvalidPathException` thrown while evaluating, which Jayway turns
/// into "does not match".
fn eval(expr: &FilterExpr, item: &Value, document: &Value) -> Result<bool, ()> {
    match expr {
        FilterExpr::Or(ops) => {
            for op in ops {
                if eval(op, item, document)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        FilterExpr::And(ops) => {
            for op in ops {
                if !eval(op, item, document)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        FilterExpr::Not(inner) => Ok(!eval(inner, item, document)?),
        FilterExpr::Exists { path, should_exist } => {
            let exists = match evaluate_sub(path, item, document, true) {
                Ok(_) => true,
                Err(Fail::NotFound(_)) => false,
                Err(Fail::Invalid(_)) => return Err(()),
            };
            Ok(exists == *should_exist)
        }
        FilterExpr::Relation { left, op, right } => {
            let l = node(left, item, document)?;
            let r = node(right, item, document)?;
            relate(&l, *op, &r)
        }
    }
}

/// Jayway's `ValueNode`, borrowed where possible.
#[derive(Debug)]
enum Node<'a> {
    Undefined,
    Null,
    Bool(bool),
    /// `text` is what Java's `toString` gives (used when a number meets a string).
    Num {
        value: f64,
        text: Cow<'a, str>,
    },
    Str(Cow<'a, str>),
    /// Arrays and objects (from the document or a `[...]`/`{...}` literal).
    Json(Cow<'a, Value>),
    Pattern(&'a regex::Regex),
}

fn node<'a>(operand: &'a Operand, item: &'a Value, document: &'a Value) -> Result<Node<'a>, ()> {
    Ok(match operand {
        Operand::Path(sub) => match evaluate_sub(sub, item, document, false) {
            Ok(Cow::Borrowed(v)) => from_value(v),
            Ok(Cow::Owned(v)) => from_owned(v),
            Err(Fail::NotFound(_)) => Node::Undefined,
            Err(Fail::Invalid(_)) => return Err(()),
        },
        Operand::String(s) => Node::Str(Cow::Borrowed(s)),
        Operand::Number { value, text } => Node::Num {
            value: *value,
            text: Cow::Borrowed(text),
        },
        Operand::Bool(b) => Node::Bool(*b),
        Operand::Null => Node::Null,
        Operand::Json(v) => Node::Json(Cow::Borrowed(v)),
        Operand::Pattern(re) => Node::Pattern(re),
    })
}

fn from_value(v: &Value) -> Node<'_> {
    match v {
        Value::Null => Node::Null,
        Value::Bool(b) => Node::Bool(*b),
        Value::Number(n) => Node::Num {
            value: n.as_f64().unwrap_or(f64::NAN),
            text: Cow::Owned(java::number_text(n)),
        },
        Value::String(s) => Node::Str(Cow::Borrowed(s)),
        Value::Array(_) | Value::Object(_) => Node::Json(Cow::Borrowed(v)),
    }
}

fn from_owned<'a>(v: Value) -> Node<'a> {
    match v {
        Value::String(s) => Node::Str(Cow::Owned(s)),
        Value::Array(_) | Value::Object(_) => Node::Json(Cow::Owned(v)),
        Value::Null => Node::Null,
        Value::Bool(b) => Node::Bool(b),
        Value::Number(n) => Node::Num {
            value: n.as_f64().unwrap_or(f64::NAN),
            text: Cow::Owned(java::number_text(&n)),
        },
    }
}

/// Java's `BigDecimal(String)` accepts only plain decimal notation.
fn parse_decimal(s: &str) -> Option<f64> {
    let ok = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'))
        && s.bytes().any(|b| b.is_ascii_digit());
    if ok {
        s.parse().ok()
    } else {
        None
    }
}

/// Jayway's `ValueNode.equals` (note: not symmetric between numbers and strings).
fn node_equals(left: &Node, right: &Node) -> bool {
    match (left, right) {
        (Node::Num { value, .. }, Node::Num { value: other, .. }) => value == other,
        (Node::Num { value, .. }, Node::Str(s)) => parse_decimal(s) == Some(*value),
        (Node::Str(s), Node::Str(other)) => s == other,
        (Node::Str(s), Node::Num { text, .. }) => **s == **text,
        (Node::Bool(a), Node::Bool(b)) => a == b,
        (Node::Null, Node::Null) => true,
        (Node::Json(a), Node::Json(b)) => a == b,
        (Node::Pattern(a), Node::Pattern(b)) => a.as_str() == b.as_str(),
        _ => false,
    }
}

/// The node class, for `===` / `!==`.
fn same_class(left: &Node, right: &Node) -> bool {
    std::mem::discriminant(left) == std::mem::discriminant(right)
}

/// Elements of an array node as value nodes (`asValueListNode`); `None` when not an array.
fn value_list<'a>(n: &'a Node) -> Option<Vec<Node<'a>>> {
    match n {
        Node::Json(v) => match v.as_ref() {
            Value::Array(items) => Some(items.iter().map(from_value).collect()),
            _ => None,
        },
        _ => None,
    }
}

fn utf16_cmp(a: &str, b: &str) -> Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn order(left: &Node, right: &Node) -> Option<Ordering> {
    match (left, right) {
        (Node::Num { value: a, .. }, Node::Num { value: b, .. }) => a.partial_cmp(b),
        (Node::Str(a), Node::Str(b)) => Some(utf16_cmp(a, b)),
        _ => None,
    }
}

fn regex_input(n: &Node) -> String {
    match n {
        Node::Str(s) => s.to_string(),
        Node::Num { text, .. } => text.to_string(),
        Node::Bool(b) => b.to_string(),
        _ => String::new(),
    }
}

fn relate(l: &Node, op: RelOp, r: &Node) -> Result<bool, ()> {
    Ok(match op {
        RelOp::Eq => node_equals(l, r),
        RelOp::Ne => !node_equals(l, r),
        RelOp::TypeSafeEq => same_class(l, r) && node_equals(l, r),
        RelOp::TypeSafeNe => !(same_class(l, r) && node_equals(l, r)),
        RelOp::Lt => order(l, r) == Some(Ordering::Less),
        RelOp::Lte => matches!(order(l, r), Some(Ordering::Less | Ordering::Equal)),
        RelOp::Gt => order(l, r) == Some(Ordering::Greater),
        RelOp::Gte => matches!(order(l, r), Some(Ordering::Greater | Ordering::Equal)),
        RelOp::Regex => match (l, r) {
            (Node::Pattern(re), other) | (other, Node::Pattern(re))
                if !matches!(other, Node::Pattern(_)) =>
            {
                re.is_match(&regex_input(other))
            }
            _ => false,
        },
        RelOp::In | RelOp::Nin => {
            let contained = match r {
                Node::Json(_) => {
                    value_list(r).is_some_and(|list| list.iter().any(|e| node_equals(l, e)))
                }
                // A non-list right operand is an InvalidPathException in Jayway.
                _ => return Err(()),
            };
            if op == RelOp::In {
                contained
            } else {
                !contained
            }
        }
        RelOp::Contains => match (l, r) {
            (Node::Str(a), Node::Str(b)) => a.contains(&**b),
            (Node::Json(_), _) => {
                value_list(l).is_some_and(|list| list.iter().any(|e| node_equals(r, e)))
            }
            _ => false,
        },
        RelOp::Size => {
            let Node::Num { value, .. } = r else {
                return Ok(false);
            };
            // BigDecimal.intValue() truncates.
            let expected = *value as i64;
            match l {
                Node::Str(s) => i64::try_from(s.encode_utf16().count()).ok() == Some(expected),
                Node::Json(v) => match v.as_ref() {
                    Value::Array(items) => i64::try_from(items.len()).ok() == Some(expected),
                    _ => expected == -1,
                },
                _ => false,
            }
        }
        RelOp::Empty => {
            let Node::Bool(want) = r else {
                return Err(());
            };
            match l {
                Node::Str(s) => s.is_empty() == *want,
                Node::Json(v) => {
                    let empty = match v.as_ref() {
                        Value::Array(items) => items.is_empty(),
                        Value::Object(map) => map.is_empty(),
                        _ => true,
                    };
                    empty == *want
                }
                _ => false,
            }
        }
        RelOp::SubsetOf | RelOp::AnyOf | RelOp::NoneOf => {
            let (Some(left), Some(right)) = (value_list(l), value_list(r)) else {
                return Ok(false);
            };
            match op {
                RelOp::SubsetOf => left.iter().all(|a| right.iter().any(|b| node_equals(a, b))),
                RelOp::AnyOf => left.iter().any(|a| right.iter().any(|b| node_equals(a, b))),
                _ => !left.iter().any(|a| right.iter().any(|b| node_equals(a, b))),
            }
        }
        RelOp::Exists => match (l, r) {
            (Node::Bool(a), Node::Bool(b)) => a == b,
            _ => false,
        },
        // These need operands (value lists, classes, predicates) that only Jayway's Java API can
        // build; from filter text they never match.
        RelOp::All | RelOp::Type | RelOp::Matches => false,
    })
}
