//! How Jayway (running on the JVM with its default json-smart provider) prints values and
//! their classes inside its error messages, which AWS passes through in causes.

use estado_json::{Number, Value};

/// The JSON provider class Jayway names in "not a json object" messages.
pub(crate) const JSON_PROVIDER: &str = "com.jayway.jsonpath.spi.json.JsonSmartJsonProvider";

/// The Java class json-smart uses for a value (`model.getClass().getName()`).
pub(crate) fn class_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "java.lang.Boolean",
        Value::String(_) => "java.lang.String",
        Value::Number(n) => number_class(n),
        Value::Array(_) => "net.minidev.json.JSONArray",
        Value::Object(_) => "java.util.LinkedHashMap",
    }
}

fn number_class(n: &Number) -> &'static str {
    if let Some(i) = n.as_i64() {
        if i32::try_from(i).is_ok() {
            "java.lang.Integer"
        } else {
            "java.lang.Long"
        }
    } else if n.is_u64() {
        "java.math.BigInteger"
    } else {
        "java.lang.Double"
    }
}

/// `String.valueOf(model)`: strings bare, arrays as JSON (json-smart's `JSONArray`), objects as
/// Java maps print (`{a=1, b=x}`).
pub(crate) fn to_java_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => number_text(n),
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}={}", to_java_string(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// A number as Java prints it: integers plainly, doubles with `Double.toString` (`1.0`,
/// `1.5E10`, `1.0E-5`).
pub(crate) fn number_text(n: &Number) -> String {
    if n.is_f64() {
        n.as_f64().map(double_text).unwrap_or_default()
    } else {
        n.to_string()
    }
}

/// Java's `Double.toString`.
pub(crate) fn double_text(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    let abs = x.abs();
    if (1e-3..1e7).contains(&abs) {
        let s = format!("{x}");
        if s.contains('.') {
            s
        } else {
            format!("{s}.0")
        }
    } else {
        // Rust's `{:e}` gives the shortest round-trip digits: `1.5e10`, `1e-5`.
        let s = format!("{x:e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = if mantissa.contains('.') {
            mantissa.to_string()
        } else {
            format!("{mantissa}.0")
        };
        format!("{mantissa}E{exponent}")
    }
}
