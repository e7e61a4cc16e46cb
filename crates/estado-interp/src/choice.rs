//! Choice rules in JSONPath mode: the comparison operators with AWS's semantics (a value of
//! the wrong type compares false; a missing variable is a runtime error except for `IsPresent`).

use estado_asl::model::{Cond, Op, Rhs};
use estado_json::Value;
use estado_types::{Scope, StatesError};

pub fn eval(cond: &Cond, input: &Value, scope: &Scope) -> Result<bool, StatesError> {
    match cond {
        Cond::And(all) => {
            for c in all {
                if !eval(c, input, scope)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Cond::Or(any) => {
            for c in any {
                if eval(c, input, scope)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Cond::Not(c) => Ok(!eval(c, input, scope)?),
        Cond::Test { variable, op, rhs } => {
            let value = variable.lookup(input, scope);
            if *op == Op::IsPresent {
                let want = rhs_bool(rhs);
                return Ok(value.is_some() == want);
            }
            let Some(value) = value else {
                return Err(StatesError::runtime(format!(
                    "Invalid path '{}': The choice state's condition path references an invalid value.",
                    variable.source()
                )));
            };
            let rhs_value = match rhs {
                Rhs::Value(v) => std::borrow::Cow::Borrowed(v),
                Rhs::Path(p) => match p.lookup(input, scope) {
                    Some(v) => v,
                    None => {
                        return Err(StatesError::runtime(format!(
                            "Invalid path '{}': The choice state's condition path references an invalid value.",
                            p.source()
                        )))
                    }
                },
            };
            Ok(test(*op, &value, &rhs_value))
        }
        Cond::Jsonata(_) => Err(StatesError::runtime(
            "JSONata condition in a JSONPath state",
        )),
    }
}

fn rhs_bool(rhs: &Rhs) -> bool {
    matches!(rhs, Rhs::Value(Value::Bool(true)))
}

fn test(op: Op, v: &Value, rhs: &Value) -> bool {
    use std::cmp::Ordering::*;
    use Op::*;
    let str_cmp = |f: fn(std::cmp::Ordering) -> bool| match (v, rhs) {
        (Value::String(a), Value::String(b)) => f(a.as_str().cmp(b.as_str())),
        _ => false,
    };
    let num_cmp = |f: fn(std::cmp::Ordering) -> bool| match (v.as_f64(), rhs.as_f64()) {
        (Some(a), Some(b)) if v.is_number() && rhs.is_number() => a.partial_cmp(&b).is_some_and(f),
        _ => false,
    };
    let ts_cmp = |f: fn(std::cmp::Ordering) -> bool| match (
        v.as_str().and_then(parse_ts),
        rhs.as_str().and_then(parse_ts),
    ) {
        (Some(a), Some(b)) => f(a.cmp(&b)),
        _ => false,
    };
    match op {
        StringEquals => str_cmp(|o| o == Equal),
        StringLessThan => str_cmp(|o| o == Less),
        StringGreaterThan => str_cmp(|o| o == Greater),
        StringLessThanEquals => str_cmp(|o| o != Greater),
        StringGreaterThanEquals => str_cmp(|o| o != Less),
        StringMatches => match (v, rhs) {
            (Value::String(s), Value::String(p)) => wildcard_match(p, s),
            _ => false,
        },
        NumericEquals => num_cmp(|o| o == Equal),
        NumericLessThan => num_cmp(|o| o == Less),
        NumericGreaterThan => num_cmp(|o| o == Greater),
        NumericLessThanEquals => num_cmp(|o| o != Greater),
        NumericGreaterThanEquals => num_cmp(|o| o != Less),
        BooleanEquals => match (v, rhs) {
            (Value::Bool(a), Value::Bool(b)) => a == b,
            _ => false,
        },
        TimestampEquals => ts_cmp(|o| o == Equal),
        TimestampLessThan => ts_cmp(|o| o == Less),
        TimestampGreaterThan => ts_cmp(|o| o == Greater),
        TimestampLessThanEquals => ts_cmp(|o| o != Greater),
        TimestampGreaterThanEquals => ts_cmp(|o| o != Less),
        IsNull => v.is_null() == (rhs == &Value::Bool(true)),
        IsNumeric => v.is_number() == (rhs == &Value::Bool(true)),
        IsString => v.is_string() == (rhs == &Value::Bool(true)),
        IsBoolean => v.is_boolean() == (rhs == &Value::Bool(true)),
        IsTimestamp => v.as_str().and_then(parse_ts).is_some() == (rhs == &Value::Bool(true)),
        IsPresent => true,
    }
}

/// RFC 3339 timestamps as AWS accepts them in Choice rules (`T` and a zone are required).
pub fn parse_ts(s: &str) -> Option<jiff::Timestamp> {
    if !s.contains('T') {
        return None;
    }
    s.parse::<jiff::Timestamp>().ok()
}

/// `StringMatches`: `*` matches any run of characters; `\*` and `\\` are literal.
pub fn wildcard_match(pattern: &str, s: &str) -> bool {
    #[derive(PartialEq)]
    enum Tok {
        Star,
        Ch(char),
    }
    let mut toks = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some(n) => toks.push(Tok::Ch(n)),
                None => toks.push(Tok::Ch('\\')),
            },
            '*' => toks.push(Tok::Star),
            c => toks.push(Tok::Ch(c)),
        }
    }
    let chars: Vec<char> = s.chars().collect();
    // Iterative glob matching with backtracking to the last star.
    let (mut p, mut i) = (0usize, 0usize);
    let (mut star, mut mark) = (None, 0usize);
    while i < chars.len() {
        if p < toks.len() && toks[p] == Tok::Ch(chars[i]) {
            p += 1;
            i += 1;
        } else if p < toks.len() && toks[p] == Tok::Star {
            star = Some(p);
            mark = i;
            p += 1;
        } else if let Some(sp) = star {
            p = sp + 1;
            mark += 1;
            i = mark;
        } else {
            return false;
        }
    }
    while p < toks.len() && toks[p] == Tok::Star {
        p += 1;
    }
    p == toks.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("log-*.txt", "log-2024.txt"));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("a*b", "aXXc"));
        assert!(wildcard_match("a\\*b", "a*b"));
        assert!(!wildcard_match("a\\*b", "aXb"));
        assert!(wildcard_match("a\\\\b", "a\\b"));
    }

    #[test]
    fn timestamps_need_t_and_zone() {
        assert!(parse_ts("2016-03-14T01:59:00Z").is_some());
        assert!(parse_ts("2016-03-14T01:59:00.123+02:00").is_some());
        assert!(parse_ts("2016-03-14 01:59:00Z").is_none());
        assert!(parse_ts("2016-03-14T01:59:00").is_none());
    }
}
