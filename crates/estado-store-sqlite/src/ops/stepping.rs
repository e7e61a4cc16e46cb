//! Claiming executions, committing steps, delivering to inboxes, and wake-up times.

use estado_store::chunks::HistoryChunk;
use estado_store::{Claim, InboxRow, NewInbox, StepCommit, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

use super::executions::{execution_from_row, insert_events, insert_inbox, EXECUTION_COLUMNS};
use super::u64_col;
use crate::error::{label_from_sql, label_to_sql, to_u64, OpResult};
use crate::packed::Packed;

/// Walks due rows oldest first (the `inbox_by_due` index) and leases the first `limit`
/// distinct executions without a live lease.
pub(crate) fn claim_runnable(
    conn: &Connection,
    owner: &str,
    now_ms: i64,
    lease_ms: i64,
    limit: usize,
) -> OpResult<Vec<Claim>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let mut ids: Vec<i64> = Vec::new();
    {
        let mut stmt = conn.prepare_cached(
            "SELECT i.execution_id FROM inbox i JOIN executions e ON e.id = i.execution_id \
             WHERE i.due_ms <= ?1 AND (e.lease_until IS NULL OR e.lease_until <= ?1) \
             ORDER BY i.due_ms, i.id",
        )?;
        let mut rows = stmt.query([now_ms])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            if !ids.contains(&id) {
                ids.push(id);
                if ids.len() >= limit {
                    break;
                }
            }
        }
    }
    let until = now_ms.saturating_add(lease_ms);
    let mut claims = Vec::with_capacity(ids.len());
    for id in ids {
        conn.prepare_cached(
            "UPDATE executions SET lease_owner = ?2, lease_until = ?3 WHERE id = ?1",
        )?
        .execute(params![id, owner, until])?;
        let execution = conn
            .prepare_cached(&format!(
                "SELECT {EXECUTION_COLUMNS} FROM executions WHERE id = ?1"
            ))?
            .query_row([id], execution_from_row)?;
        let snapshot: Vec<u8> = conn
            .prepare_cached("SELECT data FROM snapshots WHERE execution_id = ?1")?
            .query_row([id], |r| r.get(0))
            .optional()?
            .unwrap_or_default();
        let inbox = due_rows(conn, id, now_ms)?;
        claims.push(Claim {
            execution,
            snapshot,
            inbox,
        });
    }
    Ok(claims)
}

fn due_rows(conn: &Connection, id: i64, now_ms: i64) -> OpResult<Vec<InboxRow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, due_ms, key, payload FROM inbox \
         WHERE execution_id = ?1 AND due_ms <= ?2 ORDER BY id",
    )?;
    let rows = stmt.query_map(params![id, now_ms], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Option<i64>>(2)?,
            r.get::<_, Vec<u8>>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (row_id, due_ms, key, payload) = row?;
        out.push(InboxRow {
            id: to_u64(row_id, "inbox id")?,
            due_ms,
            key: key.map(label_from_sql),
            payload,
        });
    }
    Ok(out)
}

