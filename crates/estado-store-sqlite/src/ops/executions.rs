//! Creating, reading and listing executions; their history.

use estado_store::chunks::{self, HistoryChunk};
use estado_store::{Execution, ExecutionQuery, NewExecution, NewInbox, StoreError};
use estado_types::history::HistoryEvent;
use rusqlite::types::{ToSql, ValueRef};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{sql_limit, u64_col};
use crate::error::{label_to_sql, to_i64, OpError, OpResult};
use crate::packed::{Packed, Unpacked};

/// The summary columns, in [`execution_from_row`]'s order.
pub(crate) const EXECUTION_COLUMNS: &str = "arn, state_machine_arn, name, kind, status, \
     start_ms, stop_ms, input, output, error, cause, definition, role_arn, version_arn, \
     alias_arn, trace_header, redrive_count, redrive_ms, version";

/// [`EXECUTION_COLUMNS`] for a list: the same order, without the documents (input, output,
/// definition), which a list leaves empty (see `Store::list_executions`): a page of 1,000
/// executions with 200 KB inputs would otherwise read and decompress 200 MB to show none of it.
const SUMMARY_COLUMNS: &str = "arn, state_machine_arn, name, kind, status, \
     start_ms, stop_ms, '', NULL, error, cause, '', role_arn, version_arn, \
     alias_arn, trace_header, redrive_count, redrive_ms, version";

/// [`EXECUTION_COLUMNS`] for `Store::get_execution_metadata`: the same order, without the
/// documents, except whether there is an output (an empty one when there is). Polling a
/// map_10k execution read and decompressed its 208 KB input on every call.
const METADATA_COLUMNS: &str = "arn, state_machine_arn, name, kind, status, \
     start_ms, stop_ms, '', CASE WHEN output IS NULL THEN NULL ELSE '' END, error, cause, '', \
     role_arn, version_arn, alias_arn, trace_header, redrive_count, redrive_ms, version";

pub(crate) fn execution_from_row(r: &Row) -> rusqlite::Result<Execution> {
    Ok(Execution {
        arn: r.get(0)?,
        state_machine_arn: r.get(1)?,
        name: r.get(2)?,
        kind: r.get(3)?,
        status: r.get(4)?,
        start_ms: r.get(5)?,
        stop_ms: r.get(6)?,
        input: r.get::<_, Unpacked>(7)?.0,
        output: r.get::<_, Option<Unpacked>>(8)?.map(|o| o.0),
        error: r.get(9)?,
        cause: r.get(10)?,
        definition: r.get(11)?,
        role_arn: r.get(12)?,
        version_arn: r.get(13)?,
        alias_arn: r.get(14)?,
        trace_header: r.get(15)?,
        redrive_count: r.get(16)?,
        redrive_ms: r.get(17)?,
        version: u64_col(r, 18)?,
    })
}

/// The row id of an execution, which events, inbox rows and snapshots refer to.
pub(crate) fn execution_id(conn: &Connection, arn: &str) -> OpResult<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM executions WHERE arn = ?1")?
        .query_row([arn], |r| r.get(0))
        .optional()?)
}

/// History events in their stored form: chunks of consecutive events.
pub(crate) type EncodedEvents = Vec<HistoryChunk>;

/// Encodes events for [`insert_events`]. Callers do this before handing work to the writer,
/// so that the one writer thread spends its time on SQL only.
pub(crate) fn encode_events(events: &[HistoryEvent]) -> EncodedEvents {
    chunks::encode_chunks(events, None)
}

pub(crate) fn insert_events(conn: &Connection, id: i64, chunks: &[HistoryChunk]) -> OpResult<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT INTO history_chunks (execution_id, first_id, last_id, body) \
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for c in chunks {
        stmt.execute(params![id, c.first_id, c.last_id, c.body])?;
    }
    Ok(())
}

/// Adds inbox rows; a row whose key is already pending for the execution is dropped.
pub(crate) fn insert_inbox(conn: &Connection, id: i64, rows: &[NewInbox]) -> OpResult<()> {
    let mut stmt = conn.prepare_cached(
        "INSERT OR IGNORE INTO inbox (execution_id, due_ms, key, payload) \
         VALUES (?1, ?2, ?3, ?4)",
    )?;
    for row in rows {
        stmt.execute(params![
            id,
            row.due_ms,
            row.key.map(label_to_sql),
            row.payload
        ])?;
    }
    Ok(())
}

