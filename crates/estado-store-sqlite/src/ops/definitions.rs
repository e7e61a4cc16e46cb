//! State machines, versions, aliases, activities and tags.

use estado_store::{Activity, Alias, StateMachine, StoreError, Version};
use rusqlite::{named_params, params, Connection, OptionalExtension, Row};

use super::{exists, json_col, json_to_sql, parse_json, sql_limit};
use crate::error::OpResult;

const MACHINE_COLUMNS: &str = "arn, name, kind, definition, role_arn, created_ms, updated_ms, \
     revision_id, description, logging, tracing, encryption, next_version";

fn machine_from_row(r: &Row) -> rusqlite::Result<StateMachine> {
    Ok(StateMachine {
        arn: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        definition: r.get(3)?,
        role_arn: r.get(4)?,
        created_ms: r.get(5)?,
        updated_ms: r.get(6)?,
        revision_id: r.get(7)?,
        description: r.get(8)?,
        logging: json_col(r, 9)?,
        tracing: json_col(r, 10)?,
        encryption: json_col(r, 11)?,
        next_version: r.get(12)?,
    })
}

/// Inserts or replaces every column of a machine.
fn write_machine(conn: &Connection, verb: &str, sm: &StateMachine) -> OpResult<usize> {
    let sql = format!(
        "{verb} INTO state_machines ({MACHINE_COLUMNS}) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    );
    Ok(conn.prepare_cached(&sql)?.execute(params![
        sm.arn,
        sm.name,
        sm.kind,
        sm.definition,
        sm.role_arn,
        sm.created_ms,
        sm.updated_ms,
        sm.revision_id,
        sm.description,
        json_to_sql(&sm.logging)?,
        json_to_sql(&sm.tracing)?,
        json_to_sql(&sm.encryption)?,
        sm.next_version,
    ])?)
}

pub(crate) fn create_state_machine(conn: &Connection, sm: &StateMachine) -> OpResult<()> {
    if exists(conn, "SELECT 1 FROM state_machines WHERE arn = ?1", &sm.arn)? {
        return Err(StoreError::AlreadyExists(sm.arn.clone()).into());
    }
    write_machine(conn, "INSERT", sm)?;
    Ok(())
}

pub(crate) fn get_state_machine(conn: &Connection, arn: &str) -> OpResult<Option<StateMachine>> {
    let sql = format!("SELECT {MACHINE_COLUMNS} FROM state_machines WHERE arn = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([arn], machine_from_row)
        .optional()?)
}

pub(crate) fn update_state_machine(conn: &Connection, sm: &StateMachine) -> OpResult<()> {
    if !exists(conn, "SELECT 1 FROM state_machines WHERE arn = ?1", &sm.arn)? {
        return Err(StoreError::NotFound(sm.arn.clone()).into());
    }
    write_machine(conn, "REPLACE", sm)?;
    Ok(())
}

pub(crate) fn delete_state_machine(conn: &Connection, arn: &str) -> OpResult<()> {
    for sql in [
        "DELETE FROM state_machines WHERE arn = ?1",
        "DELETE FROM versions WHERE state_machine_arn = ?1",
        "DELETE FROM aliases WHERE state_machine_arn = ?1",
        "DELETE FROM tags WHERE resource_arn = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([arn])?;
    }
    Ok(())
}

pub(crate) fn list_state_machines(
    conn: &Connection,
    after: Option<&str>,
    limit: usize,
) -> OpResult<Vec<StateMachine>> {
    let sql = format!(
        "SELECT {MACHINE_COLUMNS} FROM state_machines \
         WHERE :after IS NULL \
            OR (created_ms, arn) > (SELECT created_ms, arn FROM state_machines WHERE arn = :after) \
         ORDER BY created_ms, arn LIMIT :limit"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        named_params! { ":after": after, ":limit": sql_limit(limit) },
        machine_from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const VERSION_COLUMNS: &str =
    "arn, state_machine_arn, number, definition, role_arn, revision_id, description, created_ms";

fn version_from_row(r: &Row) -> rusqlite::Result<Version> {
    Ok(Version {
        arn: r.get(0)?,
        state_machine_arn: r.get(1)?,
        number: r.get(2)?,
        definition: r.get(3)?,
        role_arn: r.get(4)?,
        revision_id: r.get(5)?,
        description: r.get(6)?,
        created_ms: r.get(7)?,
    })
}

pub(crate) fn create_version(conn: &Connection, v: &Version) -> OpResult<()> {
    if exists(conn, "SELECT 1 FROM versions WHERE arn = ?1", &v.arn)? {
        return Err(StoreError::AlreadyExists(v.arn.clone()).into());
    }
    let advanced = conn
        .prepare_cached(
            "UPDATE state_machines SET next_version = MAX(next_version, ?2 + 1) WHERE arn = ?1",
        )?
        .execute(params![v.state_machine_arn, v.number])?;
    if advanced == 0 {
        return Err(StoreError::NotFound(v.state_machine_arn.clone()).into());
    }
    let sql =
        format!("INSERT INTO versions ({VERSION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    conn.prepare_cached(&sql)?.execute(params![
        v.arn,
        v.state_machine_arn,
        v.number,
        v.definition,
        v.role_arn,
        v.revision_id,
        v.description,
        v.created_ms,
    ])?;
    Ok(())
}

pub(crate) fn get_version(conn: &Connection, arn: &str) -> OpResult<Option<Version>> {
    let sql = format!("SELECT {VERSION_COLUMNS} FROM versions WHERE arn = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([arn], version_from_row)
        .optional()?)
}

pub(crate) fn delete_version(conn: &Connection, arn: &str) -> OpResult<()> {
    conn.prepare_cached("DELETE FROM versions WHERE arn = ?1")?
        .execute([arn])?;
    Ok(())
}

pub(crate) fn list_versions(conn: &Connection, machine: &str) -> OpResult<Vec<Version>> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} FROM versions WHERE state_machine_arn = ?1 \
         ORDER BY number DESC"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([machine], version_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const ALIAS_COLUMNS: &str =
    "arn, state_machine_arn, name, description, routing, created_ms, updated_ms";

fn alias_from_row(r: &Row) -> rusqlite::Result<Alias> {
    let routing: String = r.get(4)?;
    Ok(Alias {
        arn: r.get(0)?,
        state_machine_arn: r.get(1)?,
        name: r.get(2)?,
        description: r.get(3)?,
        routing: parse_json(&routing, 4)?,
        created_ms: r.get(5)?,
        updated_ms: r.get(6)?,
    })
}

pub(crate) fn put_alias(conn: &Connection, a: &Alias, create: bool) -> OpResult<()> {
    let taken = exists(conn, "SELECT 1 FROM aliases WHERE arn = ?1", &a.arn)?;
    if create && taken {
        return Err(StoreError::AlreadyExists(a.arn.clone()).into());
    }
    if !create && !taken {
        return Err(StoreError::NotFound(a.arn.clone()).into());
    }
    let sql = format!("REPLACE INTO aliases ({ALIAS_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    conn.prepare_cached(&sql)?.execute(params![
        a.arn,
        a.state_machine_arn,
        a.name,
        a.description,
        serde_json::to_string(&a.routing)?,
        a.created_ms,
        a.updated_ms,
    ])?;
    Ok(())
}

