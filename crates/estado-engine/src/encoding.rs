//! A long step's history encoded on another thread while the step still runs.
//!
//! A step that makes thousands of events (a loop, a large inline Map) used to run to its
//! blocking point and only then encode all its events into history chunks, before the
//! commit could even start. With a store that keeps chunks ([`Store::keeps_chunks`]), the
//! interpreter runs in slices instead ([`Execution::run_until`]): at each pause the events so
//! far go to an encoder on a blocking thread (the machine's other core), which also frees
//! them, and the step goes on. When the step reaches its blocking point only the last slice is
//! left to encode. Nothing is written before the step's one commit: the chunks are handed to
//! it ([`StepCommit::chunks`](estado_store::StepCommit::chunks)) like the events were.

use std::sync::mpsc;

use estado_asl::model::Program;
use estado_interp::{Effect, Env, Execution};
use estado_store::chunks::{self, HistoryChunk};
use estado_store::{Store, StoreError};
use estado_types::history::HistoryEvent;

/// New events per slice: a step pauses to hand its events over once it has made this many.
/// Steps shorter than one slice are encoded as before, by the store.
pub(crate) const SLICE_EVENTS: usize = 2048;

/// The encoder of one step's events, running beside it.
pub(crate) struct Encoding {
    tx: mpsc::Sender<Vec<HistoryEvent>>,
    done: tokio::task::JoinHandle<Vec<HistoryChunk>>,
}

impl Encoding {
    fn start() -> Encoding {
        let (tx, rx) = mpsc::channel::<Vec<HistoryEvent>>();
        let done = tokio::task::spawn_blocking(move || {
            let mut out = Vec::new();
            for events in rx {
                out.extend(chunks::encode_chunks(&events));
            }
            out
        });
        Encoding { tx, done }
    }

    fn send(&self, events: Vec<HistoryEvent>) {
        if !events.is_empty() {
            // The receiver lives until every sender is gone: this cannot fail.
            let _ = self.tx.send(events);
        }
    }

    /// Encodes `rest`, the step's last events, after the others; gives every chunk in order.
    pub(crate) async fn finish(
        self,
        rest: Vec<HistoryEvent>,
    ) -> Result<Vec<HistoryChunk>, StoreError> {
        self.send(rest);
        drop(self.tx);
        self.done.await.map_err(|e| StoreError::Backend {
            message: format!("encoding a step's history failed: {e}"),
            retryable: !e.is_panic(),
        })
    }
}

/// Runs `exec` until it is finished or blocked, as [`Execution::run`] does. When `store`
/// keeps chunks and the run makes more than [`SLICE_EVENTS`] events, the events made so far
/// are being encoded by the returned [`Encoding`] (take the rest with
/// [`Execution::take_new_events`] and [`Encoding::finish`] them); otherwise every new event
/// is still in `exec`.
pub(crate) fn run(
    store: &dyn Store,
    exec: &mut Execution,
    program: &Program,
    env: Env,
) -> (Vec<Effect>, Option<Encoding>) {
    if !store.keeps_chunks() {
        return (exec.run(program, env), None);
    }
    let mut encoding: Option<Encoding> = None;
    loop {
        match exec.run_until(program, env, SLICE_EVENTS) {
            Some(effects) => return (effects, encoding),
            None => encoding
                .get_or_insert_with(Encoding::start)
                .send(exec.take_new_events()),
        }
    }
}
