//! History events in stored form: a commit's events cut into *chunks* of consecutive events,
//! each chunk one compact binary body, for backends that keep a row per chunk instead of a row
//! per event (a 2,000-transition step writes 4,000 events: one row each cost most of a durable
//! step's time).
//!
//! A body starts with its format byte. [`FORMAT_COMPACT`] is the only one written; a body that
//! starts with `[` is a JSON array of events in AWS's wire form (what a backend can produce from
//! older per-event rows in SQL alone), read back sorted by id.
//!
//! The compact form encodes the common events field by field (the `…StateEntered`/`…Exited`
//! family, Map iterations, `ExecutionStarted`/`ExecutionSucceeded`, the unit events): ids,
//! previous ids and timestamps as small deltas (or one bit of the tag when they are the usual
//! ones), state names once per chunk, and every input/output document **once per chunk**: an event
//! whose payload is the very same shared value as an earlier one's (a state's output is the next
//! state's input) refers back to it by number instead of repeating it. Any other event (or one
//! with a field this form does not cover) is stored as its wire JSON. Reading gives back events
//! equal to those written; payloads that were one shared value are one shared value again.
//!
//! An execution's first chunk need not hold its input: the execution's record keeps it as the
//! text it was started with, so `ExecutionStarted` can say "the recorded input" instead
//! ([`encode_chunks`] with the input's shared value; [`decode_chunk`] with the record's text).
//! A large input was otherwise written out, compressed and stored a second time, and parsing
//! it back costs a reader of the history's first page far less than that cost every start.

use std::sync::Arc;

use estado_json::Value;
use estado_types::history::{
    AssignedVariables, AssignedVariablesDetails, EventDetails, ExecutionStartedEventDetails,
    ExecutionSucceededEventDetails, HistoryEvent, HistoryEventExecutionDataDetails,
    MapIterationEventDetails, MapStateStartedEventDetails, Payload, StateEnteredEventDetails,
    StateExitedEventDetails, Timestamp,
};
use rustc_hash::FxHashMap;
use serde::de::value::StrDeserializer;
use serde::Deserialize;

use crate::lz4::Lz4Error;

/// The first byte of a compact body.
pub const FORMAT_COMPACT: u8 = 1;
/// The first byte of a compact body compressed with LZ4 (block format): the compact body's
/// length without its format byte (4 bytes, little-endian), then the compressed bytes. Written
/// when it saves at least an eighth, which it does for every usual history (the documents'
/// keys repeat from event to event): 2.5–3x fewer bytes for the benchmark workloads, so that
/// many fewer pages for the one writer to write, sync and checkpoint.
pub const FORMAT_COMPACT_LZ4: u8 = 2;

/// Bodies shorter than this are not worth compressing.
const COMPRESS_FROM: usize = 128;
/// The longest decompressed body accepted: far above any real chunk (a chunk ends past 32
/// KB, and one event holds at most a few payloads of 256 KB), so that a damaged length
/// cannot make the reader allocate gigabytes.
const MAX_BODY: usize = 64 << 20;

/// A chunk ends after this many events...
pub const CHUNK_MAX_EVENTS: usize = 256;
/// ...or once its body has reached this many bytes, so that reading a page of history decodes
/// little more than the page.
pub const CHUNK_TARGET_BYTES: usize = 32 * 1024;

/// Consecutive events of one execution in stored form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryChunk {
    /// The smallest and largest event id in the chunk.
    pub first_id: i64,
    pub last_id: i64,
    pub events: usize,
    pub body: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    #[error("history chunk is truncated")]
    Truncated,
    #[error("history chunk has unknown format {0}")]
    UnknownFormat(u8),
    #[error("history chunk has unknown event tag {0}")]
    UnknownTag(u8),
    #[error("history chunk refers to entry {0} that it does not hold")]
    BadReference(u64),
    #[error("history chunk holds invalid text: {0}")]
    Utf8(#[from] std::str::Utf8Error),
    #[error("history chunk holds invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("history chunk holds a number out of range")]
    Range,
    #[error("history chunk does not decompress")]
    Compression,
    #[error("history chunk refers to the execution's recorded input, which was not given")]
    NoRecordedInput,
}

