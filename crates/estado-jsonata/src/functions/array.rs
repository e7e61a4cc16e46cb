//! `$partition` and `$range`, the JSONata forms of `States.ArrayPartition` and
//! `States.ArrayRange`.

use jsonata_core::evaluator::EvaluatorError;
use jsonata_core::value::JValue;

use super::{check_arity, failure, number_arg, signature_error};

/// The most items `$range` produces (jsonata-js's own bound for the `..` operator).
const MAX_RANGE_ITEMS: f64 = 1e7;

/// `$partition(array, size)`: the array in chunks of `size` items, the last one possibly
/// shorter. A single value counts as a one-item array (as for JSONata's `a` signature type);
/// an undefined array gives undefined.
pub(crate) fn partition(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    const NAME: &str = "partition";
    check_arity(NAME, args, 2)?;
    let items: Vec<JValue> = match args.first() {
        None | Some(JValue::Undefined) => return Ok(JValue::Undefined),
        Some(JValue::Array(items)) => items.iter().cloned().collect(),
        Some(v) if v.is_function() => return Err(signature_error(NAME, 1)),
        Some(v) => vec![v.clone()],
    };
    let size = number_arg(NAME, args, 2)?.ok_or_else(|| signature_error(NAME, 2))?;
    if size.fract() != 0.0 || size < 1.0 {
        return Err(failure(format!(
            "The chunk size of function \"{NAME}\" must be a positive integer, but was: {}",
            crate::messages::js_number(size)
        )));
    }
    // `as` saturates: a size beyond the array gives one chunk.
    let size = size as usize;
    Ok(JValue::array(
        items
            .chunks(size)
            .map(|chunk| JValue::array(chunk.to_vec()))
            .collect(),
    ))
}

/// `$range(start, end, step)`: `start`, `start + step`, ... while not past `end` (inclusive);
/// a negative step counts down. An empty array when `start` is already past `end`.
pub(crate) fn range(args: &[JValue]) -> Result<JValue, EvaluatorError> {
    const NAME: &str = "range";
    check_arity(NAME, args, 3)?;
    let start = number_arg(NAME, args, 1)?.ok_or_else(|| signature_error(NAME, 1))?;
    let end = number_arg(NAME, args, 2)?.ok_or_else(|| signature_error(NAME, 2))?;
    let step = number_arg(NAME, args, 3)?.ok_or_else(|| signature_error(NAME, 3))?;
    if step == 0.0 || !step.is_finite() || !start.is_finite() || !end.is_finite() {
        return Err(failure(format!(
            "The step of function \"{NAME}\" must be a non-zero number, but was: {}",
            crate::messages::js_number(step)
        )));
    }
    let span = (end - start) / step;
    if span < 0.0 {
        return Ok(JValue::array(Vec::new()));
    }
    // Tolerate float error in the last step: $range(0, 0.3, 0.1) ends at 0.3.
    let count = (span + 1e-9).floor() + 1.0;
    if count > MAX_RANGE_ITEMS {
        return Err(failure(format!(
            "The function \"{NAME}\" would produce {} items, more than the limit of {}",
            crate::messages::js_number(count),
            crate::messages::js_number(MAX_RANGE_ITEMS)
        )));
    }
    let items = (0..count as usize)
        .map(|i| JValue::Number(start + step * i as f64))
        .collect();
    Ok(JValue::array(items))
}
