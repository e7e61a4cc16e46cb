//! A function's warm workers: a queue of calls and up to `concurrency` slots taking from it.
//!
//! Calls wait in the queue (they are never refused for want of a worker); a slot is added when
//! a call finds every slot busy and the function is below its concurrency.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{mpsc, oneshot, watch};

use crate::invoke::{Invocation, InvokeError, InvokeOutput};
use crate::spec::FunctionSpec;
use crate::HostSettings;

pub(crate) struct Job {
    pub inv: Invocation,
    pub reply: oneshot::Sender<Result<InvokeOutput, InvokeError>>,
}

pub(crate) struct Pool {
    pub spec: FunctionSpec,
    pub settings: Arc<HostSettings>,
    pub queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Job>>,
    sender: mpsc::UnboundedSender<Job>,
    /// Slots alive, slots waiting for a call, calls not yet taken.
    pub slots: AtomicUsize,
    pub idle: AtomicUsize,
    pub waiting: AtomicUsize,
    next_slot: AtomicUsize,
    /// Worker process ids by slot.
    pub pids: Mutex<HashMap<usize, u32>>,
    pub shutdown: watch::Sender<bool>,
}

impl Pool {
    pub fn new(spec: FunctionSpec, settings: Arc<HostSettings>) -> Arc<Pool> {
        let (sender, queue) = mpsc::unbounded_channel();
        Arc::new(Pool {
            spec,
            settings,
            queue: tokio::sync::Mutex::new(queue),
            sender,
            slots: AtomicUsize::new(0),
            idle: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            next_slot: AtomicUsize::new(0),
            pids: Mutex::new(HashMap::new()),
            shutdown: watch::channel(false).0,
        })
    }

    pub async fn invoke(self: &Arc<Self>, inv: Invocation) -> Result<InvokeOutput, InvokeError> {
        let (reply, answer) = oneshot::channel();
        let waiting = self.waiting.fetch_add(1, Ordering::SeqCst) + 1;
        if waiting > self.idle.load(Ordering::SeqCst) {
            self.add_slot();
        }
        if self.sender.send(Job { inv, reply }).is_err() {
            return Err(service_error("the function's workers are shutting down"));
        }
        answer
            .await
            .unwrap_or_else(|_| Err(service_error("the function's worker stopped")))
    }

    /// Start a slot unless the function is at its concurrency.
    fn add_slot(self: &Arc<Self>) -> bool {
        let mut n = self.slots.load(Ordering::SeqCst);
        loop {
            if n >= self.spec.concurrency {
                return false;
            }
            match self
                .slots
                .compare_exchange(n, n + 1, Ordering::SeqCst, Ordering::SeqCst)
            {
                Ok(_) => break,
                Err(actual) => n = actual,
            }
        }
        let slot = self.next_slot.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(crate::worker::run_slot(self.clone(), slot));
        true
    }

    /// Process ids of the function's live workers.
    pub fn worker_pids(&self) -> Vec<u32> {
        self.pids
            .lock()
            .map(|m| m.values().copied().collect())
            .unwrap_or_default()
    }

    pub fn stop(&self) {
        let _ = self.shutdown.send(true);
    }
}

fn service_error(message: &str) -> InvokeError {
    InvokeError {
        code: "ServiceException".into(),
        message: message.into(),
        status: 500,
    }
}

/// A field of `/proc/PID/status` in kB (`VmRSS`, `VmHWM`); Linux only.
pub fn rss_kb(pid: u32, field: &str) -> Option<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}
