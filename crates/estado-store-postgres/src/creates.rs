//! New executions written in groups (see [`crate::groups`]): the executions that callers ask
//! to create while earlier groups are being written go in together, as one statement and one
//! transaction. A StartExecution of a short machine is one small execution row and one history
//! chunk, so writing them one transaction each spends most of the server's CPU on the
//! transactions.
//!
//! Each execution keeps its own outcome: the group's insert skips executions whose ARN is taken
//! (`ON CONFLICT DO NOTHING`) and says which it inserted, so those answer `AlreadyExists`. Two
//! creations of one ARN never share a group (the second waits for the next), but groups in
//! flight at once may hold creations of the same ARNs in different orders; the server breaks
//! such a deadlock by aborting one of them, which then runs again. If the group's
//! statement fails as a whole, its executions are written again one by one, so that one
//! execution's failure is not the others'.

use std::collections::HashSet;
use std::sync::LazyLock;

use deadpool_postgres::Pool;
use estado_store::{NewExecution, StoreError};
use tokio::sync::{mpsc, oneshot};

use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;

use crate::error::{invalid, pg, to_i64};
use crate::ops::{ChunkArrays, EXECUTION_COLUMNS};

/// Groups being written at once (each holds a pooled connection while it does).
const IN_FLIGHT: usize = 4;
/// Executions in one group at most.
const MAX_GROUP: usize = 256;
/// Times a group's statement is run again after the server broke a deadlock by aborting it.
const DEADLOCK_RETRIES: u32 = 8;

/// An execution to create, with its history already encoded.
pub(crate) struct Pending {
    pub execution: NewExecution,
    pub chunks: ChunkArrays,
    pub reply: oneshot::Sender<Result<(), StoreError>>,
}

/// Takes creations from `queue` and writes them in groups until the queue closes.
pub(crate) async fn run(pool: Pool, queue: mpsc::UnboundedReceiver<Pending>) {
    crate::groups::run(
        queue,
        IN_FLIGHT,
        MAX_GROUP,
        |p: &Pending| Some(p.execution.execution.arn.as_str()),
        move |group| {
            let pool = pool.clone();
            async move { write_group(&pool, group).await }
        },
    )
    .await;
}

