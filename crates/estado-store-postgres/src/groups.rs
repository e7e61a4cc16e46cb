//! Writes that callers make at the same moment, done together: one transaction (and one WAL
//! flush) for a group instead of one each.
//!
//! A transaction costs PostgreSQL much more than the rows a short one writes (a round trip, a
//! snapshot, a commit record and the wait for its WAL flush, the executor started and
//! stopped). Groups form only under load: at most `in_flight` groups are written at once, and a
//! caller that finds a free slot is written at once, alone, so a quiet node adds no wait; while
//! the slots are busy, callers queue and the next free slot takes everyone waiting (up to
//! `max`).

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::{mpsc, Semaphore};

/// Takes items from `queue` and hands them to `write` in groups until the queue closes. Two
/// items with the same `key` never share a group (the second waits for the next one).
pub(crate) async fn run<T, W, Fut>(
    mut queue: mpsc::UnboundedReceiver<T>,
    in_flight: usize,
    max: usize,
    key: impl Fn(&T) -> Option<&str>,
    write: W,
) where
    T: Send + 'static,
    W: Fn(Vec<T>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(in_flight.max(1)));
    // Items whose key was in the group being formed: first in line for the next one.
    let mut deferred: Vec<T> = Vec::new();
    loop {
        if deferred.is_empty() {
            match queue.recv().await {
                Some(item) => deferred.push(item),
                None => return,
            }
        }
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return;
        };
        let mut group = Vec::new();
        let mut later = Vec::new();
        {
            let mut keys = HashSet::new();
            let waiting = std::iter::from_fn(|| queue.try_recv().ok());
            for item in deferred.drain(..).chain(waiting) {
                let fresh = match key(&item) {
                    Some(k) => keys.insert(k.to_owned()),
                    None => true,
                };
                if fresh && group.len() < max {
                    group.push(item);
                } else {
                    later.push(item);
                }
                if group.len() >= max {
                    break;
                }
            }
        }
        deferred = later;
        let written = write(group);
        tokio::spawn(async move {
            written.await;
            drop(slot);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::time::Duration;

    /// While the only slot is busy the queue fills; the next group takes everything waiting,
    /// except a second item of a key already in it.
    #[tokio::test]
    async fn groups_form_while_slots_are_busy_and_keys_stay_apart() {
        let (tx, rx) = mpsc::unbounded_channel::<(u32, &'static str)>();
        let seen: Arc<Mutex<Vec<Vec<u32>>>> = Arc::default();
        let record = seen.clone();
        let runner = tokio::spawn(run(
            rx,
            1,
            100,
            |item: &(u32, &'static str)| Some(item.1),
            move |group: Vec<(u32, &'static str)>| {
                let record = record.clone();
                async move {
                    record
                        .lock()
                        .unwrap()
                        .push(group.iter().map(|i| i.0).collect());
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
        ));
        tx.send((1, "a")).unwrap();
        tokio::time::sleep(Duration::from_millis(10)).await;
        for item in [(2, "b"), (3, "c"), (4, "b"), (5, "d")] {
            tx.send(item).unwrap();
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        drop(tx);
        runner.await.unwrap();
        assert_eq!(
            *seen.lock().unwrap(),
            vec![vec![1], vec![2, 3, 5], vec![4]],
            "alone at once, then everything waiting, the repeated key in the next group"
        );
    }
}
