//! Model-constraint validation of a type-checked request body, with AWS's messages.
//!
//! Each violation reads `Value <value> at '<path>' failed to satisfy constraint: <rule>`:
//! - `<value>` is `null` for a missing required member, else the value in quotes as AWS's Java
//!   framework prints it (`'abc'`, `'1001'`, `'[a, b]'`, `'Tag(key=k, value=null)'`); values of
//!   sensitive shapes (`definition`, `input`, `taskToken`, ...) are never echoed: the message
//!   then reads `Value at '<path>' ...`, as AWS writes it.
//! - `<path>` is the member name, nested members joined by `.`, list items as `.N.member`
//!   (1-based): `routingConfiguration.1.member.weight`, `tags.2.member.key`.
//! - `<rule>` is one of `Member must not be null`, `Member must have length less than or equal
//!   to N` (and `greater than or equal to`; string lengths count UTF-16 code units as Java does,
//!   lists count items), `Member must have size less than or equal to N bytes in UTF-8 encoding`
//!   (execution data), `Member must have value less than or equal to N`, `Member must satisfy
//!   enum value set: [A, B]`, `Member must satisfy regular expression pattern: P`.
//!
//! Members are checked in the model's order, depth first; a value's pattern is checked before
//! its length (as AWS lists them).

use serde_json::Value;

use crate::schema::{FloatRange, Kind, Range, Shape, StringRules};

/// Every constraint violation of `value` (a type-checked input body) against `shape`.
pub fn violations(shape: &Shape, value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    if let (Kind::Structure(_), Value::Object(_)) = (&shape.kind, value) {
        check_members(shape, value, "", &mut found);
    }
    found
}

fn check_members(shape: &Shape, value: &Value, prefix: &str, found: &mut Vec<String>) {
    let (Kind::Structure(members), Value::Object(fields)) = (&shape.kind, value) else {
        return;
    };
    for member in members.iter() {
        let path = format!("{prefix}{}", member.name);
        match fields.get(member.name) {
            None | Some(Value::Null) if member.required => found.push(format!(
                "Value null at '{path}' failed to satisfy constraint: Member must not be null"
            )),
            None | Some(Value::Null) => {}
            Some(value) => check_value(member.shape, value, &path, found),
        }
    }
}

fn check_value(shape: &Shape, value: &Value, path: &str, found: &mut Vec<String>) {
    let mut fail = |rule: String| {
        let shown = if shape.sensitive {
            String::from("Value")
        } else {
            format!("Value '{}'", render(shape, value))
        };
        found.push(format!(
            "{shown} at '{path}' failed to satisfy constraint: {rule}"
        ));
    };
    match (&shape.kind, value) {
        (Kind::String(rules), Value::String(text)) => {
            for rule in string_violations(rules, text) {
                fail(rule);
            }
        }
        (Kind::Integer(range) | Kind::Long(range), Value::Number(n)) => {
            if let Some(rule) = n.as_i64().and_then(|i| range_violation(range, i)) {
                fail(rule);
            }
        }
        (Kind::Float(range), Value::Number(n)) => {
            if let Some(rule) = n.as_f64().and_then(|f| float_violation(range, f)) {
                fail(rule);
            }
        }
        (Kind::List { member, min, max }, Value::Array(items)) => {
            if let Some(rule) = length_violation(*min, *max, items.len() as u64) {
                fail(rule);
            }
            for (i, item) in items.iter().enumerate() {
                check_value(member, item, &format!("{path}.{}.member", i + 1), found);
            }
        }
        (Kind::Structure(_), Value::Object(_)) => {
            check_members(shape, value, &format!("{path}."), found);
        }
        _ => {}
    }
}

fn string_violations(rules: &StringRules, text: &str) -> Vec<String> {
    let mut rules_failed = Vec::new();
    if let Some(pattern) = rules.pattern {
        if !(pattern.matches)(text) {
            rules_failed.push(format!(
                "Member must satisfy regular expression pattern: {}",
                pattern.text
            ));
        }
    }
    if rules.utf8_size {
        let size = text.len() as u64;
        if let Some(min) = rules.min.filter(|min| size < *min) {
            rules_failed.push(format!(
                "Member must have size greater than or equal to {min} bytes in UTF-8 encoding"
            ));
        }
        if let Some(max) = rules.max.filter(|max| size > *max) {
            rules_failed.push(format!(
                "Member must have size less than or equal to {max} bytes in UTF-8 encoding"
            ));
        }
    } else if let Some(rule) =
        length_violation(rules.min, rules.max, text.encode_utf16().count() as u64)
    {
        rules_failed.push(rule);
    }
    if !rules.values.is_empty() && !rules.values.contains(&text) {
        rules_failed.push(format!(
            "Member must satisfy enum value set: [{}]",
            rules.values_in_message.join(", ")
        ));
    }
    rules_failed
}

