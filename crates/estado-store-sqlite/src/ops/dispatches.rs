//! Runner tasks: the outbox of dispatches.

use estado_store::{Dispatch, NewInbox};
use rusqlite::{params, Connection, OptionalExtension, Row};

use super::executions::insert_inbox;
use super::sql_limit;
use crate::error::{label_from_sql, label_to_sql, OpResult};

const COLUMNS: &str = "execution_arn, effect_id, payload, created_ms, lease_owner, lease_until";

fn from_row(r: &Row) -> rusqlite::Result<Dispatch> {
    let owner: Option<String> = r.get(4)?;
    let until: Option<i64> = r.get(5)?;
    Ok(Dispatch {
        execution_arn: r.get(0)?,
        effect_id: label_from_sql(r.get(1)?),
        payload: r.get(2)?,
        created_ms: r.get(3)?,
        lease: owner.zip(until),
    })
}

/// Adds dispatches (a step's new runner tasks); one with the same key replaces the old.
pub(crate) fn insert(conn: &Connection, rows: &[Dispatch]) -> OpResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let sql = format!("REPLACE INTO dispatches ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    let mut stmt = conn.prepare_cached(&sql)?;
    for x in rows {
        let (owner, until) = x.lease.clone().unzip();
        stmt.execute(params![
            x.execution_arn,
            label_to_sql(x.effect_id),
            x.payload,
            x.created_ms,
            owner,
            until
        ])?;
    }
    Ok(())
}

/// Deletes the dispatches of cancelled tasks.
pub(crate) fn cancel(conn: &Connection, execution_arn: &str, effects: &[u64]) -> OpResult<()> {
    if effects.is_empty() {
        return Ok(());
    }
    let mut stmt =
        conn.prepare_cached("DELETE FROM dispatches WHERE execution_arn = ?1 AND effect_id = ?2")?;
    for effect in effects {
        stmt.execute(params![execution_arn, label_to_sql(*effect)])?;
    }
    Ok(())
}

/// Leases the oldest free dispatches: queued ones (no lease end, first in the index) and those
/// whose lease has ended.
pub(crate) fn claim(
    conn: &Connection,
    owner: &str,
    now_ms: i64,
    lease_ms: i64,
    limit: usize,
) -> OpResult<Vec<Dispatch>> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM dispatches WHERE lease_until IS NULL OR lease_until <= ?1 \
         ORDER BY created_ms, execution_arn, effect_id LIMIT ?2"
    );
    let mut found: Vec<Dispatch> = conn
        .prepare_cached(&sql)?
        .query_map(params![now_ms, sql_limit(limit)], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let until = now_ms.saturating_add(lease_ms);
    let mut stmt = conn.prepare_cached(
        "UPDATE dispatches SET lease_owner = ?3, lease_until = ?4 \
         WHERE execution_arn = ?1 AND effect_id = ?2",
    )?;
    for x in &mut found {
        stmt.execute(params![
            x.execution_arn,
            label_to_sql(x.effect_id),
            owner,
            until
        ])?;
        x.lease = Some((owner.to_owned(), until));
    }
    Ok(found)
}

pub(crate) fn renew(
    conn: &Connection,
    owner: &str,
    keys: &[(String, u64)],
    until_ms: i64,
) -> OpResult<u64> {
    let mut stmt = conn.prepare_cached(
        "UPDATE dispatches SET lease_until = ?4 \
         WHERE execution_arn = ?1 AND effect_id = ?2 AND lease_owner = ?3",
    )?;
    let mut n = 0;
    for (arn, effect) in keys {
        n += stmt.execute(params![arn, label_to_sql(*effect), owner, until_ms])? as u64;
    }
    Ok(n)
}

/// Removes the dispatch and, when its execution is open, adds its outcome to the inbox.
pub(crate) fn complete(
    conn: &Connection,
    execution_arn: &str,
    effect_id: u64,
    row: &NewInbox,
) -> OpResult<bool> {
    let removed = conn
        .prepare_cached("DELETE FROM dispatches WHERE execution_arn = ?1 AND effect_id = ?2")?
        .execute(params![execution_arn, label_to_sql(effect_id)])?;
    if removed == 0 {
        return Ok(false);
    }
    let open: Option<i64> = conn
        .prepare_cached("SELECT id FROM executions WHERE arn = ?1 AND status = 'RUNNING'")?
        .query_row([execution_arn], |r| r.get(0))
        .optional()?;
    if let Some(id) = open {
        insert_inbox(conn, id, std::slice::from_ref(row))?;
    }
    Ok(true)
}

/// Drops every dispatch lease (a single node starting up).
pub(crate) fn release(conn: &Connection) -> OpResult<u64> {
    let n = conn
        .prepare_cached(
            "UPDATE dispatches SET lease_owner = NULL, lease_until = NULL \
             WHERE lease_owner IS NOT NULL",
        )?
        .execute([])?;
    Ok(n as u64)
}
