//! The JSON document type that Estado's executions carry: inputs, outputs, `Parameters`
//! results, variables, Map items.
//!
//! It has serde_json's `Value` API (the same variants, methods, indexing, comparisons, `json!`)
//! and serde_json does its reading and writing, so text in and text out are exactly serde_json's
//! with `preserve_order` and `float_roundtrip`. What differs is the object: a [`Map`] keeps small
//! objects as one vector with inline keys instead of an `IndexMap` (a hash table, an entry
//! vector and a `String` per key, SipHash on every insert and lookup). Executions make, copy and
//! free objects on every state, so that is most of their cost; see `map.rs`.

mod de;
mod from;
mod index;
mod map;
mod read;
mod ser;

use std::fmt;

pub use index::Index;
pub use map::{Entry, IntoIter, Iter, IterMut, Key, Keys, Map, Values, ValuesMut, INDEXED_FROM};
pub use read::{from_slice, from_str};
pub use serde_json::{Error, Number};

#[doc(hidden)]
pub use serde_json as __serde_json;

/// A JSON value.
#[derive(Clone, Default, PartialEq, Eq)]
pub enum Value {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

/// Builds a [`Value`] from JSON syntax, as serde_json's `json!` (values interpolated in it are
/// serialised, so any `Serialize` type can be). It builds serde_json's document and converts it:
/// for tests and cold paths; build a hot path's values with [`Map`] and `Value::from`.
#[macro_export]
macro_rules! json {
    ($($json:tt)+) => {
        $crate::Value::from($crate::__serde_json::json!($($json)+))
    };
}

impl Value {
    pub fn get<I: Index>(&self, index: I) -> Option<&Value> {
        index.index_into(self)
    }

    pub fn get_mut<I: Index>(&mut self, index: I) -> Option<&mut Value> {
        index.index_into_mut(self)
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }

    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_object_mut(&mut self) -> Option<&mut Map> {
        match self {
            Value::Object(map) => Some(map),
            _ => None,
        }
    }

    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }

    pub fn as_array(&self) -> Option<&Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_array_mut(&mut self) -> Option<&mut Vec<Value>> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn is_string(&self) -> bool {
        matches!(self, Value::String(_))
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_number(&self) -> bool {
        matches!(self, Value::Number(_))
    }

    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    pub fn is_i64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_i64())
    }

    pub fn is_u64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_u64())
    }

    pub fn is_f64(&self) -> bool {
        matches!(self, Value::Number(n) if n.is_f64())
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    pub fn as_u64(&self) -> Option<u64> {
        self.as_number().and_then(Number::as_u64)
    }

    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().and_then(Number::as_f64)
    }

    pub fn is_boolean(&self) -> bool {
        matches!(self, Value::Bool(_))
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The name of the value's JSON type: `null`, `boolean`, `number`, `string`, `array` or
    /// `object` (the words AWS's causes use).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// Takes the value out, leaving `Null`.
    pub fn take(&mut self) -> Value {
        std::mem::take(self)
    }
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("Null"),
            Value::Bool(b) => write!(f, "Bool({b})"),
            Value::Number(n) => write!(f, "Number({n})"),
            Value::String(s) => write!(f, "String({s:?})"),
            Value::Array(items) => {
                f.write_str("Array ")?;
                f.debug_list().entries(items).finish()
            }
            Value::Object(map) => {
                f.write_str("Object ")?;
                fmt::Debug::fmt(map, f)
            }
        }
    }
}

/// `io::Write` into a `fmt::Formatter`. serde_json writes whole UTF-8 sequences per call (it
/// splits strings only at escaped ASCII characters).
struct FmtWriter<'a, 'b>(&'a mut fmt::Formatter<'b>);

impl std::io::Write for FmtWriter<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let s = std::str::from_utf8(buf).map_err(std::io::Error::other)?;
        self.0.write_str(s).map_err(std::io::Error::other)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl fmt::Display for Value {
    /// Compact JSON, or pretty-printed with `{:#}` (serde_json's writers).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let alternate = f.alternate();
        let mut w = FmtWriter(f);
        let written = if alternate {
            serde_json::to_writer_pretty(&mut w, self)
        } else {
            serde_json::to_writer(&mut w, self)
        };
        written.map_err(|_| fmt::Error)
    }
}

impl std::str::FromStr for Value {
    type Err = Error;

    fn from_str(s: &str) -> Result<Value, Error> {
        from_str(s)
    }
}

/// Any serialisable value as a [`Value`] (through serde_json's; not for hot paths).
pub fn to_value<T: serde::Serialize>(value: T) -> Result<Value, Error> {
    serde_json::to_value(value).map(Value::from)
}

/// A [`Value`] as any deserialisable type (through serde_json's; not for hot paths).
pub fn from_value<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, Error> {
    serde_json::from_value(serde_json::Value::from(value))
}

/// Compact JSON text.
pub fn to_string<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value)
}

#[cfg(test)]
mod tests;
