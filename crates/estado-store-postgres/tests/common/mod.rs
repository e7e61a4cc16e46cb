//! A throwaway database on the PostgreSQL server the tests are pointed at
//! (`ESTADO_TEST_POSTGRES`, default `postgres://postgres@127.0.0.1:5432/postgres`), created per
//! test run and dropped at its end; each store gets its own schema in it.

use std::time::{SystemTime, UNIX_EPOCH};

use tokio_postgres::{Client, NoTls};

pub fn admin_url() -> String {
    std::env::var("ESTADO_TEST_POSTGRES")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

pub struct TestDb {
    admin: Client,
    pub name: String,
    base: String,
}

async fn connect(url: &str) -> Result<Client, tokio_postgres::Error> {
    let (client, conn) = tokio_postgres::connect(url, NoTls).await?;
    tokio::spawn(conn);
    Ok(client)
}

impl TestDb {
    /// A fresh database, or `None` (after saying why on stderr) when no server is reachable.
    pub async fn create(test: &str) -> Option<TestDb> {
        let url = admin_url();
        let admin = match connect(&url).await {
            Ok(c) => c,
            Err(e) => {
                eprintln!(
                    "SKIPPED {test}: PostgreSQL is not reachable at {url} ({e}); \
                     set ESTADO_TEST_POSTGRES to a server's URL to run it"
                );
                return None;
            }
        };
        sweep(&admin).await;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!("estado_test_{}_{nanos}", std::process::id());
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        let base = match url.rfind('/') {
            Some(i) if url[..i].contains("://") => url[..i].to_owned(),
            _ => panic!("ESTADO_TEST_POSTGRES must be a postgres:// URL naming a database"),
        };
        Some(TestDb { admin, name, base })
    }

    /// The URL of this database with `schema` first on the search path (created if needed).
    pub async fn schema_url(&self, schema: &str) -> String {
        let db = connect(&self.url())
            .await
            .expect("connect to the test database");
        db.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
            .await
            .expect("create the schema");
        format!("{}?options=-csearch_path%3D{schema}", self.url())
    }

    pub fn url(&self) -> String {
        format!("{}/{}", self.base, self.name)
    }

    pub async fn drop(self) {
        self.admin
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .await
            .expect("drop the test database");
    }
}

/// Drops test databases whose process is gone (a run that was killed).
async fn sweep(admin: &Client) {
    let Ok(rows) = admin
        .query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'estado_test_%'",
            &[],
        )
        .await
    else {
        return;
    };
    for row in rows {
        let name: String = row.get(0);
        let pid = name.split('_').nth(2).and_then(|p| p.parse::<u32>().ok());
        let alive = pid.is_some_and(|p| std::path::Path::new(&format!("/proc/{p}")).exists());
        if !alive {
            let _ = admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await;
        }
    }
}
