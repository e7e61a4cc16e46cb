//! Java behaviour that shows through AWS's results: how numbers and values print, how
//! `Math.round` rounds, and `java.util.Random`'s generator (for seeded `States.MathRandom`).

use estado_json::{Number, Value};

/// `Double.toString(d)`: shortest round-trip digits, plain notation for `1e-3 <= |d| < 1e7`
/// (always with a fractional part, `1.0`), otherwise `d.dddE±n` (`1.0E7`, `1.5E-4`).
pub(crate) fn double_to_string(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_string();
    }
    if d.is_infinite() {
        return if d > 0.0 { "Infinity" } else { "-Infinity" }.to_string();
    }
    if d == 0.0 {
        return if d.is_sign_negative() { "-0.0" } else { "0.0" }.to_string();
    }
    // Rust's `{:e}` yields the shortest digits that round-trip, e.g. `-1.2345e3`.
    let sci = format!("{:e}", d.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if d < 0.0 { "-" } else { "" };
    let abs = d.abs();
    if (1e-3..1e7).contains(&abs) {
        let point = exp + 1; // digits before the decimal point
        let body = if point <= 0 {
            format!("0.{}{}", "0".repeat(point.unsigned_abs() as usize), digits)
        } else {
            let point = point as usize;
            if digits.len() > point {
                format!("{}.{}", &digits[..point], &digits[point..])
            } else {
                format!("{}{}.0", digits, "0".repeat(point - digits.len()))
            }
        };
        format!("{sign}{body}")
    } else {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let rest = if rest.is_empty() { "0" } else { rest };
        format!("{sign}{first}.{rest}E{exp}")
    }
}

/// A JSON number as Java prints it: integers in decimal, doubles as [`double_to_string`].
pub(crate) fn number_to_string(n: &Number) -> String {
    if n.is_f64() {
        n.as_f64()
            .map(double_to_string)
            .unwrap_or_else(|| n.to_string())
    } else {
        n.to_string()
    }
}

/// `String.valueOf` of the Java object a JSON value becomes (`Map`, `List`, `String`, boxed
/// numbers): strings bare, `null`, `[a, b]`, `{k=v, k2=v2}`. This is how `States.Format`
/// prints its values.
pub(crate) fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write_to_string(value, &mut out);
    out
}

fn write_to_string(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_to_string(n)),
        Value::String(s) => out.push_str(s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_to_string(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(key);
                out.push('=');
                write_to_string(item, out);
            }
            out.push('}');
        }
    }
}

/// Compact JSON text as Jackson writes it: no blanks, doubles as [`double_to_string`]. String
/// escaping is the same as serde_json's (`\"`, `\\`, short escapes, `\u00XX` for other
/// control characters; everything else literal).
pub(crate) fn to_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(value, &mut out);
    out
}

fn write_json(value: &Value, out: &mut String) {
    match value {
        Value::Null | Value::Bool(_) => out.push_str(&value.to_string()),
        Value::Number(n) => out.push_str(&number_to_string(n)),
        Value::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.to_string()).to_string());
                out.push(':');
                write_json(item, out);
            }
            out.push('}');
        }
    }
}

/// `Math.round(double)`: the nearest integer, halves rounded up (towards positive infinity),
/// NaN to 0, saturating at the `long` range.
pub(crate) fn math_round(x: f64) -> i64 {
    if x.is_nan() {
        return 0;
    }
    let floor = x.floor();
    // `x - floor` is exact for every double, so the comparison with 0.5 is too.
    let rounded = if x - floor >= 0.5 { floor + 1.0 } else { floor };
    // `as` saturates out-of-range floats, which is what Java does.
    rounded as i64
}

/// `java.util.Random`: the 48-bit linear congruential generator, bit for bit.
#[derive(Debug, Clone)]
pub(crate) struct JavaRandom {
    seed: u64,
}

const MULTIPLIER: u64 = 0x5_DEEC_E66D;
const ADDEND: u64 = 0xB;
const MASK: u64 = (1 << 48) - 1;

impl JavaRandom {
    /// `new Random(seed)`.
    pub fn new(seed: i64) -> Self {
        JavaRandom {
            seed: (seed as u64 ^ MULTIPLIER) & MASK,
        }
    }

    /// `next(bits)`: the top `bits` bits of the next state, as a Java `int`.
    fn next(&mut self, bits: u32) -> i32 {
        self.seed = (self.seed.wrapping_mul(MULTIPLIER).wrapping_add(ADDEND)) & MASK;
        (self.seed >> (48 - bits)) as i32
    }

    /// `nextInt(bound)` for `bound > 0`: uniform in `[0, bound)`. `None` for other bounds
    /// (where Java throws).
    pub fn next_int(&mut self, bound: i32) -> Option<i32> {
        if bound <= 0 {
            return None;
        }
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            // A power of two: take the high bits.
            return Some(((i64::from(bound) * i64::from(r)) >> 31) as i32);
        }
        let mut u = r;
        loop {
            r = u % bound;
            // Java's rejection test relies on int overflow.
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return Some(r);
            }
            u = self.next(31);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_as_java_does() {
        for (d, java) in [
            (1.0, "1.0"),
            (-1.5, "-1.5"),
            (0.1, "0.1"),
            (100.0, "100.0"),
            (1234567.0, "1234567.0"),
            (1e7, "1.0E7"),
            (12345678.9, "1.23456789E7"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1.5e-5, "1.5E-5"),
            (1e20, "1.0E20"),
            (-0.0, "-0.0"),
            (2e-3, "0.002"),
            (1.1e-3, "0.0011"),
            (9999999.999, "9999999.999"),
            (0.0, "0.0"),
        ] {
            assert_eq!(double_to_string(d), java, "{d}");
        }
    }

    #[test]
    fn math_round_rounds_halves_up() {
        for (x, r) in [
            (1.5, 2),
            (2.5, 3),
            (-1.5, -1),
            (-1.51, -2),
            (-3.5, -3),
            (1.49, 1),
            (0.49999999999999994, 0),
        ] {
            assert_eq!(math_round(x), r, "{x}");
        }
    }

    #[test]
    fn java_random_matches_the_jdk() {
        // `new Random(42).nextInt()` and `new Random(0).nextInt()` as a JDK prints them.
        let mut r = JavaRandom::new(42);
        assert_eq!(r.next(32), -1170105035);
        assert_eq!(r.next(32), 234785527);
        assert_eq!(JavaRandom::new(0).next(32), -1155484576);
        // nextInt(bound) on the same states: top 31 bits modulo the bound.
        let mut r = JavaRandom::new(42);
        assert_eq!(r.next_int(10), Some(0));
        assert_eq!(r.next_int(10), Some(3));
        let mut r = JavaRandom::new(0);
        assert_eq!(r.next_int(100), Some(60));
        assert_eq!(JavaRandom::new(3).next_int(999), Some(239));
        assert_eq!(JavaRandom::new(-5).next_int(16), Some(4));
        assert_eq!(
            JavaRandom::new(123_456_789).next_int(1_000_000_007),
            Some(426_010_958)
        );
        assert_eq!(JavaRandom::new(1).next_int(0), None);
    }
}
