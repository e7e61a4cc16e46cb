//! WAL checkpoints on their own thread and connection.
//!
//! SQLite's automatic checkpoint runs inside the commit that takes the WAL past its threshold,
//! on the committing connection: here that is the one writer thread, so every caller waiting
//! for that group commit would also wait for megabytes of pages to be copied into the database
//! and the database file to be fsynced. Instead the writer's WAL hook only asks a checkpointer
//! thread to copy the log back (`PASSIVE`: it never blocks the writer or the readers), and the
//! writer goes on committing. Durability does not depend on checkpoints (a commit is durable
//! once its WAL frames are synced); they only bound the WAL's size.
//!
//! Should the checkpointer fall far behind (a WAL past [`INLINE_PAGES`]), the writer checkpoints
//! itself, as SQLite would by default, so the WAL stays bounded whatever happens.

use std::ffi::c_int;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use rusqlite::wal::CheckpointMode;
use rusqlite::{Connection, MAIN_DB};

use crate::error::OpResult;

/// WAL pages after a commit from which the checkpointer is asked to run (SQLite's default
/// automatic checkpoint threshold: 1000 pages, 4 MB).
pub(crate) const BACKGROUND_PAGES: c_int = 1000;
/// WAL pages after a commit from which the writer checkpoints itself (32 MB).
pub(crate) const INLINE_PAGES: c_int = 8000;

/// The checkpointer thread. Dropping it stops the thread after the checkpoint in progress.
pub(crate) struct Checkpointer {
    kick: SyncSender<()>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread with `conn`, a connection of its own to the database.
    pub(crate) fn start(conn: Connection) -> std::io::Result<Checkpointer> {
        // One pending request is enough: a checkpoint copies everything committed before it.
        let (kick, rx) = mpsc::sync_channel::<()>(1);
        let stop = Arc::new(AtomicBool::new(false));
        let thread_stop = stop.clone();
        let thread = std::thread::Builder::new()
            .name("estado-sqlite-checkpointer".into())
            .spawn(move || checkpoint_loop(&conn, &rx, &thread_stop))?;
        Ok(Checkpointer {
            kick,
            stop,
            thread: Some(thread),
        })
    }

    /// Hands the writer's connection a WAL hook that asks this thread for a checkpoint each time
    /// another [`BACKGROUND_PAGES`] pages went into the WAL. Not after every commit past the
    /// threshold: the WAL starts over only when a checkpoint finished and no reader still uses
    /// it, so it may stay long for a while, and a checkpoint per commit would sync the
    /// database file (whose sync delays the writer's own) over and over for a few pages each.
    pub(crate) fn hook_into(&self, writer: &mut Connection) -> OpResult<()> {
        let kick = self.kick.clone();
        let mut asked_at: c_int = 0;
        writer.wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, pages: c_int| {
            if pages < asked_at {
                // The WAL started over.
                asked_at = 0;
            }
            if pages >= INLINE_PAGES {
                // An error here would be reported as the COMMIT's although the commit took
                // place: ignore it, the next commit tries again.
                let _ = wal.checkpoint_v2(CheckpointMode::PASSIVE);
            } else if pages >= BACKGROUND_PAGES && pages - asked_at >= BACKGROUND_PAGES {
                asked_at = pages;
                let _ = kick.try_send(());
            }
            Ok(())
        }))?;
        Ok(())
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.kick.try_send(());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn checkpoint_loop(conn: &Connection, rx: &Receiver<()>, stop: &AtomicBool) {
    while rx.recv().is_ok() {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        if let Err(e) = conn.wal_checkpoint_v2(Some(MAIN_DB), CheckpointMode::PASSIVE) {
            tracing::debug!("background WAL checkpoint: {e}");
        }
    }
}
