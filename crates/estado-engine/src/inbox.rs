//! What an inbox row carries: the engine's own encoding of deliveries.

use estado_interp::Delivery;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Payload {
    /// Run the execution (its first step).
    Kick,
    /// `RedriveExecution`: restart the execution from where it stopped.
    Redrive,
    /// A timer of the interpreter fired. `virtual_due_ms` is the time the interpreter asked
    /// for; with a wait-time scale the row is due earlier in real time, and the execution's
    /// clock still moves to the asked time.
    Timer { id: u64, virtual_due_ms: i64 },
    /// Anything else the interpreter is told (task results, heartbeats, stop).
    Deliver(Delivery),
}

impl Payload {
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
    pub fn decode(bytes: &[u8]) -> Option<Payload> {
        serde_json::from_slice(bytes).ok()
    }
}
