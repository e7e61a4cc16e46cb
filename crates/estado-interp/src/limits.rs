//! AWS's quotas that shape execution semantics.

use serde_json::Value;

/// Maximum size of a state's input, output or result, and of an execution's input (256 KiB).
pub const PAYLOAD_LIMIT_BYTES: usize = 256 * 1024;

/// Maximum number of events in a STANDARD execution's history.
pub const HISTORY_EVENT_LIMIT: i64 = 25_000;

/// Maximum size of one variable, and of all the variables one `Assign` sets (256 KiB).
pub const VARIABLE_LIMIT_BYTES: usize = 256 * 1024;

/// Maximum size of all the variables an execution holds at once (10 MiB).
pub const VARIABLES_TOTAL_LIMIT_BYTES: usize = 10 * 1024 * 1024;

/// Serialized size of `v` in bytes (compact JSON).
pub fn size_of(v: &Value) -> usize {
    serde_json::to_vec(v).map(|b| b.len()).unwrap_or(usize::MAX)
}

/// Serialized size of `v` in bytes (compact JSON), computed without allocating the text, and
/// stopping early once past `limit`.
pub fn exceeds(v: &Value, limit: usize) -> bool {
    /// Containers recurse; scalars are counted in place (most members are scalars, and a
    /// call per member cost more than counting it).
    fn size(v: &Value, acc: &mut usize, limit: usize) -> bool {
        if *acc > limit {
            return true;
        }
        match v {
            Value::Array(a) => {
                *acc += 2 + a.len().saturating_sub(1);
                for x in a {
                    if member(x, acc, limit) {
                        return true;
                    }
                }
            }
            Value::Object(o) => {
                *acc += 2 + o.len().saturating_sub(1);
                for (k, x) in o {
                    *acc += string_len(k) + 1;
                    if member(x, acc, limit) {
                        return true;
                    }
                }
            }
            scalar => *acc += scalar_len(scalar),
        }
        *acc > limit
    }
    #[inline(always)]
    fn member(x: &Value, acc: &mut usize, limit: usize) -> bool {
        match x {
            Value::Array(_) | Value::Object(_) => size(x, acc, limit),
            scalar => {
                *acc += scalar_len(scalar);
                false
            }
        }
    }
    #[inline(always)]
    fn scalar_len(v: &Value) -> usize {
        match v {
            Value::Null => 4,
            Value::Bool(b) => {
                if *b {
                    4
                } else {
                    5
                }
            }
            Value::Number(n) => number_len(n),
            Value::String(s) => string_len(s),
            Value::Array(_) | Value::Object(_) => 0,
        }
    }
    fn number_len(n: &serde_json::Number) -> usize {
        if let Some(i) = n.as_i64() {
            let mut buf = itoa_len(i.unsigned_abs());
            if i < 0 {
                buf += 1;
            }
            buf
        } else {
            n.to_string().len()
        }
    }
    fn itoa_len(u: u64) -> usize {
        // Small numbers, the common case, without the general logarithm.
        match u {
            0..=9 => 1,
            10..=99 => 2,
            100..=999 => 3,
            _ => u.ilog10() as usize + 1,
        }
    }
    /// Quoted and escaped as serde_json writes it: `\"`, `\\` and the short control escapes
    /// take two bytes, other control characters six (`\u001f`); the rest is copied.
    fn string_len(s: &str) -> usize {
        let mut extra = 0;
        for &b in s.as_bytes() {
            if b < 0x20 || b == b'"' || b == b'\\' {
                extra += match b {
                    b'"' | b'\\' | 0x08 | 0x0c | b'\n' | b'\r' | b'\t' => 1,
                    _ => 5,
                };
            }
        }
        s.len() + 2 + extra
    }
    let mut acc = 0;
    match v {
        Value::Null | Value::Bool(_) | Value::Number(_) => false,
        _ => size(v, &mut acc, limit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn size_matches_serialization() {
        for v in [
            json!({"a": [1, -20, "x\u{e9}", null, true, false, 1.5]}),
            json!({"q\"uote": "a\"b\\c\n\t\u{1}\u{1f}\u{7f}", "n": [0, 9, 10, 99, 100, -1, -10, u64::MAX, i64::MIN]}),
            json!([]),
            json!({}),
            json!("abc"),
        ] {
            let len = serde_json::to_string(&v).unwrap().len();
            assert!(!exceeds(&v, len), "{v}");
            assert!(exceeds(&v, len - 1), "{v}");
        }
    }
}
