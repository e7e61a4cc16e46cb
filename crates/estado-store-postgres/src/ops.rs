//! Statement helpers and the mapping between rows and records.

use deadpool_postgres::GenericClient;
use estado_json::Value;
use estado_store::{Dispatch, Execution, NewInbox, StoreError, Task};
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::Row;

use crate::error::{json, label_from_sql, label_to_sql, pg, to_u32, to_u64};

pub(crate) type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

pub(crate) async fn query<C: GenericClient>(
    c: &C,
    sql: &str,
    params: Params<'_>,
) -> Result<Vec<Row>, StoreError> {
    let st = c.prepare_cached(sql).await.map_err(pg)?;
    c.query(&st, params).await.map_err(pg)
}

pub(crate) async fn query_opt<C: GenericClient>(
    c: &C,
    sql: &str,
    params: Params<'_>,
) -> Result<Option<Row>, StoreError> {
    let st = c.prepare_cached(sql).await.map_err(pg)?;
    c.query_opt(&st, params).await.map_err(pg)
}

pub(crate) async fn execute<C: GenericClient>(
    c: &C,
    sql: &str,
    params: Params<'_>,
) -> Result<u64, StoreError> {
    let st = c.prepare_cached(sql).await.map_err(pg)?;
    c.execute(&st, params).await.map_err(pg)
}

/// Column `i` of a row.
pub(crate) fn get<'a, T: FromSql<'a>>(r: &'a Row, i: usize) -> Result<T, StoreError> {
    r.try_get(i).map_err(pg)
}

pub(crate) fn json_to_sql(v: &Option<Value>) -> Result<Option<String>, StoreError> {
    v.as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(json)
}

pub(crate) fn json_col(r: &Row, i: usize) -> Result<Option<Value>, StoreError> {
    let text: Option<String> = get(r, i)?;
    text.map(|t| serde_json::from_str(&t).map_err(json))
        .transpose()
}

/// LIMIT takes a signed integer; any `usize` larger than that means "no limit".
pub(crate) fn sql_limit(limit: usize) -> i64 {
    i64::try_from(limit).unwrap_or(i64::MAX)
}

/// The summary columns, in [`execution_from_row`]'s order.
pub(crate) const EXECUTION_COLUMNS: &str = "arn, state_machine_arn, name, kind, status, \
     start_ms, stop_ms, input, output, error, cause, definition, role_arn, version_arn, \
     alias_arn, trace_header, redrive_count, redrive_ms, version";

/// An execution from the [`EXECUTION_COLUMNS`] starting at column `at`.
pub(crate) fn execution_from_row(r: &Row, at: usize) -> Result<Execution, StoreError> {
    Ok(Execution {
        arn: get(r, at)?,
        state_machine_arn: get(r, at + 1)?,
        name: get(r, at + 2)?,
        kind: get(r, at + 3)?,
        status: get(r, at + 4)?,
        start_ms: get(r, at + 5)?,
        stop_ms: get(r, at + 6)?,
        input: get(r, at + 7)?,
        output: get(r, at + 8)?,
        error: get(r, at + 9)?,
        cause: get(r, at + 10)?,
        definition: get(r, at + 11)?,
        role_arn: get(r, at + 12)?,
        version_arn: get(r, at + 13)?,
        alias_arn: get(r, at + 14)?,
        trace_header: get(r, at + 15)?,
        redrive_count: to_u32(get(r, at + 16)?, "redrive count")?,
        redrive_ms: get(r, at + 17)?,
        version: to_u64(get(r, at + 18)?, "execution version")?,
    })
}

pub(crate) const TASK_COLUMNS: &str =
    "token, execution_arn, effect_id, activity_arn, input, created_ms, worker";

pub(crate) fn task_from_row(r: &Row) -> Result<Task, StoreError> {
    Ok(Task {
        token: get(r, 0)?,
        execution_arn: get(r, 1)?,
        effect_id: label_from_sql(get(r, 2)?),
        activity_arn: get(r, 3)?,
        input: get(r, 4)?,
        created_ms: get(r, 5)?,
        worker: get(r, 6)?,
    })
}

pub(crate) const DISPATCH_COLUMNS: &str =
    "execution_arn, effect_id, payload, created_ms, lease_owner, lease_until";

pub(crate) fn dispatch_from_row(r: &Row) -> Result<Dispatch, StoreError> {
    let owner: Option<String> = get(r, 4)?;
    let until: Option<i64> = get(r, 5)?;
    Ok(Dispatch {
        execution_arn: get(r, 0)?,
        effect_id: label_from_sql(get(r, 1)?),
        payload: get(r, 2)?,
        created_ms: get(r, 3)?,
        lease: owner.zip(until),
    })
}

/// Inbox rows as column arrays (due times, keys, payloads), for `UNNEST`.
pub(crate) struct InboxArrays {
    pub due: Vec<i64>,
    pub key: Vec<Option<i64>>,
    pub payload: Vec<Vec<u8>>,
}

impl InboxArrays {
    pub(crate) fn new(rows: &[NewInbox]) -> InboxArrays {
        InboxArrays {
            due: rows.iter().map(|r| r.due_ms).collect(),
            key: rows.iter().map(|r| r.key.map(label_to_sql)).collect(),
            payload: rows.iter().map(|r| r.payload.clone()).collect(),
        }
    }
}

/// History events in their stored form: chunks of consecutive events (see
/// [`estado_store::chunks`]), as column arrays for `UNNEST`.
pub(crate) struct ChunkArrays {
    pub first: Vec<i64>,
    pub last: Vec<i64>,
    pub body: Vec<Vec<u8>>,
}

impl ChunkArrays {
    /// `ahead` (chunks the engine encoded while the step ran), then `events` encoded here.
    pub(crate) fn new(
        ahead: Vec<estado_store::chunks::HistoryChunk>,
        events: &[estado_types::history::HistoryEvent],
    ) -> ChunkArrays {
        let mut chunks = ahead;
        chunks.extend(estado_store::chunks::encode_chunks(events, None));
        let mut out = ChunkArrays {
            first: Vec::with_capacity(chunks.len()),
            last: Vec::with_capacity(chunks.len()),
            body: Vec::with_capacity(chunks.len()),
        };
        for c in chunks {
            out.first.push(c.first_id);
            out.last.push(c.last_id);
            out.body.push(c.body);
        }
        out
    }
}
