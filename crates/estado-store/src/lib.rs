//! Estado's storage seam.
//!
//! The engine keeps everything it needs to resume an execution behind [`Store`]: state machine
//! metadata, executions with their interpreter snapshot, history events, an *inbox* of things
//! that happened to an execution (a timer firing is an inbox row with a due time; a task result
//! or a stop request is an inbox row due now), and *tasks* waiting for a worker (activities,
//! callbacks). One step of an execution is one [`StepCommit`], saved in one transaction.
//!
//! The store stores; the engine decides: every id, token and timestamp is made by the engine.
//! Every backend passes the same [`suite`].

pub mod chunks;
pub mod lz4;
pub mod memory;
pub mod records;
pub mod suite;

pub use records::*;

use async_trait::async_trait;
use estado_types::history::HistoryEvent;

#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum StoreError {
    /// The record to create exists already (the engine maps it to AWS's `*AlreadyExists`).
    #[error("already exists: {0}")]
    AlreadyExists(String),
    /// The record does not exist.
    #[error("not found: {0}")]
    NotFound(String),
    /// Another worker changed the execution since it was loaded, or holds its lease: drop the
    /// step and move on; retrying with fresh data can help.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The backend failed (I/O, corruption). `retryable` says whether trying again can help.
    #[error("storage failure: {message}")]
    Backend { message: String, retryable: bool },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Everything Estado keeps. Each method is one transaction in SQL backends.
/// A store's way of compressing a document ([`Store::document_packer`]): the packed bytes, or
/// `None` for a document it keeps as it is.
pub type DocumentPacker = fn(&str) -> Option<Vec<u8>>;

