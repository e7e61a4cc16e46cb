//! Request decoding with AWS's errors, in AWS's order.
//!
//! 1. An empty body is `{}`. A body that is not JSON, or not a JSON object, is a
//!    `SerializationException` without a message (what AWS's service framework sends).
//! 2. The body is type-checked against the operation's input schema. Members the model does not
//!    declare are ignored, and so are members set to `null` (AWS's framework treats both as
//!    absent). A member of the wrong JSON type is a `SerializationException` whose message
//!    follows the framework's wording (`class java.lang.Integer can not be converted to an
//!    String`, `Start of list found where not expected`, ...). Integer members accept numbers
//!    with a fraction and truncate them toward zero, as the framework does; a number beyond the
//!    member's Java type (`int`, `long`) is a `SerializationException` without a message.
//! 3. The model's constraints are checked (`validate.rs`): every violation is reported in one
//!    `ValidationException` (`com.amazon.coral.validate#ValidationException`).
//!
//! Only then is the typed input built. The operation's own checks (ARN syntax, name rules,
//! existence) come after decoding, in the engine.

use serde_json::{Map, Number, Value};

use crate::error::{ApiError, ErrorCode};
use crate::schema::{Kind, Shape};
use crate::shapes::{Input, Operation, Request};
use crate::validate;

/// Decodes the body of a request for `op`.
pub fn decode(op: Operation, body: &[u8]) -> Result<Request, ApiError> {
    let checked = checked_body(op, body)?;
    Request::from_checked(op, checked)
        .map_err(|_| ApiError::bare(ErrorCode::SerializationException))
}

/// Decodes the body of a request into the input shape `T` of its operation.
pub fn decode_as<T: Input>(body: &[u8]) -> Result<T, ApiError> {
    let checked = checked_body(T::OPERATION, body)?;
    serde_json::from_value(checked).map_err(|_| ApiError::bare(ErrorCode::SerializationException))
}

/// Steps 1-3: the body as a JSON object that satisfies the input schema of `op`.
fn checked_body(op: Operation, body: &[u8]) -> Result<Value, ApiError> {
    let value = parse_object(body)?;
    let schema = op.input_schema();
    let checked = check(schema, value)?;
    let violations = validate::violations(schema, &checked);
    if violations.is_empty() {
        Ok(checked)
    } else {
        Err(ApiError::constraint_violations(&violations))
    }
}

fn parse_object(body: &[u8]) -> Result<Value, ApiError> {
    if body.trim_ascii().is_empty() {
        return Ok(Value::Object(Map::new()));
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(value @ Value::Object(_)) => Ok(value),
        _ => Err(ApiError::bare(ErrorCode::SerializationException)),
    }
}

fn type_error(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::SerializationException, message)
}

/// The Java class AWS's framework names for a JSON number it cannot convert.
fn number_class(number: &Number) -> &'static str {
    match number.as_f64() {
        Some(f) if f.fract() != 0.0 => "java.lang.Double",
        Some(f) if (-32_768.0..=32_767.0).contains(&f) => "java.lang.Short",
        Some(f) if (-2_147_483_648.0..=2_147_483_647.0).contains(&f) => "java.lang.Integer",
        _ => "java.lang.Long",
    }
}

/// The framework's complaint when `value` is not of the scalar type `java_type`.
fn not_scalar(value: &Value, java_type: &str) -> ApiError {
    match value {
        Value::Bool(_) => type_error(format!(
            "class java.lang.Boolean can not be converted to an {java_type}"
        )),
        Value::Number(n) => type_error(format!(
            "class {} can not be converted to an {java_type}",
            number_class(n)
        )),
        Value::String(_) => type_error(format!(
            "class java.lang.String can not be converted to an {java_type}"
        )),
        Value::Array(_) => type_error("Start of list found where not expected"),
        Value::Object(_) => type_error("Start of structure or map found where not expected."),
        Value::Null => ApiError::bare(ErrorCode::SerializationException),
    }
}

/// Type-checks `value` (never `null`) against `shape`, dropping unknown and `null` members.
fn check(shape: &Shape, value: Value) -> Result<Value, ApiError> {
    match (&shape.kind, value) {
        (Kind::String(_), value @ Value::String(_)) => Ok(value),
        (Kind::String(_), other) => Err(not_scalar(&other, "String")),
        (Kind::Boolean, value @ Value::Bool(_)) => Ok(value),
        (Kind::Boolean, Value::String(s)) => Err(type_error(format!(
            "'{}' can not be converted to an Boolean",
            s.to_uppercase()
        ))),
        (Kind::Boolean, other) => Err(not_scalar(&other, "Boolean")),
        (Kind::Integer(_), Value::Number(n)) => truncate(&n, i32::MIN.into(), i32::MAX.into()),
        (Kind::Integer(_), other) => Err(not_scalar(&other, "Integer")),
        (Kind::Long(_), Value::Number(n)) => truncate(&n, i64::MIN, i64::MAX),
        (Kind::Long(_), other) => Err(not_scalar(&other, "Long")),
        (Kind::Float(_), value @ Value::Number(_)) => Ok(value),
        (Kind::Float(_), other) => Err(not_scalar(&other, "Float")),
        (Kind::List { member, .. }, Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::Null => Err(ApiError::bare(ErrorCode::SerializationException)),
                item => check(member, item),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::Array),
        (Kind::List { .. }, Value::Object(_)) => Err(type_error(
            "Start of structure or map found where not expected.",
        )),
        (Kind::List { .. }, _) => Err(type_error("Expected list or null")),
        (Kind::Structure(members), Value::Object(mut fields)) => {
            let mut checked = Map::new();
            for member in members.iter() {
                match fields.remove(member.name) {
                    None | Some(Value::Null) => {}
                    Some(value) => {
                        checked.insert(member.name.to_owned(), check(member.shape, value)?);
                    }
                }
            }
            Ok(Value::Object(checked))
        }
        (Kind::Structure(_), Value::Array(_)) => {
            Err(type_error("Start of list found where not expected"))
        }
        (Kind::Structure(_), _) => Err(type_error("Expected null")),
    }
}

/// An integer member's value: the number truncated toward zero, within `min..=max`.
fn truncate(number: &Number, min: i64, max: i64) -> Result<Value, ApiError> {
    let whole = if let Some(i) = number.as_i64() {
        Some(i)
    } else if number.is_u64() {
        None
    } else {
        // `as` saturates; the range check below rejects the saturated ends that were not exact.
        number
            .as_f64()
            .map(f64::trunc)
            .filter(|f| *f >= min as f64 && *f <= max as f64)
            .map(|f| f as i64)
    };
    match whole {
        Some(i) if (min..=max).contains(&i) => Ok(Value::from(i)),
        _ => Err(ApiError::bare(ErrorCode::SerializationException)),
    }
}
