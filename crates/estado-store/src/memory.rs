//! The in-memory backend: everything in one mutex-guarded structure. For tests, `estado run`
//! and express executions; it keeps nothing across restarts.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;
use estado_types::history::HistoryEvent;

use crate::chunks::HistoryChunk;
use crate::*;

#[derive(Default)]
struct Data {
    state_machines: BTreeMap<String, StateMachine>,
    versions: BTreeMap<String, Version>,
    aliases: BTreeMap<String, Alias>,
    activities: BTreeMap<String, Activity>,
    tags: HashMap<String, Vec<(String, String)>>,
    executions: HashMap<String, ExecutionData>,
    /// Creation order of executions, for newest-first listing.
    execution_order: Vec<String>,
    tasks: HashMap<String, Task>,
    dispatches: BTreeMap<(String, u64), Dispatch>,
    next_inbox: u64,
}

struct ExecutionData {
    record: Execution,
    snapshot: Vec<u8>,
    events: Vec<HistoryEvent>,
    inbox: BTreeMap<u64, InboxRow>,
    lease: Option<(String, i64)>,
}

/// Everything in memory.
#[derive(Default)]
pub struct MemoryStore {
    data: Mutex<Data>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
    fn lock(&self) -> std::sync::MutexGuard<'_, Data> {
        // A panic while holding the lock cannot leave half-written data behind (each method
        // mutates only after all its checks), so a poisoned lock is still usable.
        self.data.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn sorted_after<T: Clone>(
    items: impl Iterator<Item = (i64, String, T)>,
    after: Option<&str>,
    limit: usize,
) -> Vec<T> {
    let mut v: Vec<(i64, String, T)> = items.collect();
    v.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    let start = match after {
        Some(a) => v
            .iter()
            .position(|x| x.1 == a)
            .map(|i| i + 1)
            .unwrap_or(v.len()),
        None => 0,
    };
    v.into_iter().skip(start).take(limit).map(|x| x.2).collect()
}

impl Data {
    fn add_inbox(&mut self, arn: &str, row: NewInbox) -> bool {
        let id = self.next_inbox + 1;
        let Some(e) = self.executions.get_mut(arn) else {
            return false;
        };
        if let Some(k) = row.key {
            if e.inbox.values().any(|r| r.key == Some(k)) {
                return true;
            }
        }
        self.next_inbox = id;
        e.inbox.insert(
            id,
            InboxRow {
                id,
                due_ms: row.due_ms,
                key: row.key,
                payload: row.payload,
            },
        );
        true
    }
}

#[async_trait]
impl Store for MemoryStore {
    async fn create_state_machine(&self, sm: StateMachine) -> Result<()> {
        let mut d = self.lock();
        if d.state_machines.contains_key(&sm.arn) {
            return Err(StoreError::AlreadyExists(sm.arn));
        }
        d.state_machines.insert(sm.arn.clone(), sm);
        Ok(())
    }
    async fn get_state_machine(&self, arn: &str) -> Result<Option<StateMachine>> {
        Ok(self.lock().state_machines.get(arn).cloned())
    }
    async fn update_state_machine(&self, sm: StateMachine) -> Result<()> {
        let mut d = self.lock();
        match d.state_machines.get_mut(&sm.arn) {
            Some(slot) => {
                *slot = sm;
                Ok(())
            }
            None => Err(StoreError::NotFound(sm.arn)),
        }
    }
    async fn delete_state_machine(&self, arn: &str) -> Result<()> {
        let mut d = self.lock();
        d.state_machines.remove(arn);
        d.versions.retain(|_, v| v.state_machine_arn != arn);
        d.aliases.retain(|_, a| a.state_machine_arn != arn);
        d.tags.remove(arn);
        Ok(())
    }
    async fn list_state_machines(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<StateMachine>> {
        let d = self.lock();
        Ok(sorted_after(
            d.state_machines
                .values()
                .map(|s| (s.created_ms, s.arn.clone(), s.clone())),
            after,
            limit,
        ))
    }

    async fn create_version(&self, v: Version) -> Result<()> {
        let mut d = self.lock();
        if d.versions.contains_key(&v.arn) {
            return Err(StoreError::AlreadyExists(v.arn));
        }
        let Some(sm) = d.state_machines.get_mut(&v.state_machine_arn) else {
            return Err(StoreError::NotFound(v.state_machine_arn));
        };
        sm.next_version = sm.next_version.max(v.number + 1);
        d.versions.insert(v.arn.clone(), v);
        Ok(())
    }
    async fn get_version(&self, arn: &str) -> Result<Option<Version>> {
        Ok(self.lock().versions.get(arn).cloned())
    }
    async fn delete_version(&self, arn: &str) -> Result<()> {
        self.lock().versions.remove(arn);
        Ok(())
    }
    async fn list_versions(&self, state_machine_arn: &str) -> Result<Vec<Version>> {
        let d = self.lock();
        let mut v: Vec<Version> = d
            .versions
            .values()
            .filter(|v| v.state_machine_arn == state_machine_arn)
            .cloned()
            .collect();
        v.sort_by_key(|v| std::cmp::Reverse(v.number));
        Ok(v)
    }

    async fn put_alias(&self, a: Alias, create: bool) -> Result<()> {
        let mut d = self.lock();
        let exists = d.aliases.contains_key(&a.arn);
        if create && exists {
            return Err(StoreError::AlreadyExists(a.arn));
        }
        if !create && !exists {
            return Err(StoreError::NotFound(a.arn));
        }
        d.aliases.insert(a.arn.clone(), a);
        Ok(())
    }
    async fn get_alias(&self, arn: &str) -> Result<Option<Alias>> {
        Ok(self.lock().aliases.get(arn).cloned())
    }
    async fn delete_alias(&self, arn: &str) -> Result<()> {
        self.lock().aliases.remove(arn);
        Ok(())
    }
    async fn list_aliases(&self, state_machine_arn: &str) -> Result<Vec<Alias>> {
        let d = self.lock();
        let mut v: Vec<Alias> = d
            .aliases
            .values()
            .filter(|a| a.state_machine_arn == state_machine_arn)
            .cloned()
            .collect();
        v.sort_by(|a, b| (a.created_ms, &a.arn).cmp(&(b.created_ms, &b.arn)));
        Ok(v)
    }

    async fn create_activity(&self, a: Activity) -> Result<()> {
        let mut d = self.lock();
        if d.activities.contains_key(&a.arn) {
            return Err(StoreError::AlreadyExists(a.arn));
        }
        d.activities.insert(a.arn.clone(), a);
        Ok(())
    }
    async fn get_activity(&self, arn: &str) -> Result<Option<Activity>> {
        Ok(self.lock().activities.get(arn).cloned())
    }
    async fn delete_activity(&self, arn: &str) -> Result<()> {
        let mut d = self.lock();
        d.activities.remove(arn);
        d.tags.remove(arn);
        Ok(())
    }
    async fn list_activities(&self, after: Option<&str>, limit: usize) -> Result<Vec<Activity>> {
        let d = self.lock();
        Ok(sorted_after(
            d.activities
                .values()
                .map(|a| (a.created_ms, a.arn.clone(), a.clone())),
            after,
            limit,
        ))
    }

    async fn tag(&self, resource_arn: &str, set: Vec<(String, String)>) -> Result<()> {
        let mut d = self.lock();
        let tags = d.tags.entry(resource_arn.to_owned()).or_default();
        for (k, v) in set {
            match tags.iter_mut().find(|t| t.0 == k) {
                Some(t) => t.1 = v,
                None => tags.push((k, v)),
            }
        }
        Ok(())
    }
    async fn untag(&self, resource_arn: &str, keys: &[String]) -> Result<()> {
        if let Some(tags) = self.lock().tags.get_mut(resource_arn) {
            tags.retain(|t| !keys.contains(&t.0));
        }
        Ok(())
    }
    async fn tags(&self, resource_arn: &str) -> Result<Vec<(String, String)>> {
        Ok(self
            .lock()
            .tags
            .get(resource_arn)
            .cloned()
            .unwrap_or_default())
    }

    async fn create_execution(&self, e: NewExecution) -> Result<()> {
        let events = decoded(&e.chunks, e.events, Some(&e.execution.input))?;
        let mut d = self.lock();
        let arn = e.execution.arn.clone();
        if d.executions.contains_key(&arn) {
            return Err(StoreError::AlreadyExists(arn));
        }
        d.executions.insert(
            arn.clone(),
            ExecutionData {
                record: e.execution,
                snapshot: e.snapshot,
                events,
                inbox: BTreeMap::new(),
                lease: None,
            },
        );
        d.execution_order.push(arn.clone());
        for row in e.inbox {
            d.add_inbox(&arn, row);
        }
        Ok(())
    }
    async fn get_execution(&self, arn: &str) -> Result<Option<Execution>> {
        Ok(self.lock().executions.get(arn).map(|e| e.record.clone()))
    }
    async fn list_executions(&self, q: &ExecutionQuery) -> Result<Vec<Execution>> {
        let d = self.lock();
        // Newest start first; executions started in the same millisecond, newest created first.
        let mut order: Vec<(i64, usize, &Execution)> = d
            .execution_order
            .iter()
            .enumerate()
            .filter_map(|(i, arn)| {
                d.executions
                    .get(arn)
                    .map(|e| (e.record.start_ms, i, &e.record))
            })
            .collect();
        order.sort_by_key(|x| std::cmp::Reverse((x.0, x.1)));
        let start = match &q.after {
            Some(after) => match order.iter().position(|x| x.2.arn == *after) {
                Some(i) => i + 1,
                None => return Ok(Vec::new()),
            },
            None => 0,
        };
        let matches = |r: &Execution| {
            q.state_machine_arn
                .as_ref()
                .is_none_or(|s| *s == r.state_machine_arn)
                && q.version_or_alias_arn.as_ref().is_none_or(|va| {
                    r.version_arn.as_ref() == Some(va) || r.alias_arn.as_ref() == Some(va)
                })
                && q.status.as_ref().is_none_or(|s| *s == r.status)
        };
        Ok(order[start..]
            .iter()
            .map(|x| x.2)
            .filter(|r| matches(r))
            .take(q.limit)
            .cloned()
            .collect())
    }
    async fn history(
        &self,
        arn: &str,
        from: i64,
        reverse: bool,
        limit: usize,
    ) -> Result<Vec<HistoryEvent>> {
        let d = self.lock();
        let Some(e) = d.executions.get(arn) else {
            return Err(StoreError::NotFound(arn.to_owned()));
        };
        Ok(if reverse {
            e.events
                .iter()
                .rev()
                .filter(|ev| ev.id < from)
                .take(limit)
                .cloned()
                .collect()
        } else {
            e.events
                .iter()
                .filter(|ev| ev.id > from)
                .take(limit)
                .cloned()
                .collect()
        })
    }

    async fn claim_runnable(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<Claim>> {
        let mut d = self.lock();
        // Executions whose oldest due row is oldest go first, so none starves behind others.
        let mut runnable: Vec<(i64, u64, String)> = d
            .executions
            .iter()
            .filter(|(_, e)| e.lease.as_ref().is_none_or(|(_, until)| *until <= now_ms))
            .filter_map(|(arn, e)| {
                e.inbox
                    .values()
                    .filter(|r| r.due_ms <= now_ms)
                    .map(|r| (r.due_ms, r.id))
                    .min()
                    .map(|(due, id)| (due, id, arn.clone()))
            })
            .collect();
        runnable.sort();
        let mut out = Vec::new();
        for (_, _, arn) in runnable.into_iter().take(limit) {
            let Some(e) = d.executions.get_mut(&arn) else {
                continue;
            };
            e.lease = Some((owner.to_owned(), now_ms + lease_ms));
            out.push(Claim {
                execution: e.record.clone(),
                snapshot: e.snapshot.clone(),
                inbox: e
                    .inbox
                    .values()
                    .filter(|r| r.due_ms <= now_ms)
                    .cloned()
                    .collect(),
            });
        }
        Ok(out)
    }

    async fn commit_step(&self, owner: &str, mut c: StepCommit) -> Result<()> {
        // A step after the first never holds `ExecutionStarted`, whose input is the record's.
        let events = decoded(&c.chunks, std::mem::take(&mut c.events), None)?;
        let mut d = self.lock();
        let Some(e) = d.executions.get_mut(&c.execution_arn) else {
            return Err(StoreError::NotFound(c.execution_arn));
        };
        if e.record.version != c.expected_version {
            return Err(StoreError::Conflict(format!(
                "{} is at version {}, not {}",
                c.execution_arn, e.record.version, c.expected_version
            )));
        }
        if e.lease.as_ref().is_some_and(|(o, _)| o != owner) {
            return Err(StoreError::Conflict(format!(
                "{} is leased by another worker",
                c.execution_arn
            )));
        }
        e.record.version += 1;
        e.snapshot = c.snapshot;
        e.events.extend(events);
        for id in &c.consumed {
            e.inbox.remove(id);
        }
        e.inbox
            .retain(|_, r| !r.key.is_some_and(|k| c.cancel_keys.contains(&k)));
        if let Some(u) = c.update {
            e.record.status = u.status;
            e.record.stop_ms = u.stop_ms;
            e.record.output = u.output;
            e.record.error = u.error;
            e.record.cause = u.cause;
        }
        e.lease = None;
        let arn = c.execution_arn.clone();
        for row in c.new_inbox {
            d.add_inbox(&arn, row);
        }
        if !c.cancel_tasks.is_empty() {
            d.tasks
                .retain(|_, t| !(t.execution_arn == arn && c.cancel_tasks.contains(&t.effect_id)));
        }
        for t in c.new_tasks {
            d.tasks.insert(t.token.clone(), t);
        }
        for effect in &c.cancel_tasks {
            d.dispatches.remove(&(arn.clone(), *effect));
        }
        for x in c.new_dispatches {
            d.dispatches
                .insert((x.execution_arn.clone(), x.effect_id), x);
        }
        Ok(())
    }

    async fn deliver(&self, row: NewInbox, execution_arn: &str) -> Result<bool> {
        let mut d = self.lock();
        if !d
            .executions
            .get(execution_arn)
            .is_some_and(|e| e.record.is_open())
        {
            return Ok(false);
        }
        Ok(d.add_inbox(execution_arn, row))
    }

    async fn reopen(&self, execution_arn: &str, now_ms: i64, row: NewInbox) -> Result<bool> {
        let mut d = self.lock();
        let Some(e) = d.executions.get_mut(execution_arn) else {
            return Ok(false);
        };
        if !matches!(e.record.status.as_str(), "FAILED" | "TIMED_OUT" | "ABORTED") {
            return Ok(false);
        }
        let r = &mut e.record;
        r.status = "RUNNING".into();
        r.redrive_count += 1;
        r.redrive_ms = Some(now_ms);
        r.stop_ms = None;
        r.output = None;
        r.error = None;
        r.cause = None;
        r.version += 1;
        Ok(d.add_inbox(execution_arn, row))
    }

    async fn release_leases(&self) -> Result<u64> {
        let mut d = self.lock();
        let mut n = 0;
        for e in d.executions.values_mut() {
            if e.lease.take().is_some() {
                n += 1;
            }
        }
        for x in d.dispatches.values_mut() {
            if x.lease.take().is_some() {
                n += 1;
            }
        }
        Ok(n)
    }

    async fn next_due(&self) -> Result<Option<i64>> {
        let d = self.lock();
        // A leased execution cannot be claimed before its lease ends, whatever its rows say.
        Ok(d.executions
            .values()
            .filter_map(|e| {
                let due = e.inbox.values().map(|r| r.due_ms).min()?;
                Some(match &e.lease {
                    Some((_, until)) => due.max(*until),
                    None => due,
                })
            })
            .min())
    }

    async fn claim_dispatches(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<Dispatch>> {
        let mut d = self.lock();
        let mut free: Vec<&mut Dispatch> = d
            .dispatches
            .values_mut()
            .filter(|x| x.lease.as_ref().is_none_or(|(_, until)| *until <= now_ms))
            .collect();
        free.sort_by(|a, b| {
            (a.created_ms, &a.execution_arn, a.effect_id).cmp(&(
                b.created_ms,
                &b.execution_arn,
                b.effect_id,
            ))
        });
        let until = now_ms.saturating_add(lease_ms);
        Ok(free
            .into_iter()
            .take(limit)
            .map(|x| {
                x.lease = Some((owner.to_owned(), until));
                x.clone()
            })
            .collect())
    }

    async fn renew_dispatches(
        &self,
        owner: &str,
        keys: &[(String, u64)],
        until_ms: i64,
    ) -> Result<u64> {
        let mut d = self.lock();
        let mut n = 0;
        for key in keys {
            if let Some(x) = d.dispatches.get_mut(key) {
                if let Some((o, until)) = &mut x.lease {
                    if o == owner {
                        *until = until_ms;
                        n += 1;
                    }
                }
            }
        }
        Ok(n)
    }

    async fn complete_dispatch(
        &self,
        execution_arn: &str,
        effect_id: u64,
        row: NewInbox,
    ) -> Result<bool> {
        let mut d = self.lock();
        if d.dispatches
            .remove(&(execution_arn.to_owned(), effect_id))
            .is_none()
        {
            return Ok(false);
        }
        if d.executions
            .get(execution_arn)
            .is_some_and(|e| e.record.is_open())
        {
            d.add_inbox(execution_arn, row);
        }
        Ok(true)
    }

    async fn claim_activity_task(
        &self,
        activity_arn: &str,
        worker: &str,
        _now_ms: i64,
    ) -> Result<Option<Task>> {
        let mut d = self.lock();
        let oldest = d
            .tasks
            .values()
            .filter(|t| t.worker.is_none() && t.activity_arn.as_deref() == Some(activity_arn))
            .min_by(|a, b| (a.created_ms, &a.token).cmp(&(b.created_ms, &b.token)))
            .map(|t| t.token.clone());
        Ok(oldest.and_then(|token| {
            let t = d.tasks.get_mut(&token)?;
            t.worker = Some(worker.to_owned());
            Some(t.clone())
        }))
    }
    async fn task_by_token(&self, token: &str) -> Result<Option<Task>> {
        Ok(self.lock().tasks.get(token).cloned())
    }
    async fn finish_task(&self, token: &str) -> Result<bool> {
        Ok(self.lock().tasks.remove(token).is_some())
    }
}

/// The events of a commit given (partly) as chunks.
fn decoded(
    chunks: &[HistoryChunk],
    events: Vec<HistoryEvent>,
    recorded_input: Option<&str>,
) -> Result<Vec<HistoryEvent>> {
    crate::chunks::events_of(chunks, events, recorded_input).map_err(|e| StoreError::Backend {
        message: format!("a commit's history chunks cannot be read: {e}"),
        retryable: false,
    })
}
