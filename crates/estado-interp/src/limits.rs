//! AWS's quotas that shape execution semantics.

use estado_json::Value;

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

/// Whether the serialized size of `v` (compact JSON, as serde_json writes it) is over `limit`
/// bytes, found without writing the text.
///
/// A first walk counts every string as if nothing in it needed escaping, which is a lower
/// bound, and stops as soon as that is over the limit. Escaping at most multiplies a string's
/// bytes by six (`\u001f`), so when even that bound fits, the answer is known; only a document
/// between the two bounds is walked again counting the escapes.
pub fn exceeds(v: &Value, limit: usize) -> bool {
    if matches!(v, Value::Null | Value::Bool(_) | Value::Number(_)) {
        return false;
    }
    let mut walk = Walk {
        acc: 0,
        string_bytes: 0,
        exact: false,
        limit,
    };
    if walk.size(v) {
        return true;
    }
    if walk.acc + 5 * walk.string_bytes <= limit {
        return false;
    }
    let mut exact = Walk {
        acc: 0,
        string_bytes: 0,
        exact: true,
        limit,
    };
    exact.size(v)
}

struct Walk {
    acc: usize,
    /// Bytes of every string and member name counted so far.
    string_bytes: usize,
    /// Count escapes (otherwise strings count as their bytes and quotes).
    exact: bool,
    limit: usize,
}

impl Walk {
    /// Containers recurse; scalars are counted in place (most members are scalars, and a
    /// call per member cost more than counting it). True once the count is over the limit.
    fn size(&mut self, v: &Value) -> bool {
        if self.acc > self.limit {
            return true;
        }
        match v {
            Value::Array(a) => {
                self.acc += 2 + a.len().saturating_sub(1);
                for x in a {
                    if self.member(x) {
                        return true;
                    }
                }
            }
            Value::Object(o) => {
                self.acc += 2 + o.len().saturating_sub(1);
                for (k, x) in o {
                    self.acc += self.string(k) + 1;
                    if self.member(x) {
                        return true;
                    }
                }
            }
            scalar => self.acc += self.scalar(scalar),
        }
        self.acc > self.limit
    }

    #[inline(always)]
    fn member(&mut self, x: &Value) -> bool {
        match x {
            Value::Array(_) | Value::Object(_) => self.size(x),
            scalar => {
                self.acc += self.scalar(scalar);
                false
            }
        }
    }

    #[inline(always)]
    fn scalar(&mut self, v: &Value) -> usize {
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
            Value::String(s) => self.string(s),
            Value::Array(_) | Value::Object(_) => 0,
        }
    }

    #[inline(always)]
    fn string(&mut self, s: &str) -> usize {
        self.string_bytes += s.len();
        if self.exact {
            escaped_len(s)
        } else {
            s.len() + 2
        }
    }
}

#[inline]
fn number_len(n: &serde_json::Number) -> usize {
    if let Some(i) = n.as_i64() {
        digits(i.unsigned_abs()) + usize::from(i < 0)
    } else if let Some(u) = n.as_u64() {
        digits(u)
    } else {
        n.to_string().len()
    }
}

#[inline]
fn digits(u: u64) -> usize {
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
fn escaped_len(s: &str) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;
    use estado_json::json;

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