fn length_violation(min: Option<u64>, max: Option<u64>, length: u64) -> Option<String> {
    if let Some(min) = min.filter(|min| length < *min) {
        return Some(format!(
            "Member must have length greater than or equal to {min}"
        ));
    }
    max.filter(|max| length > *max)
        .map(|max| format!("Member must have length less than or equal to {max}"))
}

fn range_violation(range: &Range, value: i64) -> Option<String> {
    if let Some(min) = range.min.filter(|min| value < *min) {
        return Some(format!(
            "Member must have value greater than or equal to {min}"
        ));
    }
    range
        .max
        .filter(|max| value > *max)
        .map(|max| format!("Member must have value less than or equal to {max}"))
}

fn float_violation(range: &FloatRange, value: f64) -> Option<String> {
    if let Some(min) = range.min.filter(|min| value < *min) {
        return Some(format!(
            "Member must have value greater than or equal to {}",
            bound(min)
        ));
    }
    range.max.filter(|max| value > *max).map(|max| {
        format!(
            "Member must have value less than or equal to {}",
            bound(max)
        )
    })
}

/// A float bound as the model writes it (`100`, `0.5`).
fn bound(value: f64) -> String {
    format!("{value}")
}

/// What AWS's redaction prints for a sensitive member inside a structure value.
const REDACTED: &str = "*** Sensitive Data Redacted ***";

/// `value` as AWS's Java framework prints it (`toString`): strings bare, floats as Java's
/// `Float.toString`, lists `[a, b]`, structures `Shape(member=value, other=null)`.
fn render(shape: &Shape, value: &Value) -> String {
    if shape.sensitive {
        return REDACTED.to_owned();
    }
    match (&shape.kind, value) {
        (_, Value::String(text)) => text.clone(),
        (Kind::Float(_), Value::Number(n)) => n.as_f64().map(java_float).unwrap_or_default(),
        (_, Value::Number(n)) => n.to_string(),
        (_, Value::Bool(b)) => b.to_string(),
        (Kind::List { member, .. }, Value::Array(items)) => {
            let items: Vec<String> = items.iter().map(|item| render(member, item)).collect();
            format!("[{}]", items.join(", "))
        }
        (Kind::Structure(members), Value::Object(fields)) => {
            let parts: Vec<String> = members
                .iter()
                .map(|member| match fields.get(member.name) {
                    Some(value) if !value.is_null() => {
                        format!("{}={}", member.name, render(member.shape, value))
                    }
                    _ => format!("{}=null", member.name),
                })
                .collect();
            format!("{}({})", shape.name, parts.join(", "))
        }
        (_, other) => other.to_string(),
    }
}

/// Java's `Float.toString` for the values a request can carry: whole numbers keep one decimal
/// (`101.0`), magnitudes from 10^7 up use scientific notation (`1.0E7`).
fn java_float(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude != 0.0 && !(1e-3..1e7).contains(&magnitude) {
        let exponent = magnitude.log10().floor() as i32;
        let mantissa = value / 10f64.powi(exponent);
        let mantissa = format!("{mantissa}");
        let mantissa = if mantissa.contains('.') {
            mantissa
        } else {
            format!("{mantissa}.0")
        };
        return format!("{mantissa}E{exponent}");
    }
    if value.fract() == 0.0 {
        format!("{value:.1}")
    } else {
        format!("{}", value as f32)
    }
}

#[cfg(test)]
mod tests {
    use super::java_float;

    #[test]
    fn floats_print_as_java_does() {
        assert_eq!(java_float(101.0), "101.0");
        assert_eq!(java_float(100.5), "100.5");
        assert_eq!(java_float(-1.0), "-1.0");
        assert_eq!(java_float(0.0), "0.0");
        assert_eq!(java_float(1e7), "1.0E7");
    }
}
