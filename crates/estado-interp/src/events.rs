//! History event construction: ids, previous-event links and timestamps.

use std::sync::Arc;

use estado_asl::model::Kind;
use estado_types::history::{
    EventDetails as D, HistoryEvent, Payload, StateEnteredEventDetails, StateExitedEventDetails,
    Timestamp,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub fn entered(kind: &Kind, name: &str, input: &Arc<Value>) -> D {
    let d = StateEnteredEventDetails::new(name, Payload::from_arc(input.clone()));
    match kind {
        Kind::Pass { .. } => D::PassStateEntered(d),
        Kind::Task(_) => D::TaskStateEntered(d),
        Kind::Choice(_) => D::ChoiceStateEntered(d),
        Kind::Wait(_) => D::WaitStateEntered(d),
        Kind::Succeed => D::SucceedStateEntered(d),
        Kind::Fail(_) => D::FailStateEntered(d),
        Kind::Parallel { .. } => D::ParallelStateEntered(d),
        Kind::Map(_) => D::MapStateEntered(d),
    }
}

/// `None` for Fail states, which have no exit event.
pub fn exited(kind: &Kind, d: StateExitedEventDetails) -> Option<D> {
    Some(match kind {
        Kind::Pass { .. } => D::PassStateExited(d),
        Kind::Task(_) => D::TaskStateExited(d),
        Kind::Choice(_) => D::ChoiceStateExited(d),
        Kind::Wait(_) => D::WaitStateExited(d),
        Kind::Succeed => D::SucceedStateExited(d),
        Kind::Parallel { .. } => D::ParallelStateExited(d),
        Kind::Map(_) => D::MapStateExited(d),
        Kind::Fail(_) => return None,
    })
}

/// Appends events, numbering them from 1 as AWS does. Taken events leave their count behind
/// so that ids keep counting.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Log {
    /// Recorded and not yet taken (a snapshot keeps them, so nothing is lost if the driver
    /// stores the snapshot before taking them).
    pub events: Vec<HistoryEvent>,
    /// Events already taken out.
    taken: i64,
}

impl Log {
    pub fn next_id(&self) -> i64 {
        self.taken + self.events.len() as i64 + 1
    }
    pub fn take(&mut self) -> Vec<HistoryEvent> {
        self.taken += self.events.len() as i64;
        std::mem::take(&mut self.events)
    }
    /// Append an event after `prev` (0 for none) and return its id.
    pub fn push(&mut self, prev: i64, now: i64, details: D) -> i64 {
        let id = self.next_id();
        self.events
            .push(HistoryEvent::new(id, prev, Timestamp(now), details));
        id
    }
}