/// Cuts `events` (in id order) into chunks of at most [`CHUNK_MAX_EVENTS`] events and about
/// [`CHUNK_TARGET_BYTES`] bytes each (before compression).
///
/// `recorded_input` is the execution's input when its record keeps it (as the text it was
/// parsed from): an `ExecutionStarted` whose input is that very shared value refers to the
/// record instead of holding the document, and reading the chunk back then needs that text.
pub fn encode_chunks<'a>(
    events: impl IntoIterator<Item = &'a HistoryEvent>,
    recorded_input: Option<&Arc<Value>>,
) -> Vec<HistoryChunk> {
    let mut chunks = encode_compact(events, recorded_input);
    for c in &mut chunks {
        c.body = compressed(std::mem::take(&mut c.body));
    }
    chunks
}

/// [`encode_chunks`] without the compression: every body in [`FORMAT_COMPACT`].
fn encode_compact<'a>(
    events: impl IntoIterator<Item = &'a HistoryEvent>,
    recorded_input: Option<&Arc<Value>>,
) -> Vec<HistoryChunk> {
    let recorded_input = recorded_input.map(|v| Arc::as_ptr(v) as usize);
    let mut chunks = Vec::new();
    let mut enc: Option<Encoder<'_>> = None;
    for e in events {
        let open = enc.get_or_insert_with(|| Encoder::new(recorded_input));
        open.push(e);
        if open.events >= CHUNK_MAX_EVENTS || open.buf.len() >= CHUNK_TARGET_BYTES {
            chunks.extend(enc.take().map(Encoder::finish));
        }
    }
    chunks.extend(enc.map(Encoder::finish));
    chunks
}

/// The events of `chunks` followed by `events`: what a store that keeps events one by one
/// makes of a commit's [`crate::StepCommit::chunks`]. `recorded_input` as [`decode_chunk`].
pub fn events_of(
    chunks: &[HistoryChunk],
    events: Vec<HistoryEvent>,
    recorded_input: Option<&str>,
) -> Result<Vec<HistoryEvent>, ChunkError> {
    if chunks.is_empty() {
        return Ok(events);
    }
    let mut all = Vec::with_capacity(chunks.iter().map(|c| c.events).sum::<usize>() + events.len());
    for c in chunks {
        all.extend(decode_chunk(&c.body, recorded_input)?);
    }
    all.extend(events);
    Ok(all)
}

/// The events of one chunk body, in stored order (a JSON array: by id).
///
/// `recorded_input` is the input text the execution's record keeps; only a chunk whose
/// `ExecutionStarted` refers to it (its first, encoded with the input's value) needs it, and
/// fails with [`ChunkError::NoRecordedInput`] without it.
pub fn decode_chunk(
    body: &[u8],
    recorded_input: Option<&str>,
) -> Result<Vec<HistoryEvent>, ChunkError> {
    match body.first() {
        None => Err(ChunkError::Truncated),
        Some(&FORMAT_COMPACT) => Decoder::new(&body[1..], recorded_input).all(),
        Some(&FORMAT_COMPACT_LZ4) => {
            let raw = decompress(&body[1..])?;
            Decoder::new(&raw, recorded_input).all()
        }
        Some(b'[') => {
            let mut events: Vec<HistoryEvent> = serde_json::from_slice(body)?;
            events.sort_by_key(|e| e.id);
            Ok(events)
        }
        Some(&other) => Err(ChunkError::UnknownFormat(other)),
    }
}

// ----- tags ------------------------------------------------------------------------------------
// Stored on disk: never renumber, only add.

/// The whole event as wire JSON.
const T_JSON: u8 = 0;
/// Set on a tag (all below it) when the event's header is the usual one: id one more than the
/// previous event's, `previousEventId` one less than its own, the same timestamp; the header
/// is then left out.
const USUAL: u8 = 0x80;

/// `…StateEntered` types, all carrying [`StateEnteredEventDetails`].
/// A tag and the event type it stands for, made from its details.
type Tagged<D> = (u8, fn(D) -> EventDetails);

