//! [`Store`] for [`SqliteStore`]: every mutating call goes to the writer (and so into a group
//! commit), every read to a reader. Arguments are moved into the request, since the work runs
//! on another thread.

use async_trait::async_trait;
use estado_store::{
    Activity, Alias, Claim, Dispatch, Execution, ExecutionQuery, NewExecution, NewInbox, Result,
    StateMachine, StepCommit, Store, Task, Version,
};
use estado_types::history::HistoryEvent;

use crate::ops::{definitions as defs, dispatches, executions, stepping, tasks};
use crate::packed::Packed;
use crate::SqliteStore;

#[async_trait]
impl Store for SqliteStore {
    async fn create_state_machine(&self, sm: StateMachine) -> Result<()> {
        self.write(move |c| defs::create_state_machine(c, &sm))
            .await
    }
    async fn get_state_machine(&self, arn: &str) -> Result<Option<StateMachine>> {
        let arn = arn.to_owned();
        self.read(move |c| defs::get_state_machine(c, &arn)).await
    }
    async fn update_state_machine(&self, sm: StateMachine) -> Result<()> {
        self.write(move |c| defs::update_state_machine(c, &sm))
            .await
    }
    async fn delete_state_machine(&self, arn: &str) -> Result<()> {
        let arn = arn.to_owned();
        self.write(move |c| defs::delete_state_machine(c, &arn))
            .await
    }
    async fn list_state_machines(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<StateMachine>> {
        let after = after.map(str::to_owned);
        self.read(move |c| defs::list_state_machines(c, after.as_deref(), limit))
            .await
    }

    async fn create_version(&self, v: Version) -> Result<()> {
        self.write(move |c| defs::create_version(c, &v)).await
    }
    async fn get_version(&self, arn: &str) -> Result<Option<Version>> {
        let arn = arn.to_owned();
        self.read(move |c| defs::get_version(c, &arn)).await
    }
    async fn delete_version(&self, arn: &str) -> Result<()> {
        let arn = arn.to_owned();
        self.write(move |c| defs::delete_version(c, &arn)).await
    }
    async fn list_versions(&self, state_machine_arn: &str) -> Result<Vec<Version>> {
        let arn = state_machine_arn.to_owned();
        self.read(move |c| defs::list_versions(c, &arn)).await
    }

    async fn put_alias(&self, a: Alias, create: bool) -> Result<()> {
        self.write(move |c| defs::put_alias(c, &a, create)).await
    }
    async fn get_alias(&self, arn: &str) -> Result<Option<Alias>> {
        let arn = arn.to_owned();
        self.read(move |c| defs::get_alias(c, &arn)).await
    }
    async fn delete_alias(&self, arn: &str) -> Result<()> {
        let arn = arn.to_owned();
        self.write(move |c| defs::delete_alias(c, &arn)).await
    }
    async fn list_aliases(&self, state_machine_arn: &str) -> Result<Vec<Alias>> {
        let arn = state_machine_arn.to_owned();
        self.read(move |c| defs::list_aliases(c, &arn)).await
    }

    async fn create_activity(&self, a: Activity) -> Result<()> {
        self.write(move |c| defs::create_activity(c, &a)).await
    }
    async fn get_activity(&self, arn: &str) -> Result<Option<Activity>> {
        let arn = arn.to_owned();
        self.read(move |c| defs::get_activity(c, &arn)).await
    }
    async fn delete_activity(&self, arn: &str) -> Result<()> {
        let arn = arn.to_owned();
        self.write(move |c| defs::delete_activity(c, &arn)).await
    }
    async fn list_activities(&self, after: Option<&str>, limit: usize) -> Result<Vec<Activity>> {
        let after = after.map(str::to_owned);
        self.read(move |c| defs::list_activities(c, after.as_deref(), limit))
            .await
    }

    async fn tag(&self, resource_arn: &str, set: Vec<(String, String)>) -> Result<()> {
        let arn = resource_arn.to_owned();
        self.write(move |c| defs::tag(c, &arn, &set)).await
    }
    async fn untag(&self, resource_arn: &str, keys: &[String]) -> Result<()> {
        let (arn, keys) = (resource_arn.to_owned(), keys.to_vec());
        self.write(move |c| defs::untag(c, &arn, &keys)).await
    }
    async fn tags(&self, resource_arn: &str) -> Result<Vec<(String, String)>> {
        let arn = resource_arn.to_owned();
        self.read(move |c| defs::tags(c, &arn)).await
    }

    async fn create_execution(&self, mut e: NewExecution) -> Result<()> {
        let events = std::mem::take(&mut e.events);
        let mut chunks = std::mem::take(&mut e.chunks);
        chunks.extend(executions::encode_events(&events));
        // Packed beside the first step by the caller, or else here.
        let text = std::mem::take(&mut e.execution.input);
        let input = match e.packed_input.take() {
            Some(packed) => Packed::Lz4(packed),
            None => Packed::new(text),
        };
        let output = e.execution.output.take().map(Packed::new);
        let done = self
            .writer
            .run(move |c| executions::create_execution(c, &e, &input, output.as_ref(), &chunks));
        // Queued: free the events (thousands of them after a long step) while the writer
        // writes and syncs, rather than before.
        drop(events);
        done.await
    }
    async fn get_execution(&self, arn: &str) -> Result<Option<Execution>> {
        let arn = arn.to_owned();
        self.read(move |c| executions::get_execution(c, &arn)).await
    }
    async fn get_execution_metadata(&self, arn: &str) -> Result<Option<Execution>> {
        let arn = arn.to_owned();
        self.read(move |c| executions::get_execution_metadata(c, &arn))
            .await
    }
    async fn list_executions(&self, q: &ExecutionQuery) -> Result<Vec<Execution>> {
        let q = q.clone();
        self.read(move |c| executions::list_executions(c, &q)).await
    }
    async fn history(
        &self,
        arn: &str,
        from: i64,
        reverse: bool,
        limit: usize,
    ) -> Result<Vec<HistoryEvent>> {
        let arn = arn.to_owned();
        self.read(move |c| executions::history(c, &arn, from, reverse, limit))
            .await
    }

    async fn claim_runnable(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<Claim>> {
        let owner = owner.to_owned();
        self.write(move |c| stepping::claim_runnable(c, &owner, now_ms, lease_ms, limit))
            .await
    }
    async fn commit_step(&self, owner: &str, mut commit: StepCommit) -> Result<()> {
        let owner = owner.to_owned();
        let events = std::mem::take(&mut commit.events);
        let mut chunks = std::mem::take(&mut commit.chunks);
        chunks.extend(executions::encode_events(&events));
        let output = commit
            .update
            .as_mut()
            .and_then(|u| u.output.take())
            .map(Packed::new);
        let done = self
            .writer
            .run(move |c| stepping::commit_step(c, &owner, &commit, output.as_ref(), &chunks));
        drop(events);
        done.await
    }
    async fn deliver(&self, row: NewInbox, execution_arn: &str) -> Result<bool> {
        let arn = execution_arn.to_owned();
        self.write(move |c| stepping::deliver(c, &row, &arn)).await
    }
    async fn reopen(&self, execution_arn: &str, now_ms: i64, row: NewInbox) -> Result<bool> {
        let arn = execution_arn.to_owned();
        self.write(move |c| stepping::reopen(c, &arn, now_ms, &row))
            .await
    }
    fn keeps_chunks(&self) -> bool {
        true
    }
    fn document_packer(&self) -> Option<estado_store::DocumentPacker> {
        Some(crate::packed::pack)
    }
    async fn release_leases(&self) -> Result<u64> {
        self.write(stepping::release_leases).await
    }
    async fn next_due(&self) -> Result<Option<i64>> {
        self.read(stepping::next_due).await
    }

    async fn claim_dispatches(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<Dispatch>> {
        let owner = owner.to_owned();
        self.write(move |c| dispatches::claim(c, &owner, now_ms, lease_ms, limit))
            .await
    }
    async fn renew_dispatches(
        &self,
        owner: &str,
        keys: &[(String, u64)],
        until_ms: i64,
    ) -> Result<u64> {
        let (owner, keys) = (owner.to_owned(), keys.to_vec());
        self.write(move |c| dispatches::renew(c, &owner, &keys, until_ms))
            .await
    }
    async fn complete_dispatch(
        &self,
        execution_arn: &str,
        effect_id: u64,
        row: NewInbox,
    ) -> Result<bool> {
        let arn = execution_arn.to_owned();
        self.write(move |c| dispatches::complete(c, &arn, effect_id, &row))
            .await
    }

    async fn claim_activity_task(
        &self,
        activity_arn: &str,
        worker: &str,
        _now_ms: i64,
    ) -> Result<Option<Task>> {
        let (arn, worker) = (activity_arn.to_owned(), worker.to_owned());
        self.write(move |c| tasks::claim_activity_task(c, &arn, &worker))
            .await
    }
    async fn task_by_token(&self, token: &str) -> Result<Option<Task>> {
        let token = token.to_owned();
        self.read(move |c| tasks::task_by_token(c, &token)).await
    }
    async fn finish_task(&self, token: &str) -> Result<bool> {
        let token = token.to_owned();
        self.write(move |c| tasks::finish_task(c, &token)).await
    }
}
