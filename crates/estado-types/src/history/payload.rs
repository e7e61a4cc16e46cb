//! JSON documents carried in events (input, output, parameters, variable values).

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use estado_json::Value;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A JSON document carried in an event (input, output, parameters, assigned variable values).
///
/// The model types these as strings containing JSON. A payload is either the parsed value,
/// shared (cheap to clone: events are made per state transition on the hot path, and one
/// state's output is the next state's input), or the JSON text, as a payload read back from
/// storage is kept (it is mostly written out again, rarely looked into). Both forms serialise
/// as the JSON text (`{"a":1}` -> `"{\"a\":1}"`), as AWS sends it, and compare by their
/// JSON; deserialising checks that the string is a JSON document.
#[derive(Clone, Debug)]
pub struct Payload(Repr);

#[derive(Clone, Debug)]
enum Repr {
    Value(Arc<Value>),
    /// Compact JSON text, as `Value`'s `Display` writes it.
    Text(Arc<str>),
}

impl Payload {
    pub fn new(value: Value) -> Self {
        Payload(Repr::Value(Arc::new(value)))
    }

    pub fn from_arc(value: Arc<Value>) -> Self {
        Payload(Repr::Value(value))
    }

    /// The document (parsed again when the payload holds text).
    pub fn value(&self) -> Cow<'_, Value> {
        match &self.0 {
            Repr::Value(v) => Cow::Borrowed(v),
            // Text comes from a `Value` or was checked when deserialised.
            Repr::Text(t) => Cow::Owned(estado_json::from_str(t).unwrap_or(Value::Null)),
        }
    }

    /// The shared value, for handing on without a copy, when the payload holds one.
    pub fn arc(&self) -> Option<&Arc<Value>> {
        match &self.0 {
            Repr::Value(v) => Some(v),
            Repr::Text(_) => None,
        }
    }

    /// The compact JSON text that goes on the wire.
    pub fn to_json_string(&self) -> String {
        match &self.0 {
            Repr::Value(v) => compact(v),
            Repr::Text(t) => t.to_string(),
        }
    }

    /// Whether this payload shares `value` (the same allocation, not an equal copy).
    pub fn shares(&self, value: &Arc<Value>) -> bool {
        matches!(&self.0, Repr::Value(v) if Arc::ptr_eq(v, value))
    }
}

/// `value` as compact JSON text (what `Value`'s `Display` writes, written faster).
fn compact(value: &Value) -> String {
    let mut out = Vec::with_capacity(128);
    // Writing a `Value` into a `Vec` cannot fail: its keys are strings.
    let _ = serde_json::to_writer(&mut out, value);
    // serde_json writes UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

impl PartialEq for Payload {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Repr::Value(a), Repr::Value(b)) => a == b,
            // Equal texts are equal documents; different ones may differ only in spacing.
            (Repr::Text(a), Repr::Text(b)) => a == b || self.value() == other.value(),
            _ => *self.value() == *other.value(),
        }
    }
}

impl From<Value> for Payload {
    fn from(value: Value) -> Self {
        Payload::new(value)
    }
}

impl From<Arc<Value>> for Payload {
    fn from(value: Arc<Value>) -> Self {
        Payload::from_arc(value)
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            // Not `collect_str`: `Value`'s `Display` goes through `fmt::Write` piece by piece,
            // several times slower than writing the text into a buffer first.
            Repr::Value(v) => serializer.serialize_str(&compact(v)),
            Repr::Text(t) => serializer.serialize_str(t),
        }
    }
}

impl<'de> Deserialize<'de> for Payload {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(PayloadVisitor)
    }
}

struct PayloadVisitor;

impl Visitor<'_> for PayloadVisitor {
    type Value = Payload;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string containing a JSON document")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<Payload, E> {
        // Kept as text: a payload read back is mostly written out again, rarely looked into.
        // Checked (without building the tree) so that `value` can parse it later.
        serde_json::from_str::<IgnoredAny>(text)
            .map_err(|e| E::custom(format_args!("payload is not a JSON document: {e}")))?;
        Ok(Payload(Repr::Text(Arc::from(text))))
    }
}
