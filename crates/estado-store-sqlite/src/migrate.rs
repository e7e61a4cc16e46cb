//! Schema migrations: numbered `.sql` files under `migrations/`, applied in order, each in its
//! own transaction together with its row in `schema_version`. Each one is applied unless its
//! own number is recorded, so numbers may have gaps and a migration that lands after a higher
//! one (work merged out of order) is still applied.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{OpError, OpResult};

/// Every migration, in order. A new file under `migrations/` is added here (a test checks the
/// folder and this list agree).
pub(crate) const MIGRATIONS: &[(u32, &str, &str)] = &[
    (
        1,
        "0001_init.sql",
        include_str!("../migrations/0001_init.sql"),
    ),
    (
        2,
        "0002_history_chunks.sql",
        include_str!("../migrations/0002_history_chunks.sql"),
    ),
    (
        3,
        "0003_dispatches.sql",
        include_str!("../migrations/0003_dispatches.sql"),
    ),
];

/// Brings the schema up to date; running it again changes nothing. A database written by a
/// newer Estado (a version this build does not know) is refused rather than misread.
pub(crate) fn migrate(conn: &mut Connection) -> OpResult<u32> {
    migrate_with(conn, MIGRATIONS)
}

fn migrate_with(conn: &mut Connection, migrations: &[(u32, &str, &str)]) -> OpResult<u32> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let known: Vec<u32> = migrations.iter().map(|m| m.0).collect();
    if let Some(unknown) = applied(conn)?.into_iter().find(|v| !known.contains(v)) {
        return Err(OpError::Invalid(format!(
            "the database has schema version {unknown}, which this build does not know (a newer Estado wrote it)"
        )));
    }
    for (version, _, sql) in migrations {
        if is_applied(conn, *version)? {
            continue;
        }
        let tx = conn.transaction()?;
        // Re-check inside the write transaction: another process may have migrated meanwhile.
        if is_applied(&tx, *version)? {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [version],
        )?;
        tx.commit()?;
    }
    Ok(applied(conn)?.into_iter().max().unwrap_or(0))
}

fn applied(conn: &Connection) -> OpResult<Vec<u32>> {
    let mut stmt = conn.prepare("SELECT version FROM schema_version")?;
    let rows = stmt.query_map([], |r| r.get::<_, i64>(0))?;
    let mut out = Vec::new();
    for v in rows {
        out.push(crate::error::to_u32(v?, "schema version")?);
    }
    Ok(out)
}

fn is_applied(conn: &Connection, version: u32) -> OpResult<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM schema_version WHERE version = ?1",
            [version],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_every_file_in_the_folder_in_order() {
        estado_store::suite::check_migration_list(
            concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"),
            MIGRATIONS,
        );
    }

    #[test]
    fn migrating_twice_applies_each_migration_once() {
        let mut conn = Connection::open_in_memory().expect("open");
        let newest = MIGRATIONS.last().map_or(0, |m| m.0);
        assert_eq!(migrate(&mut conn).expect("first"), newest);
        assert_eq!(migrate(&mut conn).expect("again"), newest);
        let rows: i64 = conn
            .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows as usize, MIGRATIONS.len());
    }

    #[test]
    fn a_migration_that_lands_after_a_higher_one_is_still_applied() {
        let mut conn = Connection::open_in_memory().expect("open");
        let early: &[(u32, &str, &str)] = &[
            (1, "0001_a.sql", "CREATE TABLE a (x);"),
            (3, "0003_c.sql", "CREATE TABLE c (x);"),
        ];
        assert_eq!(migrate_with(&mut conn, early).expect("early"), 3);
        let later: &[(u32, &str, &str)] = &[
            (1, "0001_a.sql", "CREATE TABLE a (x);"),
            (2, "0002_b.sql", "CREATE TABLE b (x);"),
            (3, "0003_c.sql", "CREATE TABLE c (x);"),
        ];
        assert_eq!(migrate_with(&mut conn, later).expect("later"), 3);
        conn.execute("INSERT INTO b (x) VALUES (1)", [])
            .expect("0002 was applied although 0003 already was");
        let rows: i64 = conn
            .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 3);
    }

    /// A database of schema 1 keeps its histories: their per-event rows become chunks that read
    /// back the same, in order, page by page.
    #[test]
    fn histories_written_by_schema_1_survive_the_move_to_chunks() {
        use estado_store::suite::{event, events};
        let mut conn = Connection::open_in_memory().expect("open");
        conn.execute_batch(MIGRATIONS[0].2).expect("schema 1");
        conn.execute_batch(
            "CREATE TABLE schema_version (version INTEGER NOT NULL); \
             INSERT INTO schema_version (version) VALUES (1); \
             INSERT INTO executions (id, arn, state_machine_arn, name, kind, status, start_ms, \
                 input, definition, role_arn, redrive_count, version) \
             VALUES (7, 'arn:x', 'arn:m', 'x', 'STANDARD', 'RUNNING', 1, '{}', '{}', 'r', 0, 0);",
        )
        .expect("an execution");
        // Inserted out of order: the chunks still hold them by id.
        for id in (1..=600).rev() {
            conn.execute(
                "INSERT INTO events (execution_id, id, body) VALUES (7, ?1, ?2)",
                rusqlite::params![id, serde_json::to_string(&event(id)).expect("json")],
            )
            .expect("event");
        }
        assert_eq!(
            migrate(&mut conn).expect("migrate"),
            MIGRATIONS.last().map_or(0, |m| m.0)
        );
        let chunks: i64 = conn
            .query_row("SELECT COUNT(*) FROM history_chunks", [], |r| r.get(0))
            .expect("count");
        assert_eq!(chunks, 3, "600 events in chunks of 256");
        let history = |from, reverse, limit| {
            crate::ops::executions::history(&conn, "arn:x", from, reverse, limit).expect("history")
        };
        assert_eq!(history(0, false, 1000), events(1, 600));
        assert_eq!(history(250, false, 10), events(251, 260));
        let mut back = events(245, 260);
        back.reverse();
        assert_eq!(history(261, true, 16), back);
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let mut conn = Connection::open_in_memory().expect("open");
        migrate(&mut conn).expect("migrate");
        conn.execute("INSERT INTO schema_version (version) VALUES (99)", [])
            .expect("insert");
        let err = migrate(&mut conn).expect_err("a newer schema");
        assert!(err.to_string().contains("99"), "{err}");
    }
}