pub(crate) fn get_alias(conn: &Connection, arn: &str) -> OpResult<Option<Alias>> {
    let sql = format!("SELECT {ALIAS_COLUMNS} FROM aliases WHERE arn = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([arn], alias_from_row)
        .optional()?)
}

pub(crate) fn delete_alias(conn: &Connection, arn: &str) -> OpResult<()> {
    conn.prepare_cached("DELETE FROM aliases WHERE arn = ?1")?
        .execute([arn])?;
    Ok(())
}

pub(crate) fn list_aliases(conn: &Connection, machine: &str) -> OpResult<Vec<Alias>> {
    let sql = format!(
        "SELECT {ALIAS_COLUMNS} FROM aliases WHERE state_machine_arn = ?1 \
         ORDER BY created_ms, arn"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map([machine], alias_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const ACTIVITY_COLUMNS: &str = "arn, name, created_ms, encryption";

fn activity_from_row(r: &Row) -> rusqlite::Result<Activity> {
    Ok(Activity {
        arn: r.get(0)?,
        name: r.get(1)?,
        created_ms: r.get(2)?,
        encryption: json_col(r, 3)?,
    })
}

pub(crate) fn create_activity(conn: &Connection, a: &Activity) -> OpResult<()> {
    if exists(conn, "SELECT 1 FROM activities WHERE arn = ?1", &a.arn)? {
        return Err(StoreError::AlreadyExists(a.arn.clone()).into());
    }
    let sql = format!("INSERT INTO activities ({ACTIVITY_COLUMNS}) VALUES (?1, ?2, ?3, ?4)");
    conn.prepare_cached(&sql)?.execute(params![
        a.arn,
        a.name,
        a.created_ms,
        json_to_sql(&a.encryption)?,
    ])?;
    Ok(())
}

pub(crate) fn get_activity(conn: &Connection, arn: &str) -> OpResult<Option<Activity>> {
    let sql = format!("SELECT {ACTIVITY_COLUMNS} FROM activities WHERE arn = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([arn], activity_from_row)
        .optional()?)
}

pub(crate) fn delete_activity(conn: &Connection, arn: &str) -> OpResult<()> {
    for sql in [
        "DELETE FROM activities WHERE arn = ?1",
        "DELETE FROM tags WHERE resource_arn = ?1",
    ] {
        conn.prepare_cached(sql)?.execute([arn])?;
    }
    Ok(())
}

pub(crate) fn list_activities(
    conn: &Connection,
    after: Option<&str>,
    limit: usize,
) -> OpResult<Vec<Activity>> {
    let sql = format!(
        "SELECT {ACTIVITY_COLUMNS} FROM activities \
         WHERE :after IS NULL \
            OR (created_ms, arn) > (SELECT created_ms, arn FROM activities WHERE arn = :after) \
         ORDER BY created_ms, arn LIMIT :limit"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        named_params! { ":after": after, ":limit": sql_limit(limit) },
        activity_from_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(crate) fn tag(conn: &Connection, resource: &str, set: &[(String, String)]) -> OpResult<()> {
    // An upsert keeps the row (and so the key's place in insertion order).
    let mut stmt = conn.prepare_cached(
        "INSERT INTO tags (resource_arn, key, value) VALUES (?1, ?2, ?3) \
         ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value",
    )?;
    for (k, v) in set {
        stmt.execute(params![resource, k, v])?;
    }
    Ok(())
}

pub(crate) fn untag(conn: &Connection, resource: &str, keys: &[String]) -> OpResult<()> {
    let mut stmt = conn.prepare_cached("DELETE FROM tags WHERE resource_arn = ?1 AND key = ?2")?;
    for k in keys {
        stmt.execute(params![resource, k])?;
    }
    Ok(())
}

pub(crate) fn tags(conn: &Connection, resource: &str) -> OpResult<Vec<(String, String)>> {
    let mut stmt =
        conn.prepare_cached("SELECT key, value FROM tags WHERE resource_arn = ?1 ORDER BY rowid")?;
    let rows = stmt.query_map([resource], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
