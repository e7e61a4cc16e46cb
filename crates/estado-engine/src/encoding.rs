//! A long step's history encoded on another thread while the step still runs.
//!
//! A step that makes thousands of events (a loop, a large inline Map) used to run to its
//! blocking point and only then encode all its events into history chunks, before the
//! commit could even start. With a store that keeps chunks ([`Store::keeps_chunks`]), the
//! interpreter runs in slices instead ([`Execution::run_until`]): at each pause the events so
//! far go to an encoder on a blocking thread (the machine's other core), and the step goes on.
//! When the step reaches its blocking point only the last slice is left to encode. Nothing is
//! written before the step's one commit: the chunks are handed to it
//! ([`StepCommit::chunks`](estado_store::StepCommit::chunks)) like the events were.
//!
//! The encoder keeps the events it has encoded until it has handed the chunks back, and then
//! gives them to the [reaper](crate::reaper), which frees them when a core is idle. Freeing
//! each slice as soon as it was encoded had the interpreter's thread run slower beside it (the
//! freed blocks belong to that thread's heap, which takes them back as it allocates):
//! map_10k's step took 4.4-6.4 ms against 5.0-6.8 ms in the same minutes (bench/LOAD.md,
//! session 9). Freeing them on the encoder's thread right after handing the chunks back held
//! the core that the step, woken to commit, was waiting for: about 0.5 ms between the last
//! slice encoded and the commit in half of choice_loop_10k's runs (session 10). The step
//! holds no more than it would without an encoder, where every event waits in the execution
//! for the commit.
//!
//! Between slices the encoder waits for the next one awake ([`next_piece`]): asleep, every
//! slice handed over cost the interpreter's thread a wake-up of another CPU, which in this
//! virtual machine took choice_loop_10k's step from 1.70 ms alone to 2.0-2.3 ms beside the
//! encoder, so that the encoder saved nothing; awake, the step takes 1.9 ms and its events
//! are encoded 0.05 ms after it (session 10).

use std::future::Future;
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use estado_asl::model::Program;
use estado_interp::{Effect, Env, Execution};
use estado_json::Value;
use estado_store::chunks::{self, HistoryChunk};
use estado_store::{Store, StoreError};
use estado_types::history::HistoryEvent;

/// A step is encoded beside it only once it has made this many events: shorter steps are
/// encoded by the store, as before (for a few thousand events, a thread to hand them to and
/// their memory freed on another thread cost about what the overlap saves). The encoder is
/// about as slow per event as the interpreter, so what it has not caught up with when the
/// step ends is about this first slice: 8,192 left choice_loop_10k's step waiting ~0.6 ms
/// for it; 4,096 took that workload's durable run from 5.34 to 4.96 ms (medians of eleven
/// alternating rounds, bench/LOAD.md, session 8), and the 1k workloads' steps (~4,000
/// events) stay below it.
pub(crate) const FIRST_SLICE_EVENTS: usize = 4096;
/// Then it pauses to hand its events over every time it has made this many more, so that
/// little is left to encode when it reaches its blocking point.
pub(crate) const SLICE_EVENTS: usize = 1024;
/// How long the encoder stays awake for the next slice before it sleeps until one comes. A
/// slice of [`SLICE_EVENTS`] takes the interpreter 0.1-0.2 ms (0.5 ms on a slow, busy
/// machine); a step that pauses longer is not one the encoder needs to keep up with.
const AWAKE_FOR: Duration = Duration::from_micros(500);

/// What the encoder is handed.
enum Piece {
    /// Events, in the pieces the interpreter kept them in.
    Events(Vec<Vec<HistoryEvent>>),
    /// Answer with the chunks, then drop the events and `litter` (what the step leaves behind)
    /// here rather than on the step's way to its commit.
    Done(
        oneshot::Sender<Vec<HistoryChunk>>,
        Option<Box<dyn Send + 'static>>,
    ),
}

/// The encoder of one step's events, running beside it.
pub(crate) struct Encoding {
    tx: mpsc::Sender<Piece>,
}

impl Encoding {
    fn start(recorded_input: Option<Arc<Value>>) -> Encoding {
        let (tx, rx) = mpsc::channel::<Piece>();
        tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            // Encoded, kept, and freed once the chunks are handed back (see the module's doc).
            let mut encoded = Vec::new();
            while let Some(piece) = next_piece(&rx) {
                match piece {
                    Piece::Events(events) => {
                        out.extend(chunks::encode_chunks(
                            events.iter().flatten(),
                            recorded_input.as_ref(),
                        ));
                        encoded.push(events);
                    }
                    Piece::Done(reply, litter) => {
                        let _ = reply.send(std::mem::take(&mut out));
                        crate::reaper::discard(Box::new((encoded, litter)));
                        return;
                    }
                }
            }
        });
        Encoding { tx }
    }

    fn send(&self, events: Vec<Vec<HistoryEvent>>) {
        if !events.is_empty() {
            // Fails only when the encoder is gone, which `finish` reports.
            let _ = self.tx.send(Piece::Events(events));
        }
    }

    /// Encodes `rest`, the step's last events, after the others and gives every chunk in
    /// order; `litter` is dropped on the encoder's thread afterwards.
    pub(crate) async fn finish(
        self,
        rest: Vec<Vec<HistoryEvent>>,
        litter: Option<Box<dyn Send + 'static>>,
    ) -> Result<Vec<HistoryChunk>, StoreError> {
        self.send(rest);
        let (reply, chunks) = oneshot::channel();
        let _ = self.tx.send(Piece::Done(reply, litter));
        chunks.await.map_err(|_| StoreError::Backend {
            message: "encoding a step's history failed".into(),
            retryable: true,
        })
    }
}