/// `e.events` are ignored: `events` holds them, encoded.
/// `e`'s record is written with `input` and `output` for its own (taken out and compressed
/// beforehand: see [`crate::packed`]).
pub(crate) fn create_execution(
    conn: &Connection,
    e: &NewExecution,
    input: &Packed,
    output: Option<&Packed>,
    events: &[HistoryChunk],
) -> OpResult<()> {
    let x = &e.execution;
    if execution_id(conn, &x.arn)?.is_some() {
        return Err(StoreError::AlreadyExists(x.arn.clone()).into());
    }
    let sql = format!(
        "INSERT INTO executions ({EXECUTION_COLUMNS}) VALUES \
         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)"
    );
    conn.prepare_cached(&sql)?.execute(params![
        x.arn,
        x.state_machine_arn,
        x.name,
        x.kind,
        x.status,
        x.start_ms,
        x.stop_ms,
        input,
        output,
        x.error,
        x.cause,
        x.definition,
        x.role_arn,
        x.version_arn,
        x.alias_arn,
        x.trace_header,
        x.redrive_count,
        x.redrive_ms,
        to_i64(x.version, "execution version")?,
    ])?;
    let id = conn.last_insert_rowid();
    conn.prepare_cached("INSERT INTO snapshots (execution_id, data) VALUES (?1, ?2)")?
        .execute(params![id, e.snapshot])?;
    insert_events(conn, id, events)?;
    insert_inbox(conn, id, &e.inbox)
}

pub(crate) fn get_execution(conn: &Connection, arn: &str) -> OpResult<Option<Execution>> {
    execution_by_arn(conn, EXECUTION_COLUMNS, arn)
}

pub(crate) fn get_execution_metadata(conn: &Connection, arn: &str) -> OpResult<Option<Execution>> {
    execution_by_arn(conn, METADATA_COLUMNS, arn)
}

fn execution_by_arn(conn: &Connection, columns: &str, arn: &str) -> OpResult<Option<Execution>> {
    let sql = format!("SELECT {columns} FROM executions WHERE arn = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([arn], execution_from_row)
        .optional()?)
}

/// Newest start first, then newest created (highest id) first. Only the filters given take
/// part in the statement, so SQLite can pick the matching index.
pub(crate) fn list_executions(conn: &Connection, q: &ExecutionQuery) -> OpResult<Vec<Execution>> {
    let mut clauses: Vec<&str> = Vec::new();
    let mut args: Vec<(&str, &dyn ToSql)> = Vec::new();
    if let Some(sm) = &q.state_machine_arn {
        clauses.push("state_machine_arn = :sm");
        args.push((":sm", sm));
    }
    if let Some(va) = &q.version_or_alias_arn {
        clauses.push("(version_arn = :va OR alias_arn = :va)");
        args.push((":va", va));
    }
    if let Some(status) = &q.status {
        clauses.push("status = :status");
        args.push((":status", status));
    }
    if let Some(after) = &q.after {
        clauses.push("(start_ms, id) < (SELECT start_ms, id FROM executions WHERE arn = :after)");
        args.push((":after", after));
    }
    let limit = sql_limit(q.limit);
    args.push((":limit", &limit));
    let filter = if clauses.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", clauses.join(" AND "))
    };
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS} FROM executions {filter} \
         ORDER BY start_ms DESC, id DESC LIMIT :limit"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(args.as_slice(), execution_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The input an execution's record keeps (by row id).
fn input_of(conn: &Connection, id: i64) -> OpResult<String> {
    Ok(conn
        .prepare_cached("SELECT input FROM executions WHERE id = ?1")?
        .query_row([id], |r| r.get::<_, Unpacked>(0))?
        .0)
}

/// Reads the chunks that can hold the page, nearest to `from` first, and takes the page's
/// events out of them; a page needs more than one chunk only where it crosses a chunk's end.
pub(crate) fn history(
    conn: &Connection,
    arn: &str,
    from: i64,
    reverse: bool,
    limit: usize,
) -> OpResult<Vec<HistoryEvent>> {
    let Some(id) = execution_id(conn, arn)? else {
        return Err(StoreError::NotFound(arn.to_owned()).into());
    };
    let mut out = Vec::new();
    if limit == 0 {
        return Ok(out);
    }
    let sql = if reverse {
        "SELECT first_id, body FROM history_chunks WHERE execution_id = ?1 AND first_id < ?2 \
         ORDER BY last_id DESC"
    } else {
        "SELECT first_id, body FROM history_chunks WHERE execution_id = ?1 AND last_id > ?2 \
         ORDER BY last_id"
    };
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params![id, from])?;
    while let Some(row) = rows.next()? {
        // The first chunk's `ExecutionStarted` may refer to the input the record keeps.
        let recorded_input = if row.get::<_, i64>(0)? <= 1 {
            Some(input_of(conn, id)?)
        } else {
            None
        };
        let body = match row.get_ref(1)? {
            ValueRef::Blob(b) | ValueRef::Text(b) => b,
            _ => {
                return Err(OpError::Invalid(format!(
                    "a history chunk of {arn} has no body"
                )))
            }
        };
        let events = chunks::decode_chunk(body, recorded_input.as_deref())
            .map_err(|e| OpError::Invalid(format!("the history of {arn} cannot be read: {e}")))?;
        if reverse {
            out.extend(
                events
                    .into_iter()
                    .rev()
                    .filter(|e| e.id < from)
                    .take(limit - out.len()),
            );
        } else {
            out.extend(
                events
                    .into_iter()
                    .filter(|e| e.id > from)
                    .take(limit - out.len()),
            );
        }
        if out.len() >= limit {
            break;
        }
    }
    Ok(out)
}
