//! Schema migrations: numbered `.sql` files under `migrations/`, applied in order in one
//! transaction that first takes a transaction-level advisory lock, so that nodes starting at
//! the same moment apply each migration once: the others wait for the lock, then find the
//! migrations recorded.

use estado_store::StoreError;
use tokio_postgres::Client;

use crate::error::{invalid, pg, to_u32};

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
        "0002_one_statement_steps.sql",
        include_str!("../migrations/0002_one_statement_steps.sql"),
    ),
    (
        3,
        "0003_lease_index.sql",
        include_str!("../migrations/0003_lease_index.sql"),
    ),
    (
        4,
        "0004_history_chunks.sql",
        include_str!("../migrations/0004_history_chunks.sql"),
    ),
    (
        5,
        "0005_leases.sql",
        include_str!("../migrations/0005_leases.sql"),
    ),
];

/// The advisory lock key migrations hold ("estado" in ASCII); scoped to the schema in use by
/// hashing it in, so databases with several Estado schemas migrate them independently.
const LOCK_KEY: i64 = 0x6573_7461_646f;

/// Brings the schema up to date; returns the newest version applied. A database written by a
/// newer Estado (a version this build does not know) is refused rather than misread.
pub(crate) async fn migrate(client: &mut Client) -> Result<u32, StoreError> {
    let tx = client.transaction().await.map_err(pg)?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1::bigint # hashtext(current_schema())::bigint)",
        &[&LOCK_KEY],
    )
    .await
    .map_err(pg)?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version BIGINT PRIMARY KEY)")
        .await
        .map_err(pg)?;
    let mut applied = Vec::new();
    for row in tx
        .query("SELECT version FROM schema_version", &[])
        .await
        .map_err(pg)?
    {
        applied.push(to_u32(row.try_get(0).map_err(pg)?, "schema version")?);
    }
    let known: Vec<u32> = MIGRATIONS.iter().map(|m| m.0).collect();
    if let Some(unknown) = applied.iter().find(|v| !known.contains(v)) {
        return Err(invalid(format!(
            "the database has schema version {unknown}, which this build does not know (a newer Estado wrote it)"
        )));
    }
    for (version, name, sql) in MIGRATIONS {
        if applied.contains(version) {
            continue;
        }
        tx.batch_execute(sql).await.map_err(|e| {
            invalid(format!(
                "migration {name} failed: {}",
                crate::error::describe(&e)
            ))
        })?;
        tx.execute(
            "INSERT INTO schema_version (version) VALUES ($1)",
            &[&i64::from(*version)],
        )
        .await
        .map_err(pg)?;
        applied.push(*version);
    }
    tx.commit().await.map_err(pg)?;
    Ok(applied.into_iter().max().unwrap_or(0))
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
}
