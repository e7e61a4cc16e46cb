//! History event construction: ids, previous-event links and timestamps.

use std::sync::Arc;

use estado_asl::model::Kind;
use estado_json::Value;
use estado_types::errors;
use estado_types::history::{
    EventDetails as D, ExecutionFailedEventDetails, HistoryEvent, Payload,
    StateEnteredEventDetails, StateExitedEventDetails, Timestamp,
};
use serde::{Deserialize, Serialize};
use smallvec::SmallVec;

pub fn entered(kind: &Kind, name: &Arc<str>, input: &Arc<Value>) -> D {
    let d = StateEnteredEventDetails::new(name.clone(), Payload::from_arc(input.clone()));
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

/// AWS's cause for an execution that reached the history limit.
pub fn history_limit_cause(limit: i64) -> String {
    format!("The execution reached the maximum number of history events ({limit}).")
}

fn ends_execution(d: &D) -> bool {
    matches!(
        d,
        D::ExecutionSucceeded(_)
            | D::ExecutionFailed(_)
            | D::ExecutionAborted(_)
            | D::ExecutionTimedOut(_)
    )
}

/// Appends events, numbering them from 1 as AWS does. Taken events leave their count behind
/// so that ids keep counting.
///
/// Events are kept in chunks: a long history grows without copying what it already holds
/// (one `Vec` doubling would move every event again and again).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Log {
    /// Recorded and not yet taken (a snapshot keeps them, so nothing is lost if the driver
    /// stores the snapshot before taking them).
    /// The first chunk lives in the log itself: a short execution allocates only its events.
    chunks: SmallVec<[Vec<HistoryEvent>; 1]>,
    len: usize,
    /// Events already taken out.
    taken: i64,
    /// STANDARD's history limit, when it applies: the event that would take the last place is
    /// replaced by the execution's failure (unless it ends the execution itself). Not kept in
    /// snapshots: it follows from the machine type, and the execution sets it on every call.
    #[serde(skip)]
    limit: Option<i64>,
    /// The limit was reached: the failure is written and later events are dropped.
    #[serde(default)]
    full: bool,
}

/// The most events a chunk is made for (chunks double in size up to it).
const CHUNK: usize = 1024;

impl Log {
    /// A log that holds at most `limit` events in all (ids 1 to `limit`).
    pub fn with_limit(limit: i64) -> Self {
        Log {
            limit: Some(limit),
            ..Log::default()
        }
    }
    /// Apply `limit` from now on (a log read back from a snapshot has none until it is set).
    pub fn set_limit(&mut self, limit: Option<i64>) {
        self.limit = limit;
    }
    /// Whether the history limit was reached (the execution's failure is the last event).
    pub fn full(&self) -> bool {
        self.full
    }
    pub fn next_id(&self) -> i64 {
        self.taken + self.len as i64 + 1
    }
    pub fn len(&self) -> usize {
        self.len
    }
    pub fn iter(&self) -> impl Iterator<Item = &HistoryEvent> {
        self.chunks.iter().flatten()
    }
    pub fn take(&mut self) -> Vec<HistoryEvent> {
        let len = self.len;
        self.taken += len as i64;
        self.len = 0;
        let mut chunks = std::mem::take(&mut self.chunks);
        if chunks.len() == 1 {
            return chunks.pop().unwrap_or_default();
        }
        // One allocation of the final size (collecting a flattened iterator grows step by step,
        // copying the events again at each doubling).
        let mut all = Vec::with_capacity(len);
        for chunk in chunks {
            all.extend(chunk);
        }
        all
    }
    /// Take the events as the pieces they are kept in (in order), without copying them into
    /// one vector.
    pub fn take_pieces(&mut self) -> Vec<Vec<HistoryEvent>> {
        self.taken += self.len as i64;
        self.len = 0;
        std::mem::take(&mut self.chunks).into_vec()
    }
    /// Forget the events not yet taken; ids keep counting.
    pub fn discard(&mut self) {
        self.taken += self.len as i64;
        self.len = 0;
        self.chunks.clear();
    }
    /// Append an event after `prev` (0 for none) and return its id.
    ///
    /// Under a limit, the last place is kept for the end of the execution: an event that is not
    /// one becomes `ExecutionFailed` with AWS's `States.Runtime` cause, and every event after it
    /// is dropped (its would-be id is returned, so callers go on unchanged while the execution
    /// notices [`Log::full`] and stops).
    #[inline]
    pub fn push(&mut self, prev: i64, now: i64, details: D) -> i64 {
        let id = self.next_id();
        if self.full || self.limit.is_some_and(|limit| id >= limit) {
            return self.push_at_limit(id, prev, now, details);
        }
        self.append(id, prev, now, details)
    }

