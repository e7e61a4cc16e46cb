//! `estado_json::Value` <-> `jsonata_core::value::JValue`, with JavaScript's number semantics.
//!
//! JSONata computes in `f64`. A result goes back to JSON the way jsonata-js's `JSON.stringify`
//! would write it: an integral value is an integer (`1e20 + 1` is `100000000000000000000`, not
//! `1e+20`), `-0` is `0`, and a non-finite number cannot be represented at all.

use std::rc::Rc;

use estado_json::{Map, Number, Value};
use jsonata_core::value::{with_stack, JMap, JValue};

/// Why a JSONata result has no JSON form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ToJsonError {
    /// NaN or ±Infinity, written as JavaScript prints it (`Infinity`, `-Infinity`, `NaN`).
    NonFinite(&'static str),
}

/// JSON into JSONata. Numbers become `f64` (JSONata has no other kind).
pub(crate) fn to_jvalue(value: &Value) -> JValue {
    with_stack(|| match value {
        Value::Null => JValue::Null,
        Value::Bool(b) => JValue::Bool(*b),
        Value::Number(n) => JValue::Number(number_to_f64(n)),
        Value::String(s) => JValue::String(Rc::from(s.as_str())),
        Value::Array(items) => JValue::array(items.iter().map(to_jvalue).collect()),
        Value::Object(map) => JValue::Object(Rc::new(
            map.iter()
                .map(|(k, v)| (k.to_string(), to_jvalue(v)))
                .collect::<JMap>(),
        )),
    })
}

fn number_to_f64(n: &Number) -> f64 {
    if let Some(i) = n.as_i64() {
        i as f64
    } else if let Some(u) = n.as_u64() {
        u as f64
    } else {
        n.as_f64().unwrap_or(f64::NAN)
    }
}

/// A JSONata value as JSON; `Ok(None)` when it is undefined.
///
/// Values JSON cannot hold follow `JSON.stringify`: a function or regex is undefined at the top
/// level and inside an object (its key is left out), and `null` inside an array. Non-finite
/// numbers are an error (jsonata-js refuses to produce them: `D1001 Number out of range`).
pub(crate) fn to_json(value: &JValue) -> Result<Option<Value>, ToJsonError> {
    with_stack(|| {
        Ok(Some(match value {
            JValue::Undefined
            | JValue::Lambda(_)
            | JValue::Builtin { .. }
            | JValue::Regex { .. } => return Ok(None),
            JValue::Null => Value::Null,
            JValue::Bool(b) => Value::Bool(*b),
            JValue::Number(n) => number_to_json(*n)?,
            JValue::String(s) => Value::String(s.to_string()),
            JValue::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items.iter() {
                    out.push(to_json(item)?.unwrap_or(Value::Null));
                }
                Value::Array(out)
            }
            JValue::Object(map) => {
                let mut out = Map::with_capacity(map.len());
                for (k, v) in map.iter() {
                    if let Some(v) = to_json(v)? {
                        out.insert(k.clone(), v);
                    }
                }
                Value::Object(out)
            }
        }))
    })
}

/// An `f64` as a JSON number the way JavaScript prints it: integral values in the integer range
/// of `i64`/`u64` become exact integers; everything else stays a float (whose shortest
/// round-trip digits are the ones JavaScript prints).
pub(crate) fn number_to_json(n: f64) -> Result<Value, ToJsonError> {
    if n.is_nan() {
        return Err(ToJsonError::NonFinite("NaN"));
    }
    if n.is_infinite() {
        return Err(ToJsonError::NonFinite(if n > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }));
    }
    // 2^63 and 2^64 are exact in f64, so these bounds are exact too.
    const I64_MIN: f64 = -9_223_372_036_854_775_808.0;
    const I64_END: f64 = 9_223_372_036_854_775_808.0;
    const U64_END: f64 = 18_446_744_073_709_551_616.0;
    if n.fract() == 0.0 {
        if (I64_MIN..I64_END).contains(&n) {
            // `-0.0 as i64` is 0, as JavaScript prints -0.
            return Ok(Value::Number(Number::from(n as i64)));
        }
        if (0.0..U64_END).contains(&n) {
            return Ok(Value::Number(Number::from(n as u64)));
        }
    }
    Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use estado_json::json;

    fn round_trip(v: Value) -> Value {
        to_json(&to_jvalue(&v)).expect("finite").expect("defined")
    }

    #[test]
    fn json_survives_the_round_trip() {
        for v in [
            json!(null),
            json!(true),
            json!("text"),
            json!(1),
            json!(-1),
            json!(1.5),
            json!([1, [2, {"a": "b"}]]),
            json!({"z": 1, "a": 2}),
        ] {
            assert_eq!(round_trip(v.clone()), v);
        }
    }

    #[test]
    fn object_key_order_is_kept() {
        let v = round_trip(json!({"z": 1, "a": 2, "m": 3}));
        let keys: Vec<_> = v.as_object().expect("object").keys().cloned().collect();
        assert_eq!(keys, ["z", "a", "m"]);
    }

    #[test]
    fn numbers_print_as_javascript_does() {
        assert_eq!(number_to_json(2.0), Ok(json!(2)));
        assert_eq!(number_to_json(-0.0), Ok(json!(0)));
        assert_eq!(number_to_json(0.1 + 0.2), Ok(json!(0.30000000000000004)));
        assert_eq!(
            number_to_json(1e19),
            Ok(json!(10_000_000_000_000_000_000u64))
        );
        assert_eq!(
            number_to_json(-9_223_372_036_854_775_808.0),
            Ok(json!(i64::MIN))
        );
        assert_eq!(number_to_json(1e300), Ok(json!(1e300)));
    }

    #[test]
    fn non_finite_numbers_have_no_json_form() {
        assert_eq!(number_to_json(f64::NAN), Err(ToJsonError::NonFinite("NaN")));
        assert_eq!(
            number_to_json(f64::NEG_INFINITY),
            Err(ToJsonError::NonFinite("-Infinity"))
        );
    }

    #[test]
    fn functions_are_dropped_like_json_stringify_drops_them() {
        let f = JValue::builtin("sum");
        assert_eq!(to_json(&f), Ok(None));
        let arr = JValue::array(vec![JValue::Number(1.0), f.clone()]);
        assert_eq!(to_json(&arr), Ok(Some(json!([1, null]))));
        let obj = JValue::Object(Rc::new(
            [("f".to_string(), f), ("n".to_string(), JValue::Null)]
                .into_iter()
                .collect::<JMap>(),
        ));
        assert_eq!(to_json(&obj), Ok(Some(json!({"n": null}))));
    }
}
