//! Freeing what a long step leaves behind when a core is idle, off the paths someone waits on.
//!
//! A step encoded beside it ([`crate::encoding`]) leaves thousands of history events and the
//! interpreter's state to free: choice_loop_10k's 25,000 events take about half a
//! millisecond. The encoder's thread used to free them right after handing its chunks back,
//! and then held the CPU that the step, woken to commit, was scheduled on: in half of
//! choice_loop_10k's runs the commit started 0.5 ms late (bench/LOAD.md, session 10).
//!
//! So they go to one thread of its own that runs only when a core would otherwise be idle: on
//! Linux its scheduling policy is `SCHED_IDLE`, which any other thread that wakes up preempts
//! at once. Idle cores are common here: every step waits for its commit's fsync. When the
//! reaper falls behind (a machine busy all the time), at most [`BACKLOG`] steps' leftovers
//! wait for it; past that, whoever hands one over frees it, as before.

use std::sync::mpsc::{self, SyncSender, TrySendError};
use std::sync::OnceLock;

/// What a step leaves to free.
pub(crate) type Litter = Box<dyn Send + 'static>;

/// Leftovers that may wait for the reaper before the next is freed by whoever hands it over.
/// Each is a long step's events and state (choice_loop_10k's: 25,000 events), so a machine
/// too busy to ever idle holds at most this many more than it used to; two cores run at most
/// two steps at once, so a reaper this far behind is not getting any time.
const BACKLOG: usize = 4;

static REAPER: OnceLock<Option<SyncSender<Litter>>> = OnceLock::new();

/// Frees `litter` on the reaper's thread if it can take it, here otherwise.
pub(crate) fn discard(litter: Litter) {
    match REAPER.get_or_init(start) {
        Some(reaper) => match reaper.try_send(litter) {
            Ok(()) => {}
            Err(TrySendError::Full(litter) | TrySendError::Disconnected(litter)) => drop(litter),
        },
        None => drop(litter),
    }
}

/// Starts the reaper's thread; `None` if no thread can be started (then all is freed in place).
fn start() -> Option<SyncSender<Litter>> {
    let (tx, rx) = mpsc::sync_channel::<Litter>(BACKLOG);
    std::thread::Builder::new()
        .name("estado-reaper".into())
        .spawn(move || {
            idle_priority();
            for litter in rx {
                drop(litter);
            }
        })
        .ok()?;
    Some(tx)
}

/// Puts the calling thread on Linux's `SCHED_IDLE` policy. Elsewhere, or if refused, it keeps
/// its priority: the freeing is still off the paths that wait.
#[allow(unsafe_code)]
fn idle_priority() {
    #[cfg(target_os = "linux")]
    {
        let param = libc::sched_param { sched_priority: 0 };
        // SAFETY: `param` is a valid `sched_param` that outlives the call; pid 0 is the
        // calling thread.
        let refused = unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } != 0;
        if refused {
            tracing::debug!(
                "the reaper keeps its priority: {}",
                std::io::Error::last_os_error()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::*;

    struct Counted(Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[test]
    fn everything_discarded_is_freed() {
        let freed = Arc::new(AtomicUsize::new(0));
        for _ in 0..100 {
            discard(Box::new(Counted(freed.clone())));
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while freed.load(Ordering::SeqCst) < 100 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(freed.load(Ordering::SeqCst), 100);
    }

    #[test]
    fn a_reaper_that_falls_behind_holds_no_more_than_its_backlog() {
        // Keep the reaper busy freeing a `Blocker` until released.
        let (release, released) = mpsc::channel::<()>();
        let released = Arc::new(std::sync::Mutex::new(released));
        let mut blocked = false;
        for _ in 0..1000 {
            let (entered, on_reaper) = mpsc::channel();
            discard(Box::new(Blocker(entered, released.clone())));
            if on_reaper.recv_timeout(Duration::from_secs(10)).unwrap() {
                blocked = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(blocked, "nothing discarded reached the reaper");
        let here = std::thread::current().id();
        let freed_here = Arc::new(AtomicUsize::new(0));
        let freed = Arc::new(AtomicUsize::new(0));
        for _ in 0..BACKLOG + 3 {
            discard(Box::new(Where(here, freed_here.clone(), freed.clone())));
        }
        assert!(
            freed_here.load(Ordering::SeqCst) >= 3,
            "past the backlog, leftovers are freed by whoever hands them over"
        );
        release.send(()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        while freed.load(Ordering::SeqCst) < BACKLOG + 3 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert_eq!(
            freed.load(Ordering::SeqCst),
            BACKLOG + 3,
            "and the rest later"
        );
    }

    /// Tells whether the reaper drops it, and if so holds the reaper until released.
    struct Blocker(
        mpsc::Sender<bool>,
        Arc<std::sync::Mutex<mpsc::Receiver<()>>>,
    );
    impl Drop for Blocker {
        fn drop(&mut self) {
            let on_reaper = std::thread::current().name() == Some("estado-reaper");
            let _ = self.0.send(on_reaper);
            if on_reaper {
                let _ = self.1.lock().unwrap().recv_timeout(Duration::from_secs(10));
            }
        }
    }

    /// Counts its drops, and those on the thread `.0`.
    struct Where(std::thread::ThreadId, Arc<AtomicUsize>, Arc<AtomicUsize>);
    impl Drop for Where {
        fn drop(&mut self) {
            if std::thread::current().id() == self.0 {
                self.1.fetch_add(1, Ordering::SeqCst);
            }
            self.2.fetch_add(1, Ordering::SeqCst);
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_reaper_runs_at_idle_priority() {
        // Another test may fill the backlog for a moment (then this thread frees in place).
        for _ in 0..1000 {
            let (tx, rx) = mpsc::channel();
            discard(Box::new(Policy(Some(tx))));
            let (thread, policy) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
            if thread.as_deref() == Some("estado-reaper") {
                assert_eq!(policy, libc::SCHED_IDLE);
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        panic!("nothing discarded reached the reaper");
    }

    /// Reports the name and scheduling policy of the thread that drops it.
    struct Policy(Option<mpsc::Sender<(Option<String>, i32)>>);
    impl Drop for Policy {
        #[allow(unsafe_code)]
        fn drop(&mut self) {
            // SAFETY: no arguments; pid 0 is the calling thread.
            let policy = unsafe { libc::sched_getscheduler(0) };
            let thread = std::thread::current().name().map(str::to_owned);
            if let Some(tx) = self.0.take() {
                let _ = tx.send((thread, policy));
            }
        }
    }
}
