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
    fn size(v: &Value, acc: &mut usize, limit: usize) -> bool {
        if *acc > limit {
            return true;
        }
        match v {
            Value::Null => *acc += 4,
            Value::Bool(b) => *acc += if *b { 4 } else { 5 },
            Value::Number(n) => *acc += number_len(n),
            Value::String(s) => *acc += s.len() + 2,
            Value::Array(a) => {
                *acc += 2 + a.len().saturating_sub(1);
                for x in a {
                    if size(x, acc, limit) {
                        return true;
                    }
                }
            }
            Value::Object(o) => {
                *acc += 2 + o.len().saturating_sub(1);
                for (k, x) in o {
                    *acc += k.len() + 3;
                    if size(x, acc, limit) {
                        return true;
                    }
                }
            }
        }
        *acc > limit
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
    fn itoa_len(mut u: u64) -> usize {
        let mut n = 1;
        while u >= 10 {
            u /= 10;
            n += 1;
        }
        n
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