/// Writes a group and answers each of its callers.
async fn write_group(pool: &Pool, group: Vec<Pending>) {
    let (replies, rows): (Vec<_>, Vec<_>) = group
        .into_iter()
        .map(|p| (p.reply, (p.execution, p.chunks)))
        .unzip();
    match insert(pool, &rows).await {
        Ok(inserted) => {
            let inserted: HashSet<String> = inserted.into_iter().collect();
            for (reply, (e, _)) in replies.into_iter().zip(&rows) {
                let arn = &e.execution.arn;
                let _ = reply.send(if inserted.contains(arn) {
                    Ok(())
                } else {
                    Err(StoreError::AlreadyExists(arn.clone()))
                });
            }
        }
        // The database refused the group (not the connection): one by one, each its own.
        Err(StoreError::Backend {
            retryable: false, ..
        }) if rows.len() > 1 => {
            for (reply, row) in replies.into_iter().zip(rows) {
                let arn = row.0.execution.arn.clone();
                let outcome = insert(pool, &[row]).await.and_then(|inserted| {
                    if inserted.is_empty() {
                        Err(StoreError::AlreadyExists(arn))
                    } else {
                        Ok(())
                    }
                });
                let _ = reply.send(outcome);
            }
        }
        Err(e) => {
            for reply in replies {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
}

/// One statement: the executions whose ARN is free, their history chunks and inbox rows;
/// returns the ARNs inserted.
async fn insert(
    pool: &Pool,
    rows: &[(NewExecution, ChunkArrays)],
) -> Result<Vec<String>, StoreError> {
    let n = rows.len();
    let mut x = Columns::with_capacity(n);
    let (mut chunk_arn, mut chunk_first, mut chunk_last, mut chunk_body) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut inbox_arn, mut inbox_due, mut inbox_key, mut inbox_payload) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (e, chunks) in rows {
        let r = &e.execution;
        x.arn.push(r.arn.as_str());
        x.state_machine_arn.push(r.state_machine_arn.as_str());
        x.name.push(r.name.as_str());
        x.kind.push(r.kind.as_str());
        x.status.push(r.status.as_str());
        x.start_ms.push(r.start_ms);
        x.stop_ms.push(r.stop_ms);
        x.input.push(r.input.as_str());
        x.output.push(r.output.as_deref());
        x.error.push(r.error.as_deref());
        x.cause.push(r.cause.as_deref());
        x.definition.push(r.definition.as_str());
        x.role_arn.push(r.role_arn.as_str());
        x.version_arn.push(r.version_arn.as_deref());
        x.alias_arn.push(r.alias_arn.as_deref());
        x.trace_header.push(r.trace_header.as_deref());
        x.redrive_count.push(i64::from(r.redrive_count));
        x.redrive_ms.push(r.redrive_ms);
        x.version.push(to_i64(r.version, "execution version")?);
        x.snapshot.push(e.snapshot.as_slice());
        for i in 0..chunks.first.len() {
            chunk_arn.push(r.arn.as_str());
            chunk_first.push(chunks.first[i]);
            chunk_last.push(chunks.last[i]);
            chunk_body.push(chunks.body[i].as_slice());
        }
        for row in &e.inbox {
            inbox_arn.push(r.arn.as_str());
            inbox_due.push(row.due_ms);
            inbox_key.push(row.key.map(crate::error::label_to_sql));
            inbox_payload.push(row.payload.as_slice());
        }
    }
    let params: [&(dyn ToSql + Sync); 28] = [
        &x.arn,
        &x.state_machine_arn,
        &x.name,
        &x.kind,
        &x.status,
        &x.start_ms,
        &x.stop_ms,
        &x.input,
        &x.output,
        &x.error,
        &x.cause,
        &x.definition,
        &x.role_arn,
        &x.version_arn,
        &x.alias_arn,
        &x.trace_header,
        &x.redrive_count,
        &x.redrive_ms,
        &x.version,
        &x.snapshot,
        &chunk_arn,
        &chunk_first,
        &chunk_last,
        &chunk_body,
        &inbox_arn,
        &inbox_due,
        &inbox_key,
        &inbox_payload,
    ];
    let c = pool.get().await.map_err(crate::error::pool)?;
    let statement = c.prepare_cached(&INSERT_SQL).await.map_err(pg)?;
    let mut deadlocks = 0;
    let found = loop {
        match c.query(&statement, &params).await {
            Ok(found) => break found,
            // Two groups in flight hold creations of the same ARNs, taken in opposite orders
            // (each group keeps its callers' order, for the executions' ids): the server
            // aborted this one, and nothing of it was written. Once the other has committed,
            // this one finds those ARNs taken.
            Err(e)
                if e.code() == Some(&SqlState::T_R_DEADLOCK_DETECTED)
                    && deadlocks < DEADLOCK_RETRIES =>
            {
                deadlocks += 1;
            }
            Err(e) => return Err(pg(e)),
        }
    };
    found
        .iter()
        .map(|r| r.try_get::<_, String>(0).map_err(crate::error::pg))
        .collect()
}

/// The executions' columns, in [`EXECUTION_COLUMNS`] order, then the snapshot.
struct Columns<'a> {
    arn: Vec<&'a str>,
    state_machine_arn: Vec<&'a str>,
    name: Vec<&'a str>,
    kind: Vec<&'a str>,
    status: Vec<&'a str>,
    start_ms: Vec<i64>,
    stop_ms: Vec<Option<i64>>,
    input: Vec<&'a str>,
    output: Vec<Option<&'a str>>,
    error: Vec<Option<&'a str>>,
    cause: Vec<Option<&'a str>>,
    definition: Vec<&'a str>,
    role_arn: Vec<&'a str>,
    version_arn: Vec<Option<&'a str>>,
    alias_arn: Vec<Option<&'a str>>,
    trace_header: Vec<Option<&'a str>>,
    redrive_count: Vec<i64>,
    redrive_ms: Vec<Option<i64>>,
    version: Vec<i64>,
    snapshot: Vec<&'a [u8]>,
}

impl<'a> Columns<'a> {
    fn with_capacity(n: usize) -> Columns<'a> {
        Columns {
            arn: Vec::with_capacity(n),
            state_machine_arn: Vec::with_capacity(n),
            name: Vec::with_capacity(n),
            kind: Vec::with_capacity(n),
            status: Vec::with_capacity(n),
            start_ms: Vec::with_capacity(n),
            stop_ms: Vec::with_capacity(n),
            input: Vec::with_capacity(n),
            output: Vec::with_capacity(n),
            error: Vec::with_capacity(n),
            cause: Vec::with_capacity(n),
            definition: Vec::with_capacity(n),
            role_arn: Vec::with_capacity(n),
            version_arn: Vec::with_capacity(n),
            alias_arn: Vec::with_capacity(n),
            trace_header: Vec::with_capacity(n),
            redrive_count: Vec::with_capacity(n),
            redrive_ms: Vec::with_capacity(n),
            version: Vec::with_capacity(n),
            snapshot: Vec::with_capacity(n),
        }
    }
}

/// The group's statement: executions from column arrays (in order, so that ids follow the
/// callers' order), then the chunks and inbox rows of those inserted, matched by ARN (unique
/// within a group).
static INSERT_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH x AS (SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], \
             $5::text[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::text[], \
             $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], \
             $17::bigint[], $18::bigint[], $19::bigint[], $20::bytea[]) WITH ORDINALITY \
             AS t({EXECUTION_COLUMNS}, snapshot, n)), \
         e AS (INSERT INTO executions ({EXECUTION_COLUMNS}, snapshot) \
             SELECT {EXECUTION_COLUMNS}, snapshot FROM x ORDER BY n \
             ON CONFLICT (arn) DO NOTHING RETURNING id, arn), \
         ev AS (INSERT INTO history_chunks (execution_id, first_id, last_id, body) \
             SELECT e.id, c.f, c.l, c.b FROM e \
             JOIN UNNEST($21::text[], $22::bigint[], $23::bigint[], $24::bytea[]) \
                 AS c(arn, f, l, b) ON c.arn = e.arn), \
         ib AS (INSERT INTO inbox (execution_id, due_ms, key, payload) \
             SELECT e.id, i.d, i.k, i.p FROM e \
             JOIN UNNEST($25::text[], $26::bigint[], $27::bigint[], $28::bytea[]) \
                 WITH ORDINALITY AS i(arn, d, k, p, n) ON i.arn = e.arn ORDER BY i.n \
             ON CONFLICT (execution_id, key) WHERE key IS NOT NULL DO NOTHING) \
         SELECT arn FROM e"
    )
});

/// The answer when the writer went away (the store dropped) before answering.
pub(crate) fn closed() -> StoreError {
    invalid("the store was closed while an execution was being created".into())
}