#[async_trait]
pub trait Store: Send + Sync + 'static {
    // ----- state machines, versions, aliases -------------------------------------------------

    /// Create a state machine. `AlreadyExists` when the ARN is taken.
    async fn create_state_machine(&self, sm: StateMachine) -> Result<()>;
    async fn get_state_machine(&self, arn: &str) -> Result<Option<StateMachine>>;
    /// [`Store::get_state_machine`] for starting an execution, which a store shared by several
    /// nodes may answer from a cache of its own: a change made through this store (create,
    /// update, delete, new version) is seen at once, one made through another store on the same
    /// database within a bound the backend documents. (AWS too may start executions with the
    /// previous definition right after `UpdateStateMachine`.)
    async fn state_machine_to_start(&self, arn: &str) -> Result<Option<StateMachine>> {
        self.get_state_machine(arn).await
    }
    /// Replace a state machine's record (definition, role, configuration, revision).
    async fn update_state_machine(&self, sm: StateMachine) -> Result<()>;
    /// Delete a state machine with its versions and aliases. Executions stay readable.
    async fn delete_state_machine(&self, arn: &str) -> Result<()>;
    /// State machines ordered by creation (then ARN), starting after `after` (an ARN).
    async fn list_state_machines(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<StateMachine>>;

    /// Create a version and advance the machine's version counter, atomically.
    async fn create_version(&self, v: Version) -> Result<()>;
    async fn get_version(&self, arn: &str) -> Result<Option<Version>>;
    async fn delete_version(&self, arn: &str) -> Result<()>;
    /// Versions of a machine, newest first.
    async fn list_versions(&self, state_machine_arn: &str) -> Result<Vec<Version>>;

    async fn put_alias(&self, a: Alias, create: bool) -> Result<()>;
    async fn get_alias(&self, arn: &str) -> Result<Option<Alias>>;
    async fn delete_alias(&self, arn: &str) -> Result<()>;
    async fn list_aliases(&self, state_machine_arn: &str) -> Result<Vec<Alias>>;

    // ----- activities and tags ---------------------------------------------------------------

    async fn create_activity(&self, a: Activity) -> Result<()>;
    async fn get_activity(&self, arn: &str) -> Result<Option<Activity>>;
    async fn delete_activity(&self, arn: &str) -> Result<()>;
    async fn list_activities(&self, after: Option<&str>, limit: usize) -> Result<Vec<Activity>>;

    /// Tags of any resource, in insertion order; `set` adds or replaces keys.
    async fn tag(&self, resource_arn: &str, set: Vec<(String, String)>) -> Result<()>;
    async fn untag(&self, resource_arn: &str, keys: &[String]) -> Result<()>;
    async fn tags(&self, resource_arn: &str) -> Result<Vec<(String, String)>>;

    // ----- executions ------------------------------------------------------------------------

    /// Create an execution with its snapshot, first events and first inbox rows, atomically.
    /// `AlreadyExists` when the ARN is taken (the engine implements AWS's name idempotency on
    /// top, by reading the existing record).
    async fn create_execution(&self, e: NewExecution) -> Result<()>;
    async fn get_execution(&self, arn: &str) -> Result<Option<Execution>>;
    /// [`Store::get_execution`] for a description that shows none of the record's documents
    /// (`DescribeExecution` with `includedData: METADATA_ONLY`, which clients poll): a backend
    /// may leave `input` and `definition` as "" and an output it holds as `Some("")` (whether
    /// there is one still shows) rather than read them. By default, the whole record.
    async fn get_execution_metadata(&self, arn: &str) -> Result<Option<Execution>> {
        self.get_execution(arn).await
    }
    /// Executions of a state machine (or of a version/alias ARN, or all with `None`), newest
    /// first (start time descending, then newest created), optionally filtered by status,
    /// starting after the cursor `after` (an ARN; an unknown cursor gives an empty page).
    /// Lists show summaries: a backend may leave the records' documents empty (`input` and
    /// `definition` as "", `output` as `None`) rather than read them.
    async fn list_executions(&self, q: &ExecutionQuery) -> Result<Vec<Execution>>;

    /// At most `limit` history events: ascending with `id > from`, or, when `reverse`,
    /// descending with `id < from` (pass `i64::MAX` to start from the newest).
    async fn history(
        &self,
        arn: &str,
        from: i64,
        reverse: bool,
        limit: usize,
    ) -> Result<Vec<HistoryEvent>>;

    // ----- stepping --------------------------------------------------------------------------

    /// Take the lease of up to `limit` executions that have an inbox row due at `now_ms` and no
    /// live lease (a lease is live while `now < until`; even its holder cannot claim it again),
    /// oldest due row first, and return each with its snapshot and due inbox rows (ordered by
    /// id). The lease lasts until `now_ms + lease_ms` unless committed first.
    async fn claim_runnable(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<Claim>>;

    /// Save one step, atomically: events, snapshot, consumed inbox rows deleted, then cancelled
    /// keys deleted, then new inbox rows (timers) added, cancelled tasks (and dispatches) deleted,
    /// new tasks and dispatches added, the execution's summary updated, and the lease released. `Conflict` (and nothing
    /// saved) when the execution's version is not `expected_version` or another owner holds
    /// its lease (live, or expired and not re-claimed).
    async fn commit_step(&self, owner: &str, c: StepCommit) -> Result<()>;

    /// Whether this store keeps history in [`chunks`] as they are given: then a caller gains
    /// by handing commits their events encoded ([`StepCommit::chunks`]), which it can do on
    /// another thread while a long step runs. Other stores decode such chunks again.
    fn keeps_chunks(&self) -> bool {
        false
    }

    /// How this store compresses a large document it keeps (an execution's input), if it does:
    /// `None` (the default) when it keeps documents as they are given. The function answers
    /// `None` for a document it would keep as it is. A caller with a core to spare may run it
    /// on an execution's input while the first step runs, and hand the result over as
    /// [`NewExecution::packed_input`], so that the commit does not wait for it.
    fn document_packer(&self) -> Option<DocumentPacker> {
        None
    }

    /// Add an inbox row for an execution (a task result, a stop request). Idempotent per
    /// `(execution_arn, key)` among pending rows when `key` is set. Returns false when the
    /// execution does not exist or is closed.
    async fn deliver(&self, row: NewInbox, execution_arn: &str) -> Result<bool>;

    /// Reopen an unsuccessful execution for `RedriveExecution`: status `RUNNING`, redrive count
    /// plus one, redrive time `now_ms`, stop time/output/error/cause cleared, and `row` added.
    /// False (and nothing changed) when the execution is not `FAILED`, `TIMED_OUT` or `ABORTED`.
    async fn reopen(&self, execution_arn: &str, now_ms: i64, row: NewInbox) -> Result<bool>;

    /// Drop every lease, of executions and of dispatches; returns how many. For a single node
    /// starting up on its own store: the leases left there belong to a process that is gone, and
    /// its executions (and runner tasks) should continue at once rather than when the leases
    /// expire. Never call it while other nodes share the store.
    async fn release_leases(&self) -> Result<u64>;

    /// When to look again: over every execution with pending rows, the later of its earliest
    /// due row and the end of its lease (a leased execution is not runnable before that).
    async fn next_due(&self) -> Result<Option<i64>>;

    // ----- dispatches (runner tasks) ---------------------------------------------------------

    /// Lease up to `limit` dispatches that are queued or whose lease has ended (`until <=
    /// now_ms`) to `owner` until `now_ms + lease_ms`, oldest (`created_ms`, then execution ARN,
    /// then effect id) first, and return them with their new lease. Never hands one dispatch to
    /// two concurrent callers.
    async fn claim_dispatches(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<Dispatch>>;

    /// Extend to `until_ms` the leases `owner` still holds on these `(execution_arn,
    /// effect_id)` dispatches (a runner taking longer than a lease); returns how many it held.
    async fn renew_dispatches(
        &self,
        owner: &str,
        keys: &[(String, u64)],
        until_ms: i64,
    ) -> Result<u64>;

    /// Remove a dispatch and add `row` (its outcome) to its execution's inbox, atomically, the
    /// row idempotent per key as with [`Store::deliver`]. False, and nothing changed, when the
    /// dispatch is gone (cancelled, or completed already). The row is not added when the
    /// execution is closed.
    async fn complete_dispatch(
        &self,
        execution_arn: &str,
        effect_id: u64,
        row: NewInbox,
    ) -> Result<bool>;

    // ----- tasks (activities and callbacks) --------------------------------------------------

    /// Take the oldest queued task of an activity for `worker` (marks it started).
    async fn claim_activity_task(
        &self,
        activity_arn: &str,
        worker: &str,
        now_ms: i64,
    ) -> Result<Option<Task>>;
    async fn task_by_token(&self, token: &str) -> Result<Option<Task>>;
    /// Remove a task (answered, timed out or cancelled); false when it was not there.
    async fn finish_task(&self, token: &str) -> Result<bool>;
}