const ENTERED: [Tagged<StateEnteredEventDetails>; 8] = [
    (1, EventDetails::ChoiceStateEntered),
    (2, EventDetails::FailStateEntered),
    (3, EventDetails::MapStateEntered),
    (4, EventDetails::ParallelStateEntered),
    (5, EventDetails::PassStateEntered),
    (6, EventDetails::SucceedStateEntered),
    (7, EventDetails::TaskStateEntered),
    (8, EventDetails::WaitStateEntered),
];

/// `…StateExited` types, all carrying [`StateExitedEventDetails`].
const EXITED: [Tagged<StateExitedEventDetails>; 7] = [
    (20, EventDetails::ChoiceStateExited),
    (21, EventDetails::MapStateExited),
    (22, EventDetails::ParallelStateExited),
    (23, EventDetails::PassStateExited),
    (24, EventDetails::SucceedStateExited),
    (25, EventDetails::TaskStateExited),
    (26, EventDetails::WaitStateExited),
];

/// Map iteration events, all carrying [`MapIterationEventDetails`].
const ITERATION: [Tagged<MapIterationEventDetails>; 4] = [
    (40, EventDetails::MapIterationStarted),
    (41, EventDetails::MapIterationSucceeded),
    (42, EventDetails::MapIterationFailed),
    (43, EventDetails::MapIterationAborted),
];

const T_MAP_STATE_STARTED: u8 = 50;
const T_EXECUTION_STARTED: u8 = 80;
const T_EXECUTION_SUCCEEDED: u8 = 81;
/// `ExecutionStarted` whose input is the execution's recorded input (see [`encode_chunks`]):
/// as [`T_EXECUTION_STARTED`] without the input, which is the chunk's next document all the
/// same, so that later events sharing it (the first state's input) refer to it by number.
const T_EXECUTION_STARTED_RECORDED: u8 = 82;

/// Events without details.
const UNIT: [(u8, EventDetails); 12] = [
    (60, EventDetails::LambdaFunctionStarted),
    (61, EventDetails::MapStateAborted),
    (62, EventDetails::MapStateFailed),
    (63, EventDetails::MapStateSucceeded),
    (64, EventDetails::ParallelStateAborted),
    (65, EventDetails::ParallelStateFailed),
    (66, EventDetails::ParallelStateStarted),
    (67, EventDetails::ParallelStateSucceeded),
    (68, EventDetails::TaskStateAborted),
    (69, EventDetails::WaitStateAborted),
    (70, EventDetails::MapRunAborted),
    (71, EventDetails::MapRunSucceeded),
];

