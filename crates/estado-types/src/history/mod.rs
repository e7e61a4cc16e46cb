//! Execution history events, exactly as AWS's `GetExecutionHistory` returns them.
//!
//! The types, their fields and which details member each event type carries are generated from
//! the AWS service model by `tools/gen_history.py` (`history/generated.rs`); this module adds
//! the wire representation of the shared pieces ([`Payload`], [`Timestamp`]), the hand-written
//! serde of [`HistoryEvent`] (member order and names as AWS sends them), and constructors that
//! fill in what AWS fills in (`inputDetails`/`outputDetails` = `{"truncated": false}`).
//!
//! Wire shape of one event (members in this order):
//! `{"timestamp": 1700000000.123, "type": "PassStateEntered", "id": 2, "previousEventId": 1,
//!   "stateEnteredEventDetails": {"name": "P", "input": "{\"a\":1}", "inputDetails": {"truncated": false}}}`

mod builders;
mod event;
#[rustfmt::skip]
mod generated;
mod pairs;
mod payload;
mod timestamp;

pub use event::HistoryEvent;
pub use generated::*;
pub use payload::Payload;
pub use timestamp::Timestamp;