    /// [`Log::push`] of an event at or past the limit.
    #[cold]
    #[inline(never)]
    fn push_at_limit(&mut self, id: i64, prev: i64, now: i64, mut details: D) -> i64 {
        if self.full {
            return id - 1;
        }
        if let Some(limit) = self.limit {
            if !ends_execution(&details) {
                details = D::ExecutionFailed(ExecutionFailedEventDetails::new(
                    Some(errors::RUNTIME.to_owned()),
                    Some(history_limit_cause(limit)),
                ));
                self.full = true;
            }
        }
        self.append(id, prev, now, details)
    }

    /// Store the event `id`; returns `id`.
    #[inline(always)]
    fn append(&mut self, id: i64, prev: i64, now: i64, details: D) -> i64 {
        let event = HistoryEvent::new(id, prev, Timestamp(now), details);
        // A full chunk is never grown: growing would copy its events to a new block (fresh
        // memory, whose pages must be faulted in, after every take of a long step).
        match self.chunks.last_mut() {
            Some(last) if last.len() < last.capacity() => last.push(event),
            _ => self.push_chunk(event),
        }
        self.len += 1;
        id
    }

    /// Start a new chunk with `event`: the first holds 8 events, each next one twice as many
    /// as the one before, up to [`CHUNK`] (a short execution allocates little, a long one few
    /// chunks).
    #[cold]
    #[inline(never)]
    fn push_chunk(&mut self, event: HistoryEvent) {
        let capacity = self
            .chunks
            .last()
            .map_or(8, |last| (last.capacity() * 2).clamp(8, CHUNK));
        let mut chunk = Vec::with_capacity(capacity);
        chunk.push(event);
        self.chunks.push(chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pass_entered(log: &mut Log, prev: i64) -> i64 {
        let name: Arc<str> = Arc::from("P");
        let input = Arc::new(Value::Null);
        log.push(
            prev,
            prev * 10,
            D::PassStateEntered(StateEnteredEventDetails::new(
                name,
                Payload::from_arc(input),
            )),
        )
    }

    /// A log of `n` events, each after the one before; gives it and the last id.
    fn log_of(n: usize) -> (Log, i64) {
        let mut log = Log::default();
        let mut prev = 0;
        for _ in 0..n {
            prev = pass_entered(&mut log, prev);
        }
        (log, prev)
    }

    #[test]
    fn chunks_double_from_8_to_the_chunk_size_and_are_never_grown() {
        let (log, _) = log_of(5000);
        let capacities: Vec<usize> = log.chunks.iter().map(Vec::capacity).collect();
        assert_eq!(&capacities[..8], &[8, 16, 32, 64, 128, 256, 512, 1024]);
        assert!(
            capacities[8..].iter().all(|&c| c == CHUNK),
            "{capacities:?}"
        );
        // Every chunk but the last is full: nothing was grown past what it was made for.
        assert!(log.chunks[..log.chunks.len() - 1]
            .iter()
            .all(|c| c.len() == c.capacity()));
        let ids: Vec<i64> = log.iter().map(|e| e.id).collect();
        assert_eq!(ids, (1..=5000).collect::<Vec<_>>());
    }

    #[test]
    fn after_a_take_the_ids_go_on_and_chunks_start_small_again() {
        let (mut log, mut prev) = log_of(100);
        let pieces = log.take_pieces();
        assert_eq!(pieces.iter().map(Vec::len).sum::<usize>(), 100);
        assert_eq!(log.len(), 0);
        prev = pass_entered(&mut log, prev);
        assert_eq!(prev, 101);
        assert_eq!(log.chunks[0].capacity(), 8);
        let all = log.take();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].previous_event_id, 100);
    }
}
