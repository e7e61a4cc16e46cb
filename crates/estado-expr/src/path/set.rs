//! ResultPath: placing a value into a document at a reference path.

use estado_json::Value;
use estado_types::errors::RESULT_PATH_MATCH_FAILURE;
use estado_types::StatesError;

use super::ast::Step;
use super::{Path, Root};

pub(crate) fn set(path: &Path, target: Value, value: Value) -> Result<Value, StatesError> {
    if *path.root() != Root::Input {
        return Err(failure(path, &target));
    }
    let steps = &path.chain().steps;
    if steps.is_empty() {
        return Ok(value);
    }
    let mut target = target;
    let mut slot = Some(value);
    if place(&mut target, steps, &mut slot).is_err() {
        return Err(failure(path, &target));
    }
    Ok(target)
}

/// Walks `steps` from `node`, creating missing members as objects, and stores `value` at the
/// end. `Err` when a step cannot be applied (a member of a non-object, an element of a
/// non-array or out of range, or a step a reference path cannot hold); `node` is then
/// unchanged.
fn place(node: &mut Value, steps: &[Step], value: &mut Option<Value>) -> Result<(), ()> {
    let Some((step, rest)) = steps.split_first() else {
        if let Some(v) = value.take() {
            *node = v;
        }
        return Ok(());
    };
    match step {
        Step::Props { names, .. } if names.len() == 1 => {
            let Value::Object(map) = node else {
                return Err(());
            };
            let name = &names[0];
            if let Some(child) = map.get_mut(name) {
                return place(child, rest, value);
            }
            // Build the missing branch first so that a failure leaves the target untouched.
            let mut child = Value::Object(Default::default());
            place(&mut child, rest, value)?;
            map.insert(name.clone(), child);
            Ok(())
        }
        Step::Indexes(indexes) if indexes.len() == 1 => {
            let Value::Array(items) = node else {
                return Err(());
            };
            let len = i64::try_from(items.len()).map_err(|_| ())?;
            let index = i64::from(indexes[0]);
            let effective = if index < 0 { len + index } else { index };
            let child = usize::try_from(effective)
                .ok()
                .and_then(|i| items.get_mut(i))
                .ok_or(())?;
            place(child, rest, value)
        }
        _ => Err(()),
    }
}

/// AWS's cause: `Unable to apply ReferencePath $.x to input "..."` (the input as compact JSON).
fn failure(path: &Path, target: &Value) -> StatesError {
    StatesError::new(
        RESULT_PATH_MATCH_FAILURE,
        format!(
            "Unable to apply ReferencePath {} to input {}",
            path.source(),
            serde_json::to_string(target).unwrap_or_default()
        ),
    )
}
