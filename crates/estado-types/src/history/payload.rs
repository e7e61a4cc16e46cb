//! JSON documents carried in events (input, output, parameters, variable values).

use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

/// A JSON document carried in an event (input, output, parameters, assigned variable values).
///
/// The model types these as strings containing JSON; we keep the parsed value, shared (cheap to
/// clone: events are made per state transition on the hot path, and one state's output is the
/// next state's input). Serialises as the compact JSON text (`{"a":1}` -> `"{\"a\":1}"`), as AWS
/// sends it; deserialises from such a string, rejecting one that is not JSON.
#[derive(Clone, Debug, PartialEq)]
pub struct Payload(pub Arc<Value>);

impl Payload {
    pub fn new(value: Value) -> Self {
        Payload(Arc::new(value))
    }

    pub fn from_arc(value: Arc<Value>) -> Self {
        Payload(value)
    }

    pub fn value(&self) -> &Value {
        &self.0
    }

    /// The shared value, for handing on without a copy.
    pub fn arc(&self) -> &Arc<Value> {
        &self.0
    }

    /// The compact JSON text that goes on the wire.
    pub fn to_json_string(&self) -> String {
        // `Value`'s own `Display` writes compact JSON and cannot fail (its keys are strings).
        self.0.to_string()
    }
}

impl From<Value> for Payload {
    fn from(value: Value) -> Self {
        Payload::new(value)
    }
}

impl From<Arc<Value>> for Payload {
    fn from(value: Arc<Value>) -> Self {
        Payload(value)
    }
}

impl Serialize for Payload {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // `Value`'s `Display` is its compact JSON; serde_json's `collect_str` escapes it straight
        // into the output, so no intermediate `String` is built per payload.
        serializer.collect_str(&*self.0)
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
        serde_json::from_str(text)
            .map(Payload::new)
            .map_err(|e| E::custom(format_args!("payload is not a JSON document: {e}")))
    }
}
