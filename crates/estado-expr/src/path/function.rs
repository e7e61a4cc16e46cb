//! Jayway path functions (`$.items.length()`, `$.prices.max()`, ...), applied to the node the
//! path has reached. AWS allows them in full paths, never in reference paths.

use std::fmt::Write as _;

use estado_json::{Number, Value};

use super::ast::SubPath;

/// Which function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FunctionKind {
    /// `length()` / `size()`: element count of an array, member count of an object.
    Length,
    Min,
    Max,
    Avg,
    Sum,
    StdDev,
    /// `keys()`: member names of an object.
    Keys,
    First,
    Last,
    /// `index(n)`: element `n` (negative from the end).
    Index,
    /// `concat(...)`: the array's elements and the arguments, as one string.
    Concat,
    /// `append(...)`: the array with the arguments added.
    Append,
}

impl FunctionKind {
    pub(crate) fn from_name(name: &str) -> Option<FunctionKind> {
        Some(match name {
            "length" | "size" => FunctionKind::Length,
            "min" => FunctionKind::Min,
            "max" => FunctionKind::Max,
            "avg" => FunctionKind::Avg,
            "sum" => FunctionKind::Sum,
            "stddev" => FunctionKind::StdDev,
            "keys" => FunctionKind::Keys,
            "first" => FunctionKind::First,
            "last" => FunctionKind::Last,
            "index" => FunctionKind::Index,
            "concat" => FunctionKind::Concat,
            "append" => FunctionKind::Append,
            _ => return None,
        })
    }
}

/// A function argument: a JSON literal or a path evaluated against the document.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    Json(Value),
    Path(SubPath),
}

/// A function step: its name as written, what it does, and its arguments.
#[derive(Debug, Clone)]
pub(crate) struct Function {
    pub(crate) name: String,
    pub(crate) kind: FunctionKind,
    pub(crate) params: Vec<Param>,
}

impl Function {
    /// Jayway's fragment: `.name()` or `.name(...)`.
    pub(crate) fn write_fragment(&self, out: &mut String) {
        let args = if self.params.is_empty() {
            "()"
        } else {
            "(...)"
        };
        let _ = write!(out, ".{}{args}", self.name);
    }

    /// Applies the function to `model`; `args` are the evaluated parameters. `Err` carries
    /// Jayway's message.
    pub(crate) fn apply(&self, model: &Value, args: &[Value]) -> Result<Value, String> {
        match self.kind {
            FunctionKind::Length => Ok(match model {
                Value::Array(items) => Value::from(items.len()),
                Value::Object(map) => Value::from(map.len()),
                _ => Value::Null,
            }),
            FunctionKind::Min
            | FunctionKind::Max
            | FunctionKind::Avg
            | FunctionKind::Sum
            | FunctionKind::StdDev => aggregate(self.kind, model, args),
            FunctionKind::Keys => Ok(match model {
                Value::Object(map) => {
                    Value::Array(map.keys().map(|k| Value::String(k.to_string())).collect())
                }
                _ => Value::Null,
            }),
            FunctionKind::First => sequence_pick(model, |len| Some(0).filter(|_| len > 0)),
            FunctionKind::Last => sequence_pick(model, |len| len.checked_sub(1)),
            FunctionKind::Index => {
                let Some(n) = args.first().and_then(Value::as_f64) else {
                    return Err("Function index requires a number argument".to_string());
                };
                // Java truncates the number to an int.
                let n = n as i64;
                sequence_pick(model, |len| {
                    let len = i64::try_from(len).ok()?;
                    let i = if n < 0 { len + n } else { n };
                    usize::try_from(i).ok()
                })
            }
            FunctionKind::Concat => {
                let mut out = String::new();
                if let Value::Array(items) = model {
                    for item in items {
                        push_text(&mut out, item);
                    }
                }
                for arg in args {
                    push_text(&mut out, arg);
                }
                Ok(Value::String(out))
            }
            FunctionKind::Append => match model {
                Value::Array(items) => {
                    let mut items = items.clone();
                    items.extend(args.iter().cloned());
                    Ok(Value::Array(items))
                }
                other => Ok(other.clone()),
            },
        }
    }
}

/// Numeric aggregation over the array's numbers and the numeric arguments (Jayway computes in
/// doubles, so results are doubles: `6.0`, not `6`).
fn aggregate(kind: FunctionKind, model: &Value, args: &[Value]) -> Result<Value, String> {
    let mut values: Vec<f64> = Vec::new();
    if let Value::Array(items) = model {
        values.extend(items.iter().filter_map(Value::as_f64));
    }
    values.extend(args.iter().filter_map(Value::as_f64));
    if values.is_empty() {
        return Err("Aggregation function attempted to calculate value using empty array".into());
    }
    let count = values.len() as f64;
    let sum: f64 = values.iter().sum();
    let result = match kind {
        FunctionKind::Min => values.iter().copied().fold(f64::INFINITY, f64::min),
        FunctionKind::Max => values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        FunctionKind::Avg => sum / count,
        FunctionKind::Sum => sum,
        _ => {
            let sum_sq: f64 = values.iter().map(|v| v * v).sum();
            (sum_sq / count - (sum / count) * (sum / count)).sqrt()
        }
    };
    Ok(Number::from_f64(result).map_or(Value::Null, Value::Number))
}

fn sequence_pick(model: &Value, pick: impl Fn(usize) -> Option<usize>) -> Result<Value, String> {
    let Value::Array(items) = model else {
        return Err("Invalid function call on non-array".to_string());
    };
    pick(items.len())
        .and_then(|i| items.get(i))
        .cloned()
        .ok_or_else(|| "Index out of bounds".to_string())
}

/// Appends a value as Java's `String.valueOf` would for concatenation (strings unquoted).
fn push_text(out: &mut String, value: &Value) {
    match value {
        Value::String(s) => out.push_str(s),
        Value::Null => {}
        other => out.push_str(&other.to_string()),
    }
}
