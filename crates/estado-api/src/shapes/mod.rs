//! Request and response shapes of every operation, generated from the service model
//! (`tools/gen_api.py`), plus the traits that tie them to their operation.
//!
//! Members keep the model's camelCase names on the wire and are `Option` unless the model marks
//! them required; absent options are not serialised. Enum members are `String`s: requests are
//! checked against the model's values by [`crate::decode`], responses are written by the engine.
//! Execution data (`input`, `output`, `definition`) stays the JSON *text* AWS sends, so that the
//! engine can report an unparsable document with AWS's own error (`InvalidExecutionInput`,
//! `InvalidDefinition`) rather than a decoding failure.

#[rustfmt::skip]
#[allow(clippy::all)]
mod generated;
mod ordered_map;

pub use generated::*;
pub use ordered_map::OrderedMap;

use serde::de::DeserializeOwned;
use serde::Serialize;

/// An operation's input shape.
pub trait Input: DeserializeOwned + Serialize {
    const OPERATION: Operation;
}

/// An operation's output shape.
pub trait Output: DeserializeOwned + Serialize {
    const OPERATION: Operation;
}
