//! The functions Step Functions adds to JSONata, and the built-ins it replaces or refuses.
//!
//! | function | what |
//! |---|---|
//! | `$partition(array, size)` | chunks of `size` items |
//! | `$range(start, end, step)` | `start`, `start+step`, ... up to and including `end` |
//! | `$hash(string, algorithm)` | hex digest; MD5, SHA-1, SHA-256, SHA-384, SHA-512 |
//! | `$random([seed])` | `0 <= n < 1`; from the execution's entropy, or deterministic per seed |
//! | `$uuid()` | a version 4 UUID from the execution's entropy |
//! | `$parse(json)` | the JSON value a string holds |
//! | `$now()`, `$millis()` | the execution's clock value, never the system clock |
//! | `$eval` | refused: Step Functions does not allow it |
//!
//! Argument errors use jsonata-js's signature wording (`T0410: Argument 2 of function
//! "partition" does not match function signature`), as a function registered with a signature
//! would report them.

mod array;
mod clock;
mod hash;
mod json;
mod random;

use std::cell::Cell;
use std::rc::Rc;

use jsonata_core::evaluator::{Evaluator, EvaluatorError};
use jsonata_core::value::JValue;

pub(crate) use random::SplitMix;

/// What the functions of one evaluation see: the clock value, and where unseeded randomness
/// comes from (seeded once per evaluation from the execution's entropy, only when the
/// expression can call `$random` or `$uuid`).
pub(crate) struct FunctionEnv {
    pub now_millis: i64,
    pub entropy: Option<Rc<Cell<SplitMix>>>,
}

/// Registers every extension and override on `ev`.
pub(crate) fn register(ev: &mut Evaluator, env: FunctionEnv) -> Result<(), EvaluatorError> {
    ev.register_fn("partition", array::partition)?;
    ev.register_fn("range", array::range)?;
    ev.register_fn("hash", hash::hash)?;
    ev.register_fn("parse", json::parse)?;
    let entropy = env.entropy.unwrap_or_default();
    let for_uuid = Rc::clone(&entropy);
    ev.register_fn("uuid", move |args: &[JValue]| random::uuid(args, &for_uuid))?;
    ev.register_fn_override("random", move |args: &[JValue]| {
        random::random(args, &entropy)
    })?;
    let now = env.now_millis;
    ev.register_fn_override("now", move |args: &[JValue]| clock::now(args, now))?;
    ev.register_fn_override("millis", move |args: &[JValue]| clock::millis(args, now))?;
    ev.register_fn_override("eval", |_: &[JValue]| -> Result<JValue, EvaluatorError> {
        Err(EvaluatorError::EvaluationError(
            "The function $eval is not supported by Step Functions".to_string(),
        ))
    })?;
    Ok(())
}

/// jsonata-js's error for an argument that does not fit the function's signature (also used
/// for too many arguments, where `index` is the first extra one).
pub(crate) fn signature_error(function: &str, index: usize) -> EvaluatorError {
    EvaluatorError::TypeError(format!(
        "T0410: Argument {index} of function \"{function}\" does not match function signature"
    ))
}

/// A function-specific failure, in the `CODE: message` shape of jsonata errors.
pub(crate) fn failure(message: impl Into<String>) -> EvaluatorError {
    EvaluatorError::EvaluationError(message.into())
}

/// Rejects calls with more than `max` arguments.
pub(crate) fn check_arity(
    function: &str,
    args: &[JValue],
    max: usize,
) -> Result<(), EvaluatorError> {
    if args.len() > max {
        return Err(signature_error(function, max + 1));
    }
    Ok(())
}

/// Argument `index` (1-based) as a number; `Ok(None)` when absent or undefined.
pub(crate) fn number_arg(
    function: &str,
    args: &[JValue],
    index: usize,
) -> Result<Option<f64>, EvaluatorError> {
    match args.get(index - 1) {
        None | Some(JValue::Undefined) => Ok(None),
        Some(JValue::Number(n)) => Ok(Some(*n)),
        Some(_) => Err(signature_error(function, index)),
    }
}

/// Argument `index` (1-based) as a string; `Ok(None)` when absent or undefined.
pub(crate) fn string_arg<'a>(
    function: &str,
    args: &'a [JValue],
    index: usize,
) -> Result<Option<&'a str>, EvaluatorError> {
    match args.get(index - 1) {
        None | Some(JValue::Undefined) => Ok(None),
        Some(JValue::String(s)) => Ok(Some(s)),
        Some(_) => Err(signature_error(function, index)),
    }
}