/// Checks version and lease, then applies the step in the order the in-memory store does:
/// consumed rows, cancelled keys, new rows (so a step may re-arm a timer it cancels), task
/// cancellations, new tasks, dispatch cancellations, new dispatches, and finally the summary with the lease released.
/// `c.events` are ignored: `events` holds them, encoded.
/// `output`: the terminal update's output, taken out of `c` and compressed beforehand (see
/// [`crate::packed`]).
pub(crate) fn commit_step(
    conn: &Connection,
    owner: &str,
    c: &StepCommit,
    output: Option<&Packed>,
    events: &[HistoryChunk],
) -> OpResult<()> {
    let found: Option<(i64, u64, Option<String>)> = conn
        .prepare_cached("SELECT id, version, lease_owner FROM executions WHERE arn = ?1")?
        .query_row([&c.execution_arn], |r| {
            Ok((r.get(0)?, u64_col(r, 1)?, r.get(2)?))
        })
        .optional()?;
    let Some((id, version, lease_owner)) = found else {
        return Err(StoreError::NotFound(c.execution_arn.clone()).into());
    };
    if version != c.expected_version {
        return Err(StoreError::Conflict(format!(
            "{} is at version {version}, not {}",
            c.execution_arn, c.expected_version
        ))
        .into());
    }
    if lease_owner.as_deref().is_some_and(|o| o != owner) {
        return Err(StoreError::Conflict(format!(
            "{} is leased by another worker",
            c.execution_arn
        ))
        .into());
    }

    insert_events(conn, id, events)?;
    if !c.consumed.is_empty() {
        let mut stmt =
            conn.prepare_cached("DELETE FROM inbox WHERE id = ?1 AND execution_id = ?2")?;
        for row in &c.consumed {
            // An id beyond i64 cannot name a stored row; there is nothing to delete.
            if let Ok(row) = i64::try_from(*row) {
                stmt.execute(params![row, id])?;
            }
        }
    }
    if !c.cancel_keys.is_empty() {
        let mut stmt =
            conn.prepare_cached("DELETE FROM inbox WHERE execution_id = ?1 AND key = ?2")?;
        for key in &c.cancel_keys {
            stmt.execute(params![id, label_to_sql(*key)])?;
        }
    }
    insert_inbox(conn, id, &c.new_inbox)?;
    if !c.cancel_tasks.is_empty() {
        let mut stmt =
            conn.prepare_cached("DELETE FROM tasks WHERE execution_arn = ?1 AND effect_id = ?2")?;
        for effect in &c.cancel_tasks {
            stmt.execute(params![c.execution_arn, label_to_sql(*effect)])?;
        }
    }
    super::tasks::insert_tasks(conn, &c.new_tasks)?;
    super::dispatches::cancel(conn, &c.execution_arn, &c.cancel_tasks)?;
    super::dispatches::insert(conn, &c.new_dispatches)?;

    conn.prepare_cached("UPDATE snapshots SET data = ?2 WHERE execution_id = ?1")?
        .execute(params![id, c.snapshot])?;
    match &c.update {
        Some(u) => conn
            .prepare_cached(
                "UPDATE executions SET version = version + 1, lease_owner = NULL, \
                 lease_until = NULL, status = ?2, stop_ms = ?3, output = ?4, error = ?5, \
                 cause = ?6 WHERE id = ?1",
            )?
            .execute(params![id, u.status, u.stop_ms, output, u.error, u.cause])?,
        None => conn
            .prepare_cached(
                "UPDATE executions SET version = version + 1, lease_owner = NULL, \
                 lease_until = NULL WHERE id = ?1",
            )?
            .execute([id])?,
    };
    Ok(())
}

pub(crate) fn deliver(conn: &Connection, row: &NewInbox, execution_arn: &str) -> OpResult<bool> {
    let open: Option<i64> = conn
        .prepare_cached("SELECT id FROM executions WHERE arn = ?1 AND status = 'RUNNING'")?
        .query_row([execution_arn], |r| r.get(0))
        .optional()?;
    let Some(id) = open else {
        return Ok(false);
    };
    insert_inbox(conn, id, std::slice::from_ref(row))?;
    Ok(true)
}

/// Reopens a failed, timed-out or aborted execution for a redrive, with `row` to start it.
pub(crate) fn reopen(
    conn: &Connection,
    execution_arn: &str,
    now_ms: i64,
    row: &NewInbox,
) -> OpResult<bool> {
    let reopened: Option<i64> = conn
        .prepare_cached(
            "UPDATE executions SET status = 'RUNNING', redrive_count = redrive_count + 1, \
             redrive_ms = ?2, stop_ms = NULL, output = NULL, error = NULL, cause = NULL, \
             version = version + 1 \
             WHERE arn = ?1 AND status IN ('FAILED', 'TIMED_OUT', 'ABORTED') RETURNING id",
        )?
        .query_row(params![execution_arn, now_ms], |r| r.get(0))
        .optional()?;
    let Some(id) = reopened else {
        return Ok(false);
    };
    insert_inbox(conn, id, std::slice::from_ref(row))?;
    Ok(true)
}

/// Drops every lease, of executions and dispatches (a single node starting on its own store).
pub(crate) fn release_leases(conn: &Connection) -> OpResult<u64> {
    let n = conn
        .prepare_cached(
            "UPDATE executions SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL",
        )?
        .execute([])?;
    Ok(n as u64 + super::dispatches::release(conn)?)
}

/// The earliest time a claim could succeed: per execution, its earliest due row or, when
/// later, its lease's end. Rows are walked in due order; the walk stops at the first row due
/// no earlier than the best time found, so it reads little more than the rows of leased
/// executions.
pub(crate) fn next_due(conn: &Connection) -> OpResult<Option<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT i.due_ms, e.lease_until FROM inbox i JOIN executions e ON e.id = i.execution_id \
         ORDER BY i.due_ms",
    )?;
    let mut rows = stmt.query([])?;
    let mut best: Option<i64> = None;
    while let Some(row) = rows.next()? {
        let due: i64 = row.get(0)?;
        if best.is_some_and(|b| due >= b) {
            break;
        }
        let lease_until: Option<i64> = row.get(1)?;
        let candidate = lease_until.map_or(due, |until| due.max(until));
        best = Some(best.map_or(candidate, |b| b.min(candidate)));
    }
    Ok(best)
}
