//! Step commits saved in groups (see [`crate::groups`]): the steps that callers commit while
//! earlier groups are being saved go in together, each its own call of `estado_commit_step`
//! (migration 0005), sent at once (pipelined) in one transaction: one round trip and one WAL
//! flush for the group instead of one each.
//!
//! Each step keeps its own outcome: the function checks the execution's version and lease and
//! writes nothing when they are not the expected ones (its answer says why), so a step that
//! conflicts leaves the others of its group alone. A call that fails (an error, not a refusal)
//! aborts the group's transaction: nothing of it is saved, and its steps are saved again one by
//! one, each in a transaction of its own, so that one step's failure is not the others'. A
//! group whose COMMIT fails is not retried (it may have been saved): its steps get the error.

use deadpool_postgres::Pool;
use estado_store::{Dispatch, StepCommit, StoreError, Task};
use futures_util::future::join_all;
use tokio::sync::{mpsc, oneshot};
use tokio_postgres::types::ToSql;

use crate::error::{invalid, label_to_sql, pg, to_i64};
use crate::ops::{get, query_opt, ChunkArrays, InboxArrays};

/// Groups being saved at once (each holds a pooled connection while it does).
const IN_FLIGHT: usize = 4;
/// Steps in one group at most.
const MAX_GROUP: usize = 128;

const SQL: &str = "SELECT estado_commit_step($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
     $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, \
     $30, $31, $32)";

/// A step to save; the answer is `estado_commit_step`'s.
pub(crate) struct Pending {
    pub args: CommitArgs,
    pub reply: oneshot::Sender<Result<i64, StoreError>>,
}

/// Takes step commits from `queue` and saves them in groups until the queue closes.
pub(crate) async fn run(pool: Pool, queue: mpsc::UnboundedReceiver<Pending>) {
    crate::groups::run(
        queue,
        IN_FLIGHT,
        MAX_GROUP,
        |_: &Pending| None,
        move |group| {
            let pool = pool.clone();
            async move { save_group(&pool, group).await }
        },
    )
    .await;
}

async fn save_group(pool: &Pool, group: Vec<Pending>) {
    let mut c = match pool.get().await {
        Ok(c) => c,
        Err(e) => {
            let e = crate::error::pool(e);
            for p in group {
                let _ = p.reply.send(Err(e.clone()));
            }
            return;
        }
    };
    if group.len() > 1 {
        match save_together(&mut c, &group).await {
            Ok(codes) => {
                for (p, code) in group.into_iter().zip(codes) {
                    let _ = p.reply.send(Ok(code));
                }
                return;
            }
            Err(Failed::AtCommit(e)) => {
                for p in group {
                    let _ = p.reply.send(Err(e.clone()));
                }
                return;
            }
            // Nothing was saved: one by one below.
            Err(Failed::Before(e)) => {
                tracing::debug!(
                    "a group of {} steps failed ({e}); saving them one by one",
                    group.len()
                );
            }
        }
    }
    for p in group {
        let _ = p.reply.send(save_one(&c, &p.args).await);
    }
}

enum Failed {
    /// Before COMMIT: the transaction was rolled back.
    Before(StoreError),
    /// At COMMIT: the group may or may not have been saved.
    AtCommit(StoreError),
}

/// Every step's call sent at once in one transaction; their answers, once it has committed.
async fn save_together(
    c: &mut deadpool_postgres::Object,
    group: &[Pending],
) -> Result<Vec<i64>, Failed> {
    let tx = c.transaction().await.map_err(|e| Failed::Before(pg(e)))?;
    let statement = tx
        .prepare_cached(SQL)
        .await
        .map_err(|e| Failed::Before(pg(e)))?;
    let params: Vec<_> = group.iter().map(|p| p.args.params()).collect();
    let answers = join_all(params.iter().map(|p| tx.query_one(&statement, p))).await;
    let mut codes = Vec::with_capacity(answers.len());
    for answer in answers {
        let row = answer.map_err(|e| Failed::Before(pg(e)))?;
        codes.push(get(&row, 0).map_err(Failed::Before)?);
    }
    tx.commit().await.map_err(|e| Failed::AtCommit(pg(e)))?;
    Ok(codes)
}

/// One step in a transaction of its own (autocommit: one round trip).
async fn save_one(c: &deadpool_postgres::Object, args: &CommitArgs) -> Result<i64, StoreError> {
    match query_opt(c, SQL, &args.params()).await? {
        Some(r) => get(&r, 0),
        None => Err(invalid("estado_commit_step answered no row".into())),
    }
}

