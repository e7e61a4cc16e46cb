//! `$random([seed])` and `$uuid()`.
//!
//! Unseeded values come from the execution's entropy (so a replay draws the same ones); a seed
//! gives the sequence of `java.util.Random` for that seed, which is deterministic across runs
//! and hosts.

use std::cell::Cell;

use jsonata_core::evaluator::EvaluatorError;
use jsonata_core::value::JValue;

use super::{check_arity, failure, number_arg};

/// A SplitMix64 generator, seeded once per evaluation from the execution's entropy.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn new(seed: u64) -> Self {
        SplitMix(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

fn draw(source: &Cell<SplitMix>) -> u64 {
    let mut rng = source.get();
    let n = rng.next_u64();
    source.set(rng);
    n
}

/// The top 53 bits of `bits` as a double in `[0, 1)`.
fn unit_interval(bits: u64) -> f64 {
    (bits >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `java.util.Random`'s linear congruential generator.
struct JavaRandom(u64);

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: i64) -> Self {
        JavaRandom((seed as u64 ^ Self::MULTIPLIER) & Self::MASK)
    }

    fn next(&mut self, bits: u32) -> u64 {
        self.0 = (self.0.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB)) & Self::MASK;
        self.0 >> (48 - bits)
    }

    fn next_double(&mut self) -> f64 {
        let high = self.next(26) << 27;
        let low = self.next(27);
        (high + low) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

/// `$random()`: a number in `[0, 1)` from the execution's entropy; `$random(seed)`: the first
/// `java.util.Random(seed).nextDouble()`, the same for the same seed every time. A seed with a
/// fraction is truncated to an integer.
pub(crate) fn random(args: &[JValue], source: &Cell<SplitMix>) -> Result<JValue, EvaluatorError> {
    const NAME: &str = "random";
    check_arity(NAME, args, 1)?;
    match number_arg(NAME, args, 1)? {
        None => Ok(JValue::Number(unit_interval(draw(source)))),
        Some(seed) if seed.is_finite() => {
            // `as` saturates out-of-range seeds, as Java's (long) cast does.
            Ok(JValue::Number(JavaRandom::new(seed as i64).next_double()))
        }
        Some(_) => Err(failure(format!(
            "The seed of function \"{NAME}\" must be a finite number"
        ))),
    }
}

/// `$uuid()`: a random (version 4, RFC 4122 variant) UUID in lowercase hex.
pub(crate) fn uuid(args: &[JValue], source: &Cell<SplitMix>) -> Result<JValue, EvaluatorError> {
    check_arity("uuid", args, 0)?;
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&draw(source).to_be_bytes());
    bytes[8..].copy_from_slice(&draw(source).to_be_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, b) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push_str(&format!("{b:02x}"));
    }
    Ok(JValue::from(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_random_matches_the_jdk() {
        // new java.util.Random(42).nextDouble() and new java.util.Random(0).nextDouble().
        assert_eq!(JavaRandom::new(42).next_double(), 0.7275636800328681);
        assert_eq!(JavaRandom::new(0).next_double(), 0.730967787376657);
    }
}