/// What the compact form stores of an event's details.
enum Shape<'a> {
    Entered(u8, &'a StateEnteredEventDetails),
    Exited(u8, &'a StateExitedEventDetails),
    Iteration(u8, &'a MapIterationEventDetails),
    MapStarted(&'a MapStateStartedEventDetails),
    ExecutionStarted(&'a ExecutionStartedEventDetails),
    ExecutionSucceeded(&'a ExecutionSucceededEventDetails),
    Unit(u8),
}

fn shape(d: &EventDetails) -> Option<Shape<'_>> {
    use EventDetails as E;
    Some(match d {
        E::ChoiceStateEntered(x) => Shape::Entered(1, x),
        E::FailStateEntered(x) => Shape::Entered(2, x),
        E::MapStateEntered(x) => Shape::Entered(3, x),
        E::ParallelStateEntered(x) => Shape::Entered(4, x),
        E::PassStateEntered(x) => Shape::Entered(5, x),
        E::SucceedStateEntered(x) => Shape::Entered(6, x),
        E::TaskStateEntered(x) => Shape::Entered(7, x),
        E::WaitStateEntered(x) => Shape::Entered(8, x),
        E::ChoiceStateExited(x) => Shape::Exited(20, x),
        E::MapStateExited(x) => Shape::Exited(21, x),
        E::ParallelStateExited(x) => Shape::Exited(22, x),
        E::PassStateExited(x) => Shape::Exited(23, x),
        E::SucceedStateExited(x) => Shape::Exited(24, x),
        E::TaskStateExited(x) => Shape::Exited(25, x),
        E::WaitStateExited(x) => Shape::Exited(26, x),
        E::MapIterationStarted(x) => Shape::Iteration(40, x),
        E::MapIterationSucceeded(x) => Shape::Iteration(41, x),
        E::MapIterationFailed(x) => Shape::Iteration(42, x),
        E::MapIterationAborted(x) => Shape::Iteration(43, x),
        E::MapStateStarted(x) => Shape::MapStarted(x),
        E::ExecutionStarted(x) => Shape::ExecutionStarted(x),
        E::ExecutionSucceeded(x) => Shape::ExecutionSucceeded(x),
        E::LambdaFunctionStarted => Shape::Unit(60),
        E::MapStateAborted => Shape::Unit(61),
        E::MapStateFailed => Shape::Unit(62),
        E::MapStateSucceeded => Shape::Unit(63),
        E::ParallelStateAborted => Shape::Unit(64),
        E::ParallelStateFailed => Shape::Unit(65),
        E::ParallelStateStarted => Shape::Unit(66),
        E::ParallelStateSucceeded => Shape::Unit(67),
        E::TaskStateAborted => Shape::Unit(68),
        E::WaitStateAborted => Shape::Unit(69),
        E::MapRunAborted => Shape::Unit(70),
        E::MapRunSucceeded => Shape::Unit(71),
        _ => return None,
    })
}

// ----- encoding --------------------------------------------------------------------------------

struct Encoder<'a> {
    buf: Vec<u8>,
    events: usize,
    first_id: i64,
    last_id: i64,
    prev_id: i64,
    prev_ms: i64,
    /// Names written so far, by text: their number.
    names: FxHashMap<&'a str, u64>,
    /// The two names written last (the last first), and their numbers.
    last_names: [Option<(&'a str, u64)>; 2],
    /// Payloads written so far, by the address of their shared value: their number. The
    /// events being encoded hold every one of these values, so no address is reused meanwhile.
    payloads: FxHashMap<usize, u64>,
    next_payload: u64,
    /// The address of the execution's recorded input, when its record keeps it.
    recorded_input: Option<usize>,
}

impl<'a> Encoder<'a> {
    fn new(recorded_input: Option<usize>) -> Encoder<'a> {
        let mut buf = Vec::with_capacity(4096);
        buf.push(FORMAT_COMPACT);
        Encoder {
            buf,
            events: 0,
            first_id: i64::MAX,
            last_id: i64::MIN,
            prev_id: 0,
            prev_ms: 0,
            names: FxHashMap::default(),
            last_names: [None, None],
            // Sized for a whole chunk: most events bring a document of their own.
            payloads: FxHashMap::with_capacity_and_hasher(CHUNK_MAX_EVENTS, Default::default()),
            next_payload: 0,
            recorded_input,
        }
    }

    fn finish(self) -> HistoryChunk {
        HistoryChunk {
            first_id: self.first_id,
            last_id: self.last_id,
            events: self.events,
            body: self.buf,
        }
    }

    fn push(&mut self, e: &'a HistoryEvent) {
        self.events += 1;
        self.first_id = self.first_id.min(e.id);
        self.last_id = self.last_id.max(e.id);
        let Some(shape) = shape(&e.details) else {
            self.buf.push(T_JSON);
            self.json(e);
            self.prev_id = e.id;
            self.prev_ms = e.timestamp.as_millis();
            return;
        };
        let tag = match &shape {
            Shape::Entered(t, _) | Shape::Exited(t, _) | Shape::Iteration(t, _) => *t,
            Shape::MapStarted(_) => T_MAP_STATE_STARTED,
            Shape::ExecutionStarted(d) if self.is_recorded_input(d.input.as_ref()) => {
                T_EXECUTION_STARTED_RECORDED
            }
            Shape::ExecutionStarted(_) => T_EXECUTION_STARTED,
            Shape::ExecutionSucceeded(_) => T_EXECUTION_SUCCEEDED,
            Shape::Unit(t) => *t,
        };
        let ms = e.timestamp.as_millis();
        let (id_delta, ms_delta) = (
            e.id.wrapping_sub(self.prev_id),
            ms.wrapping_sub(self.prev_ms),
        );
        let back = e.id.wrapping_sub(e.previous_event_id);
        if (id_delta, back, ms_delta) == (1, 1, 0) {
            // The usual event: the next id, after the one before it, in the same millisecond.
            self.buf.push(tag | USUAL);
        } else {
            self.buf.push(tag);
            self.signed(id_delta);
            self.signed(back);
            self.signed(ms_delta);
        }
        self.prev_id = e.id;
        self.prev_ms = ms;
        match shape {
            // Destructured in full, so that a field added to these types fails to compile here
            // instead of being dropped silently.
            Shape::Entered(_, d) => {
                let StateEnteredEventDetails {
                    name,
                    input,
                    input_details,
                } = d;
                self.name(name);
                self.payload(input.as_ref());
                self.data_details(input_details.as_ref().map(|x| x.truncated));
            }
            Shape::Exited(_, d) => {
                let StateExitedEventDetails {
                    name,
                    output,
                    output_details,
                    assigned_variables,
                    assigned_variables_details,
                } = d;
                self.name(name);
                self.payload(output.as_ref());
                self.data_details(output_details.as_ref().map(|x| x.truncated));
                match assigned_variables {
                    None => self.unsigned(0),
                    Some(vars) => {
                        self.unsigned(vars.0.len() as u64 + 1);
                        for (name, value) in &vars.0 {
                            self.name(name);
                            self.payload(Some(value));
                        }
                    }
                }
                self.data_details(assigned_variables_details.as_ref().map(|x| x.truncated));
            }
            Shape::Iteration(_, d) => {
                let MapIterationEventDetails { name, index } = d;
                self.optional_name(name.as_deref());
                self.optional_u32(*index);
            }
            Shape::MapStarted(d) => {
                let MapStateStartedEventDetails { length } = d;
                self.optional_u32(*length);
            }
            Shape::ExecutionStarted(d) => {
                let ExecutionStartedEventDetails {
                    input,
                    input_details,
                    role_arn,
                    state_machine_alias_arn,
                    state_machine_version_arn,
                } = d;
                match (tag, self.recorded_input) {
                    (T_EXECUTION_STARTED_RECORDED, Some(recorded)) => {
                        // Not written: the chunk's next document, taken from the record.
                        self.payloads.insert(recorded, self.next_payload);
                        self.next_payload += 1;
                    }
                    _ => self.payload(input.as_ref()),
                }
                self.data_details(input_details.as_ref().map(|x| x.truncated));
                for text in [role_arn, state_machine_alias_arn, state_machine_version_arn] {
                    self.optional_name(text.as_deref());
                }
            }
            Shape::ExecutionSucceeded(d) => {
                let ExecutionSucceededEventDetails {
                    output,
                    output_details,
                } = d;
                self.payload(output.as_ref());
                self.data_details(output_details.as_ref().map(|x| x.truncated));
            }
            Shape::Unit(_) => {}
        }
    }

    /// Whether `input` is the execution's recorded input, the very shared value.
    fn is_recorded_input(&self, input: Option<&Payload>) -> bool {
        match (input.and_then(Payload::arc), self.recorded_input) {
            (Some(value), Some(recorded)) => Arc::as_ptr(value) as usize == recorded,
            _ => false,
        }
    }

    fn optional_name(&mut self, text: Option<&'a str>) {
        match text {
            None => self.unsigned(0),
            Some(t) => {
                self.unsigned(1);
                self.name(t);
            }
        }
    }

    fn json(&mut self, e: &HistoryEvent) {
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0; 4]);
        // Serialising into a Vec fails only for maps with non-string keys, which events lack.
        serde_json::to_writer(&mut self.buf, e).expect("a history event serialises to JSON");
        self.patch_len(at);
    }

    fn unsigned(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.buf.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.buf.push(v as u8);
    }

    fn signed(&mut self, v: i64) {
        self.unsigned(((v << 1) ^ (v >> 63)) as u64);
    }

    fn optional_u32(&mut self, v: Option<u32>) {
        self.unsigned(v.map_or(0, |n| u64::from(n) + 1));
    }

    /// `Option<{truncated: Option<bool>}>` as one byte.
    fn data_details(&mut self, d: Option<Option<bool>>) {
        self.buf.push(match d {
            None => 0,
            Some(None) => 1,
            Some(Some(false)) => 2,
            Some(Some(true)) => 3,
        });
    }

    /// 0 then the text for a new name, else its number + 1.
    fn name(&mut self, name: &'a str) {
        // Events come in pairs (entered, exited) of one state, or alternate between two (a
        // Map's iteration events and its one inner state's): most names are one of the last
        // two, and most often the very same shared text, which is told by its address first.
        let same_text = |a: &str| std::ptr::eq(a, name);
        let n = match self.last_names {
            [Some((a, n)), _] if same_text(a) => Some(n),
            [_, Some((b, n))] if same_text(b) => Some(n),
            [Some((a, n)), _] if a == name => Some(n),
            [_, Some((b, n))] if b == name => Some(n),
            _ => self.names.get(name).copied(),
        };
        let n = match n {
            Some(n) => {
                self.unsigned(n + 1);
                n
            }
            None => {
                let n = self.names.len() as u64;
                self.names.insert(name, n);
                self.unsigned(0);
                self.unsigned(name.len() as u64);
                self.buf.extend_from_slice(name.as_bytes());
                n
            }
        };
        if !matches!(self.last_names[0], Some((_, last)) if last == n) {
            self.last_names = [Some((name, n)), self.last_names[0]];
        }
    }

    /// 0 for none, 1 then the compact JSON for a new document, else its number + 2.
    fn payload(&mut self, p: Option<&'a Payload>) {
        let Some(p) = p else {
            self.unsigned(0);
            return;
        };
        let Some(value) = p.arc() else {
            // A payload held as text has no shared value to recognise: written as it is.
            self.next_payload += 1;
            self.unsigned(1);
            let text = p.to_json_string();
            self.unsigned_len(text.len());
            self.buf.extend_from_slice(text.as_bytes());
            return;
        };
        let key = Arc::as_ptr(value) as usize;
        if let Some(&n) = self.payloads.get(&key) {
            self.unsigned(n + 2);
            return;
        }
        self.payloads.insert(key, self.next_payload);
        self.next_payload += 1;
        self.unsigned(1);
        let at = self.buf.len();
        self.buf.extend_from_slice(&[0; 4]);
        serde_json::to_writer(&mut self.buf, &**value).expect("a JSON value serialises");
        self.patch_len(at);
    }

    /// A length in the 4 bytes that precede what it measures.
    fn unsigned_len(&mut self, len: usize) {
        let len = u32::try_from(len).expect("an event under 4 GiB");
        self.buf.extend_from_slice(&len.to_le_bytes());
    }

    /// Writes the length of what follows the 4 bytes at `at`.
    fn patch_len(&mut self, at: usize) {
        let len = u32::try_from(self.buf.len() - at - 4).expect("an event under 4 GiB");
        self.buf[at..at + 4].copy_from_slice(&len.to_le_bytes());
    }
}

/// `body` (a compact one) in [`FORMAT_COMPACT_LZ4`] when that saves at least an eighth.
fn compressed(body: Vec<u8>) -> Vec<u8> {
    if body.len() < COMPRESS_FROM {
        return body;
    }
    crate::lz4::compress(FORMAT_COMPACT_LZ4, &body[1..]).unwrap_or(body)
}

/// The compact body inside a [`FORMAT_COMPACT_LZ4`] one (after its format byte).
fn decompress(body: &[u8]) -> Result<Vec<u8>, ChunkError> {
    crate::lz4::decompress(body, MAX_BODY).map_err(|e| match e {
        Lz4Error::Truncated => ChunkError::Truncated,
        Lz4Error::TooLong => ChunkError::Range,
        Lz4Error::Corrupt => ChunkError::Compression,
    })
}

// ----- decoding --------------------------------------------------------------------------------

struct Decoder<'a> {
    buf: &'a [u8],
    pos: usize,
    prev_id: i64,
    prev_ms: i64,
    names: Vec<Arc<str>>,
    payloads: Vec<Payload>,
    recorded_input: Option<&'a str>,
}

impl<'a> Decoder<'a> {
    fn new(buf: &'a [u8], recorded_input: Option<&'a str>) -> Decoder<'a> {
        Decoder {
            buf,
            pos: 0,
            prev_id: 0,
            prev_ms: 0,
            names: Vec::new(),
            payloads: Vec::new(),
            recorded_input,
        }
    }

    fn all(mut self) -> Result<Vec<HistoryEvent>, ChunkError> {
        let mut out = Vec::new();
        while self.pos < self.buf.len() {
            out.push(self.event()?);
        }
        Ok(out)
    }

    fn event(&mut self) -> Result<HistoryEvent, ChunkError> {
        let tag = self.byte()?;
        if tag == T_JSON {
            let bytes = self.sized()?;
            let e: HistoryEvent = serde_json::from_slice(bytes)?;
            self.prev_id = e.id;
            self.prev_ms = e.timestamp.as_millis();
            return Ok(e);
        }
        let (tag, id, previous_event_id, ms) = if tag & USUAL != 0 {
            let id = self.prev_id.wrapping_add(1);
            (tag & !USUAL, id, id.wrapping_sub(1), self.prev_ms)
        } else {
            let id = self.prev_id.wrapping_add(self.signed()?);
            let previous_event_id = id.wrapping_sub(self.signed()?);
            (
                tag,
                id,
                previous_event_id,
                self.prev_ms.wrapping_add(self.signed()?),
            )
        };
        self.prev_id = id;
        self.prev_ms = ms;
        let details = if let Some((_, make)) = ENTERED.iter().find(|(t, _)| *t == tag) {
            let name = self.name()?;
            let input = self.payload()?;
            let input_details = self.data_details()?;
            make(StateEnteredEventDetails {
                name,
                input,
                input_details: input_details
                    .map(|truncated| HistoryEventExecutionDataDetails { truncated }),
            })
        } else if let Some((_, make)) = EXITED.iter().find(|(t, _)| *t == tag) {
            let name = self.name()?;
            let output = self.payload()?;
            let output_details = self.data_details()?;
            let assigned_variables = match self.unsigned()? {
                0 => None,
                n => {
                    let mut vars = Vec::new();
                    for _ in 1..n {
                        let name = self.name()?.to_string();
                        let value = self.payload()?.ok_or(ChunkError::BadReference(0))?;
                        vars.push((name, value));
                    }
                    Some(AssignedVariables(vars))
                }
            };
            let assigned_details = self.data_details()?;
            make(StateExitedEventDetails {
                name,
                output,
                output_details: output_details
                    .map(|truncated| HistoryEventExecutionDataDetails { truncated }),
                assigned_variables,
                assigned_variables_details: assigned_details
                    .map(|truncated| AssignedVariablesDetails { truncated }),
            })
        } else if let Some((_, make)) = ITERATION.iter().find(|(t, _)| *t == tag) {
            let name = self.optional_name()?;
            let index = self.optional_u32()?;
            make(MapIterationEventDetails { name, index })
        } else if tag == T_MAP_STATE_STARTED {
            EventDetails::MapStateStarted(MapStateStartedEventDetails {
                length: self.optional_u32()?,
            })
        } else if tag == T_EXECUTION_STARTED || tag == T_EXECUTION_STARTED_RECORDED {
            let input = if tag == T_EXECUTION_STARTED {
                self.payload()?
            } else {
                Some(self.recorded_input()?)
            };
            let input_details = self.data_details()?;
            EventDetails::ExecutionStarted(ExecutionStartedEventDetails {
                input,
                input_details: input_details
                    .map(|truncated| HistoryEventExecutionDataDetails { truncated }),
                role_arn: self.optional_name()?,
                state_machine_alias_arn: self.optional_name()?,
                state_machine_version_arn: self.optional_name()?,
            })
        } else if tag == T_EXECUTION_SUCCEEDED {
            let output = self.payload()?;
            let output_details = self.data_details()?;
            EventDetails::ExecutionSucceeded(ExecutionSucceededEventDetails {
                output,
                output_details: output_details
                    .map(|truncated| HistoryEventExecutionDataDetails { truncated }),
            })
        } else if let Some((_, unit)) = UNIT.iter().find(|(t, _)| *t == tag) {
            unit.clone()
        } else {
            return Err(ChunkError::UnknownTag(tag));
        };
        Ok(HistoryEvent {
            id,
            previous_event_id,
            timestamp: Timestamp::from_millis(ms),
            details,
        })
    }

    fn byte(&mut self) -> Result<u8, ChunkError> {
        let b = *self.buf.get(self.pos).ok_or(ChunkError::Truncated)?;
        self.pos += 1;
        Ok(b)
    }

    fn unsigned(&mut self) -> Result<u64, ChunkError> {
        let mut v: u64 = 0;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return Ok(v);
            }
        }
        Err(ChunkError::Range)
    }

    fn signed(&mut self) -> Result<i64, ChunkError> {
        let u = self.unsigned()?;
        Ok(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    fn optional_u32(&mut self) -> Result<Option<u32>, ChunkError> {
        match self.unsigned()? {
            0 => Ok(None),
            n => u32::try_from(n - 1)
                .map(Some)
                .map_err(|_| ChunkError::Range),
        }
    }

    fn data_details(&mut self) -> Result<Option<Option<bool>>, ChunkError> {
        Ok(match self.byte()? {
            0 => None,
            1 => Some(None),
            2 => Some(Some(false)),
            3 => Some(Some(true)),
            _ => return Err(ChunkError::Range),
        })
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], ChunkError> {
        let end = self.pos.checked_add(len).ok_or(ChunkError::Truncated)?;
        let bytes = self.buf.get(self.pos..end).ok_or(ChunkError::Truncated)?;
        self.pos = end;
        Ok(bytes)
    }

    /// 4 bytes of length, then that many bytes.
    fn sized(&mut self) -> Result<&'a [u8], ChunkError> {
        let len: [u8; 4] = self
            .take(4)?
            .try_into()
            .map_err(|_| ChunkError::Truncated)?;
        self.take(u32::from_le_bytes(len) as usize)
    }

    fn name(&mut self) -> Result<Arc<str>, ChunkError> {
        match self.unsigned()? {
            0 => {
                let len = usize::try_from(self.unsigned()?).map_err(|_| ChunkError::Range)?;
                let text: Arc<str> = Arc::from(std::str::from_utf8(self.take(len)?)?);
                self.names.push(text.clone());
                Ok(text)
            }
            n => self
                .names
                .get((n - 1) as usize)
                .cloned()
                .ok_or(ChunkError::BadReference(n)),
        }
    }

    fn optional_name(&mut self) -> Result<Option<Arc<str>>, ChunkError> {
        match self.unsigned()? {
            0 => Ok(None),
            _ => self.name().map(Some),
        }
    }

    /// The execution's recorded input as the event held it: parsed, and so written compactly
    /// as every other document; the chunk's next document.
    fn recorded_input(&mut self) -> Result<Payload, ChunkError> {
        let text = self.recorded_input.ok_or(ChunkError::NoRecordedInput)?;
        let payload = Payload::new(estado_json::from_str(text)?);
        self.payloads.push(payload.clone());
        Ok(payload)
    }

    fn payload(&mut self) -> Result<Option<Payload>, ChunkError> {
        match self.unsigned()? {
            0 => Ok(None),
            1 => {
                // Kept as text (checked, not parsed): read back, a history is mostly written
                // out again as it is.
                let text = std::str::from_utf8(self.sized()?)?;
                let payload =
                    Payload::deserialize(StrDeserializer::<serde_json::Error>::new(text))?;
                self.payloads.push(payload.clone());
                Ok(Some(payload))
            }
            n => self
                .payloads
                .get((n - 2) as usize)
                .map(|p| Some(p.clone()))
                .ok_or(ChunkError::BadReference(n)),
        }
    }
}

#[cfg(test)]
mod tests;
