//! The state machine records a node starts executions of, kept in memory so that
//! `StartExecution` does not read its machine from the database every time.
//!
//! Within a node a change is seen at once: the store's own writes (create, update, delete, new
//! version) drop the record once they have committed, before they return. Between nodes a
//! change is seen when its `NOTIFY` arrives (sent after the commit, milliseconds later), and at
//! the latest when the record's time to live ends: the backstop for a lost notification (the
//! writing node died between its commit and the notification, or the listening connection was
//! down; after a reconnection the whole cache is dropped). A read that raced with a change
//! never stores what it read: each change advances a generation, and a read stores its record
//! only if the generation it started under is still current.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use estado_store::StateMachine;

/// Records kept at most; past that the cache starts over (machines are few in practice).
const MAX_ENTRIES: usize = 10_000;

pub(crate) struct MachineCache {
    ttl: Duration,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    generation: u64,
    entries: HashMap<String, (Instant, StateMachine)>,
}

impl MachineCache {
    /// A cache whose records live `ttl`; a zero `ttl` keeps nothing.
    pub(crate) fn new(ttl: Duration) -> MachineCache {
        MachineCache {
            ttl,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The record of `arn` if one younger than the time to live is kept; otherwise the
    /// generation to pass to [`MachineCache::store`] with the record read from the database.
    pub(crate) fn get(&self, arn: &str) -> Result<StateMachine, u64> {
        let inner = self.lock();
        match inner.entries.get(arn) {
            Some((at, sm)) if at.elapsed() < self.ttl => Ok(sm.clone()),
            _ => Err(inner.generation),
        }
    }

    /// Keeps `sm`, read from the database after [`MachineCache::get`] gave `generation`,
    /// unless something changed since.
    pub(crate) fn store(&self, generation: u64, sm: &StateMachine, read_at: Instant) {
        if self.ttl.is_zero() {
            return;
        }
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= MAX_ENTRIES {
            inner.entries.clear();
        }
        inner.entries.insert(sm.arn.clone(), (read_at, sm.clone()));
    }

    /// `arn` changed: its record goes, and reads in flight do not keep theirs.
    pub(crate) fn invalidate(&self, arn: &str) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.remove(arn);
    }

    /// Anything may have changed (notifications were missed).
    pub(crate) fn clear(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(arn: &str, definition: &str) -> StateMachine {
        StateMachine {
            arn: arn.into(),
            name: "m".into(),
            kind: "STANDARD".into(),
            definition: definition.into(),
            role_arn: "r".into(),
            created_ms: 0,
            updated_ms: 0,
            revision_id: "1".into(),
            description: None,
            logging: None,
            tracing: None,
            encryption: None,
            next_version: 1,
        }
    }

    #[test]
    fn a_read_that_raced_with_a_change_is_not_kept() {
        let cache = MachineCache::new(Duration::from_secs(60));
        let generation = cache.get("a").unwrap_err();
        cache.invalidate("a");
        cache.store(generation, &machine("a", "old"), Instant::now());
        let generation = cache.get("a").unwrap_err();
        cache.store(generation, &machine("a", "new"), Instant::now());
        assert_eq!(cache.get("a").unwrap().definition, "new");
        // A change to another machine also stops reads in flight from being kept.
        let generation = cache.get("b").unwrap_err();
        cache.clear();
        cache.store(generation, &machine("b", "x"), Instant::now());
        assert!(cache.get("b").is_err());
        assert!(cache.get("a").is_err(), "clear drops everything");
    }

    #[test]
    fn records_expire_and_a_zero_ttl_keeps_nothing() {
        let cache = MachineCache::new(Duration::from_millis(30));
        let generation = cache.get("a").unwrap_err();
        cache.store(generation, &machine("a", "d"), Instant::now());
        assert!(cache.get("a").is_ok());
        std::thread::sleep(Duration::from_millis(40));
        assert!(cache.get("a").is_err());
        let off = MachineCache::new(Duration::ZERO);
        let generation = off.get("a").unwrap_err();
        off.store(generation, &machine("a", "d"), Instant::now());
        assert!(off.get("a").is_err());
    }
}