/// A step's commit as `estado_commit_step`'s arguments.
pub(crate) struct CommitArgs {
    arn: String,
    owner: String,
    expected: i64,
    snapshot: Vec<u8>,
    chunks: ChunkArrays,
    consumed: Vec<i64>,
    cancel_keys: Vec<i64>,
    inbox: InboxArrays,
    cancel_tasks: Vec<i64>,
    tasks: TaskArrays,
    dispatches: DispatchArrays,
    has_update: bool,
    status: Option<String>,
    stop_ms: Option<i64>,
    output: Option<String>,
    error: Option<String>,
    cause: Option<String>,
}

impl CommitArgs {
    pub(crate) fn new(owner: &str, c: &StepCommit) -> Result<CommitArgs, StoreError> {
        let u = c.update.as_ref();
        Ok(CommitArgs {
            arn: c.execution_arn.clone(),
            owner: owner.to_owned(),
            expected: to_i64(c.expected_version, "expected version")?,
            snapshot: c.snapshot.clone(),
            chunks: ChunkArrays::new(c.chunks.clone(), &c.events),
            consumed: c
                .consumed
                .iter()
                .filter_map(|id| i64::try_from(*id).ok())
                .collect(),
            cancel_keys: c.cancel_keys.iter().map(|k| label_to_sql(*k)).collect(),
            inbox: InboxArrays::new(&c.new_inbox),
            cancel_tasks: c.cancel_tasks.iter().map(|k| label_to_sql(*k)).collect(),
            tasks: TaskArrays::new(&c.new_tasks),
            dispatches: DispatchArrays::new(&c.new_dispatches),
            has_update: u.is_some(),
            status: u.map(|u| u.status.clone()),
            stop_ms: u.and_then(|u| u.stop_ms),
            output: u.and_then(|u| u.output.clone()),
            error: u.and_then(|u| u.error.clone()),
            cause: u.and_then(|u| u.cause.clone()),
        })
    }

    fn params(&self) -> [&(dyn ToSql + Sync); 32] {
        let (t, d) = (&self.tasks, &self.dispatches);
        [
            &self.arn,
            &self.owner,
            &self.expected,
            &self.snapshot,
            &self.chunks.first,
            &self.chunks.last,
            &self.chunks.body,
            &self.consumed,
            &self.cancel_keys,
            &self.inbox.due,
            &self.inbox.key,
            &self.inbox.payload,
            &self.cancel_tasks,
            &t.token,
            &t.execution_arn,
            &t.effect_id,
            &t.activity_arn,
            &t.input,
            &t.created_ms,
            &t.worker,
            &d.arn,
            &d.effect_id,
            &d.payload,
            &d.created_ms,
            &d.owner,
            &d.until,
            &self.has_update,
            &self.status,
            &self.stop_ms,
            &self.output,
            &self.error,
            &self.cause,
        ]
    }
}

/// New tasks as column arrays; a task whose token exists replaces it (tokens are the
/// engine's, unique by construction; replacing matches the in-memory store).
pub(crate) struct TaskArrays {
    token: Vec<String>,
    execution_arn: Vec<String>,
    effect_id: Vec<i64>,
    activity_arn: Vec<Option<String>>,
    input: Vec<String>,
    created_ms: Vec<i64>,
    worker: Vec<Option<String>>,
}

impl TaskArrays {
    fn new(tasks: &[Task]) -> TaskArrays {
        TaskArrays {
            token: tasks.iter().map(|t| t.token.clone()).collect(),
            execution_arn: tasks.iter().map(|t| t.execution_arn.clone()).collect(),
            effect_id: tasks.iter().map(|t| label_to_sql(t.effect_id)).collect(),
            activity_arn: tasks.iter().map(|t| t.activity_arn.clone()).collect(),
            input: tasks.iter().map(|t| t.input.clone()).collect(),
            created_ms: tasks.iter().map(|t| t.created_ms).collect(),
            worker: tasks.iter().map(|t| t.worker.clone()).collect(),
        }
    }
}

/// New dispatches as column arrays; one with the same key replaces the old.
pub(crate) struct DispatchArrays {
    arn: Vec<String>,
    effect_id: Vec<i64>,
    payload: Vec<Vec<u8>>,
    created_ms: Vec<i64>,
    owner: Vec<Option<String>>,
    until: Vec<Option<i64>>,
}

impl DispatchArrays {
    fn new(rows: &[Dispatch]) -> DispatchArrays {
        DispatchArrays {
            arn: rows.iter().map(|d| d.execution_arn.clone()).collect(),
            effect_id: rows.iter().map(|d| label_to_sql(d.effect_id)).collect(),
            payload: rows.iter().map(|d| d.payload.clone()).collect(),
            created_ms: rows.iter().map(|d| d.created_ms).collect(),
            owner: rows
                .iter()
                .map(|d| d.lease.as_ref().map(|l| l.0.clone()))
                .collect(),
            until: rows.iter().map(|d| d.lease.as_ref().map(|l| l.1)).collect(),
        }
    }
}