/// The next piece for the encoder, `None` once the step is gone. For [`AWAKE_FOR`] it asks
/// without sleeping, yielding its core to any other thread that wants it between asks, so
/// that handing a slice over costs the interpreter's thread no wake-up; then it sleeps.
fn next_piece(rx: &mpsc::Receiver<Piece>) -> Option<Piece> {
    let since = Instant::now();
    loop {
        match rx.try_recv() {
            Ok(piece) => return Some(piece),
            Err(mpsc::TryRecvError::Disconnected) => return None,
            Err(mpsc::TryRecvError::Empty) if since.elapsed() < AWAKE_FOR => {
                std::thread::yield_now();
            }
            Err(mpsc::TryRecvError::Empty) => return rx.recv().ok(),
        }
    }
}

/// Runs `exec` until it is finished or blocked, as [`Execution::run`] does. When `store`
/// keeps chunks and the run makes more than [`FIRST_SLICE_EVENTS`] events, the events made so far
/// are being encoded by the returned [`Encoding`] (take the rest with
/// [`Execution::take_new_event_pieces`] and [`Encoding::finish`] them); otherwise every new
/// event is still in `exec`. `recorded_input`: the execution's input when this step's commit
/// creates its record, which keeps it (see [`chunks::encode_chunks`]).
pub(crate) fn run(
    store: &dyn Store,
    exec: &mut Execution,
    program: &Program,
    env: Env,
    recorded_input: Option<&Arc<Value>>,
) -> (Vec<Effect>, Option<Encoding>) {
    if !store.keeps_chunks() {
        return (exec.run(program, env), None);
    }
    let mut encoding: Option<Encoding> = None;
    loop {
        let slice = match encoding {
            None => FIRST_SLICE_EVENTS,
            Some(_) => SLICE_EVENTS,
        };
        match exec.run_until(program, env, slice) {
            Some(effects) => return (effects, encoding),
            None => encoding
                .get_or_insert_with(|| Encoding::start(recorded_input.cloned()))
                .send(exec.take_new_event_pieces()),
        }
    }
}

/// A step's events as its commit takes them ([`StepCommit::chunks`] or
/// [`StepCommit::events`](estado_store::StepCommit::events)), from the pieces the interpreter
/// kept them in ([`Execution::take_new_event_pieces`]). When `store` keeps chunks, a step that
/// was not encoded beside it is encoded here, from the pieces (not copied into one vector
/// first, then encoded by the store); the pieces come back to be freed once the commit is
/// under way ([`freeing_meanwhile`]). `recorded_input` as [`run`]'s.
pub(crate) async fn commit_form(
    store: &dyn Store,
    encoding: Option<Encoding>,
    events: Vec<Vec<HistoryEvent>>,
    litter: Option<Box<dyn Send + 'static>>,
    recorded_input: Option<&Arc<Value>>,
) -> Result<CommitForm, StoreError> {
    Ok(match encoding {
        Some(encoding) => CommitForm {
            chunks: encoding.finish(events, litter).await?,
            events: Vec::new(),
            litter: None,
        },
        None if store.keeps_chunks() => CommitForm {
            chunks: chunks::encode_chunks(events.iter().flatten(), recorded_input),
            events: Vec::new(),
            litter: Some(Box::new((events, litter))),
        },
        None => CommitForm {
            chunks: Vec::new(),
            events: events.into_iter().flatten().collect(),
            litter,
        },
    })
}

/// What [`commit_form`] gives.
pub(crate) struct CommitForm {
    pub(crate) chunks: Vec<HistoryChunk>,
    pub(crate) events: Vec<HistoryEvent>,
    /// What is left to free (the step's events, its execution).
    pub(crate) litter: Option<Box<dyn Send + 'static>>,
}

/// Awaits `commit`, dropping `litter` right after its first poll: by then a store has queued
/// the write (SQLite's writer is another thread), so the step's memory is freed while the
/// commit is written and synced, neither before it (on its way) nor after (when the memory of
/// many executions waiting for their commits would be held at once).
pub(crate) async fn freeing_meanwhile<F: Future>(
    commit: F,
    litter: Option<Box<dyn Send + 'static>>,
) -> F::Output {
    let mut commit = std::pin::pin!(commit);
    let mut litter = litter;
    std::future::poll_fn(|cx| {
        let polled = commit.as_mut().poll(cx);
        drop(litter.take());
        polled
    })
    .await
}
