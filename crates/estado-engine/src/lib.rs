//! Estado's durable runtime.
//!
//! An execution lives in the [`estado_store::Store`] as a snapshot of the interpreter, its
//! history, and an inbox of things that happened to it. The [`runtime::Runtime`] claims
//! executions with due inbox rows, replays the rows into the interpreter, runs it until every
//! branch is blocked, and commits the new events, the snapshot and the resulting timers and
//! tasks in one [`estado_store::StepCommit`]. Nothing needed to resume lives only in memory:
//! after a crash, the leases expire and the next claim continues from the last commit.

pub mod clock;
pub mod dispatcher;
mod encoding;
pub mod inbox;
pub mod local;
pub mod programs;
mod reaper;
pub mod runtime;

pub use clock::{Clock, SystemClock};
pub use runtime::{Finished, Registry, Runtime, RuntimeConfig, TaskRunner};
pub mod service;
