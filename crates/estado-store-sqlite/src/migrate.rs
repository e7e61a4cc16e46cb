//! Schema migrations: numbered `.sql` files under `migrations/`, applied in order, each in its
//! own transaction together with its row in `schema_version`.

use rusqlite::{Connection, OptionalExtension};

use crate::error::{OpError, OpResult};

/// Every migration, in order. A new file under `migrations/` is added here (a test checks the
/// folder and this list agree).
pub(crate) const MIGRATIONS: &[(u32, &str, &str)] = &[(
    1,
    "0001_init.sql",
    include_str!("../migrations/0001_init.sql"),
)];

/// Brings the schema up to date; running it again changes nothing. A database written by a
/// newer Estado (a version this build does not know) is refused rather than misread.
pub(crate) fn migrate(conn: &mut Connection) -> OpResult<u32> {
    conn.execute_batch("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")?;
    let mut current = applied(conn)?;
    let newest = MIGRATIONS.last().map_or(0, |m| m.0);
    if current > newest {
        return Err(OpError::Invalid(format!(
            "the database has schema version {current}, newer than this build's {newest}"
        )));
    }
    let start = current;
    for (version, _, sql) in MIGRATIONS.iter().filter(|m| m.0 > start) {
        let tx = conn.transaction()?;
        // Re-read inside the write transaction: another process may have migrated meanwhile.
        if applied(&tx)? >= *version {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES (?1)",
            [version],
        )?;
        tx.commit()?;
        current = *version;
    }
    Ok(current)
}

fn applied(conn: &Connection) -> OpResult<u32> {
    let v: Option<i64> = conn
        .query_row("SELECT MAX(version) FROM schema_version", [], |r| r.get(0))
        .optional()?
        .flatten();
    crate::error::to_u32(v.unwrap_or(0), "schema version")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_names_every_file_in_the_folder_in_order() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .expect("migrations folder")
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let listed: Vec<String> = MIGRATIONS.iter().map(|m| m.1.to_owned()).collect();
        assert_eq!(files, listed);
        for (i, (version, name, _)) in MIGRATIONS.iter().enumerate() {
            assert_eq!(*version as usize, i + 1, "versions count up from 1");
            assert!(
                name.starts_with(&format!("{version:04}_")),
                "{name} carries its number"
            );
        }
    }

    #[test]
    fn migrating_twice_applies_each_migration_once() {
        let mut conn = Connection::open_in_memory().expect("open");
        assert_eq!(migrate(&mut conn).expect("first"), 1);
        assert_eq!(migrate(&mut conn).expect("again"), 1);
        let rows: i64 = conn
            .query_row("SELECT COUNT(*) FROM schema_version", [], |r| r.get(0))
            .expect("count");
        assert_eq!(rows, 1);
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
