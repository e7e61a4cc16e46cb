//! Activity and callback tasks.

use estado_store::Task;
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::error::{label_from_sql, label_to_sql, OpResult};

const TASK_COLUMNS: &str =
    "token, execution_arn, effect_id, activity_arn, input, created_ms, worker";

fn task_from_row(r: &Row) -> rusqlite::Result<Task> {
    Ok(Task {
        token: r.get(0)?,
        execution_arn: r.get(1)?,
        effect_id: label_from_sql(r.get(2)?),
        activity_arn: r.get(3)?,
        input: r.get(4)?,
        created_ms: r.get(5)?,
        worker: r.get(6)?,
    })
}

/// Adds tasks; a task whose token exists replaces it (tokens are the engine's, unique by
/// construction; replacing matches the in-memory store).
pub(crate) fn insert_tasks(conn: &Connection, tasks: &[Task]) -> OpResult<()> {
    if tasks.is_empty() {
        return Ok(());
    }
    let sql = format!("REPLACE INTO tasks ({TASK_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    let mut stmt = conn.prepare_cached(&sql)?;
    for t in tasks {
        stmt.execute(params![
            t.token,
            t.execution_arn,
            label_to_sql(t.effect_id),
            t.activity_arn,
            t.input,
            t.created_ms,
            t.worker,
        ])?;
    }
    Ok(())
}

/// Marks the oldest queued task of the activity as taken by `worker` (the `tasks_queued`
/// index holds exactly the queued activity tasks, oldest first).
pub(crate) fn claim_activity_task(
    conn: &Connection,
    activity_arn: &str,
    worker: &str,
) -> OpResult<Option<Task>> {
    let token: Option<String> = conn
        .prepare_cached(
            "SELECT token FROM tasks WHERE activity_arn = ?1 AND worker IS NULL \
             ORDER BY created_ms, token LIMIT 1",
        )?
        .query_row([activity_arn], |r| r.get(0))
        .optional()?;
    let Some(token) = token else {
        return Ok(None);
    };
    conn.prepare_cached("UPDATE tasks SET worker = ?2 WHERE token = ?1")?
        .execute(params![token, worker])?;
    task_by_token(conn, &token)
}

pub(crate) fn task_by_token(conn: &Connection, token: &str) -> OpResult<Option<Task>> {
    let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE token = ?1");
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([token], task_from_row)
        .optional()?)
}

pub(crate) fn finish_task(conn: &Connection, token: &str) -> OpResult<bool> {
    let removed = conn
        .prepare_cached("DELETE FROM tasks WHERE token = ?1")?
        .execute([token])?;
    Ok(removed > 0)
}
