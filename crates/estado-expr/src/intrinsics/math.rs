//! The math intrinsics: `States.MathRandom` and `States.MathAdd`. Both round non-integer
//! arguments to the nearest integer (halves up, Java's `Math.round`), as AWS documents.

use estado_json::Value;
use estado_types::StatesError;

use super::args::Invocation;
use super::java::JavaRandom;

/// `States.MathRandom(start, end[, seed])`: a random integer with `start <= n < end`.
/// With a seed the result is that of Java's `new Random(seed).nextInt(end - start) + start`,
/// so a seed always gives the same number; without one the seed is drawn from the scope's
/// entropy (deterministic under replay).
pub(crate) fn math_random(inv: &Invocation) -> Result<Value, StatesError> {
    let start = inv.rounded_integer(0)?;
    let end = inv.rounded_integer(1)?;
    let seed = if inv.args.len() > 2 {
        inv.rounded_integer(2)?
    } else {
        inv.scope.entropy.next_u64() as i64
    };
    let bound = i32::try_from(end - start)
        .ok()
        .filter(|b| *b > 0)
        .ok_or_else(|| {
            inv.fail(format!(
                "the start ({start}) must be less than the end ({end})"
            ))
        })?;
    let offset = JavaRandom::new(seed)
        .next_int(bound)
        .ok_or_else(|| inv.fail("the range is empty"))?;
    Ok(Value::from(start + i64::from(offset)))
}

/// `States.MathAdd(a, b)`: the sum of the two (rounded) numbers.
pub(crate) fn math_add(inv: &Invocation) -> Result<Value, StatesError> {
    let a = inv.rounded_integer(0)?;
    let b = inv.rounded_integer(1)?;
    // Both fit an i32, so the sum fits an i64.
    Ok(Value::from(a + b))
}
