//! The data-flow pipeline of one state: InputPath -> Parameters -> (work) -> ResultSelector ->
//! ResultPath -> OutputPath in JSONPath mode; Arguments -> (work) -> Output in JSONata mode.

use std::sync::Arc;

use estado_asl::model::{JsonPathFlow, PathField};
use estado_json::{Map, Value};
use estado_types::{Scope, StatesError};

/// JSONPath `InputPath` (absent: `$`; null: `{}`).
pub fn input_path(
    flow: &JsonPathFlow,
    input: &Arc<Value>,
    scope: &Scope,
) -> Result<Arc<Value>, StatesError> {
    match &flow.input_path {
        PathField::Default => Ok(input.clone()),
        PathField::Null => Ok(Arc::new(Value::Object(Map::new()))),
        PathField::Path(p) => p.select(input, scope).map(Arc::new),
    }
}

/// InputPath then Parameters: the effective input of a state.
pub fn effective_input(
    flow: &JsonPathFlow,
    input: &Arc<Value>,
    scope: &Scope,
) -> Result<Arc<Value>, StatesError> {
    let after_input = input_path(flow, input, scope)?;
    match &flow.parameters {
        Some(t) => t.eval(&after_input, scope).map(Arc::new),
        None => Ok(after_input),
    }
}

/// ResultSelector (only states with a result have one).
pub fn result_selector(
    flow: &JsonPathFlow,
    result: Arc<Value>,
    scope: &Scope,
) -> Result<Arc<Value>, StatesError> {
    match &flow.result_selector {
        Some(t) => t.eval(&result, scope).map(Arc::new),
        None => Ok(result),
    }
}

/// ResultPath (absent: the result replaces the input; null: the input passes through).
pub fn result_path(
    field: &PathField,
    input: &Arc<Value>,
    result: Arc<Value>,
) -> Result<Arc<Value>, StatesError> {
    match field {
        PathField::Default => Ok(result),
        PathField::Null => Ok(input.clone()),
        PathField::Path(p) => {
            if p.source() == "$" {
                return Ok(result);
            }
            let value = Arc::try_unwrap(result).unwrap_or_else(|a| (*a).clone());
            // `$.name` on an object (the common case): copy the other members and put the
            // result in place, without copying the member it replaces.
            if let (Some(name), Value::Object(members)) = (p.single_member(), &**input) {
                // When the member replaced is absent or a scalar, copying the whole object and
                // setting it is cheapest (one copy of the entries, no lookups per member).
                match members.get(name) {
                    None | Some(Value::Null | Value::Bool(_) | Value::Number(_)) => {
                        let mut out = members.clone();
                        // Replaces the member in its place, or adds it last.
                        out.insert(name, value);
                        return Ok(Arc::new(Value::Object(out)));
                    }
                    Some(_) => {}
                }
                let mut out = Map::with_capacity(members.len() + 1);
                let mut value = Some(value);
                for (k, v) in members {
                    if k == name {
                        out.insert(k.clone(), value.take().unwrap_or(Value::Null));
                    } else {
                        out.insert(k.clone(), v.clone());
                    }
                }
                if let Some(v) = value {
                    out.insert(name.to_owned(), v);
                }
                return Ok(Arc::new(Value::Object(out)));
            }
            p.set((**input).clone(), value).map(Arc::new)
        }
    }
}

/// OutputPath (absent: `$`; null: `{}`).
pub fn output_path(
    flow: &JsonPathFlow,
    output: Arc<Value>,
    scope: &Scope,
) -> Result<Arc<Value>, StatesError> {
    match &flow.output_path {
        PathField::Default => Ok(output),
        PathField::Null => Ok(Arc::new(Value::Object(Map::new()))),
        PathField::Path(p) => p.select(&output, scope).map(Arc::new),
    }
}
