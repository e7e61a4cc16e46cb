//! [`Store`] for [`PostgresStore`]. Single statements run on a pooled connection in autocommit;
//! calls that need several run them in one transaction. A step commit sends its writes
//! pipelined (one round trip for all of them) after locking and checking its execution's row.

use std::collections::HashMap;

use async_trait::async_trait;
use estado_store::{
    Activity, Alias, Claim, Dispatch, Execution, ExecutionQuery, InboxRow, NewExecution, NewInbox,
    Result, StateMachine, StepCommit, Store, StoreError, Task, Version,
};
use estado_types::history::HistoryEvent;
use tokio_postgres::types::ToSql;

use crate::error::{json, label_from_sql, label_to_sql, pg, to_i64, to_u32, to_u64};
use crate::listen::{Signal, CHANNEL};
use crate::ops::*;
use crate::PostgresStore;

const MACHINE_COLUMNS: &str = "arn, name, kind, definition, role_arn, created_ms, updated_ms, \
     revision_id, description, logging, tracing, encryption, next_version";

fn machine_from_row(r: &tokio_postgres::Row) -> Result<StateMachine> {
    Ok(StateMachine {
        arn: get(r, 0)?,
        name: get(r, 1)?,
        kind: get(r, 2)?,
        definition: get(r, 3)?,
        role_arn: get(r, 4)?,
        created_ms: get(r, 5)?,
        updated_ms: get(r, 6)?,
        revision_id: get(r, 7)?,
        description: get(r, 8)?,
        logging: json_col(r, 9)?,
        tracing: json_col(r, 10)?,
        encryption: json_col(r, 11)?,
        next_version: to_u32(get(r, 12)?, "next version")?,
    })
}

const VERSION_COLUMNS: &str =
    "arn, state_machine_arn, number, definition, role_arn, revision_id, description, created_ms";

fn version_from_row(r: &tokio_postgres::Row) -> Result<Version> {
    Ok(Version {
        arn: get(r, 0)?,
        state_machine_arn: get(r, 1)?,
        number: to_u32(get(r, 2)?, "version number")?,
        definition: get(r, 3)?,
        role_arn: get(r, 4)?,
        revision_id: get(r, 5)?,
        description: get(r, 6)?,
        created_ms: get(r, 7)?,
    })
}

const ALIAS_COLUMNS: &str =
    "arn, state_machine_arn, name, description, routing, created_ms, updated_ms";

fn alias_from_row(r: &tokio_postgres::Row) -> Result<Alias> {
    let routing: String = get(r, 4)?;
    Ok(Alias {
        arn: get(r, 0)?,
        state_machine_arn: get(r, 1)?,
        name: get(r, 2)?,
        description: get(r, 3)?,
        routing: serde_json::from_str(&routing).map_err(json)?,
        created_ms: get(r, 5)?,
        updated_ms: get(r, 6)?,
    })
}

const ACTIVITY_COLUMNS: &str = "arn, name, created_ms, encryption";

fn activity_from_row(r: &tokio_postgres::Row) -> Result<Activity> {
    Ok(Activity {
        arn: get(r, 0)?,
        name: get(r, 1)?,
        created_ms: get(r, 2)?,
        encryption: json_col(r, 3)?,
    })
}

fn collect<T>(
    rows: Vec<tokio_postgres::Row>,
    f: impl Fn(&tokio_postgres::Row) -> Result<T>,
) -> Result<Vec<T>> {
    rows.iter().map(f).collect()
}

/// Writes every column of a machine: `INSERT` (nothing when the ARN exists) or `UPDATE`.
async fn write_machine<C: deadpool_postgres::GenericClient>(
    c: &C,
    insert: bool,
    sm: &StateMachine,
) -> Result<u64> {
    let sql = if insert {
        format!(
            "INSERT INTO state_machines ({MACHINE_COLUMNS}) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
             ON CONFLICT (arn) DO NOTHING"
        )
    } else {
        "UPDATE state_machines SET name = $2, kind = $3, definition = $4, role_arn = $5, \
         created_ms = $6, updated_ms = $7, revision_id = $8, description = $9, logging = $10, \
         tracing = $11, encryption = $12, next_version = $13 WHERE arn = $1"
            .to_owned()
    };
    let (logging, tracing, encryption) = (
        json_to_sql(&sm.logging)?,
        json_to_sql(&sm.tracing)?,
        json_to_sql(&sm.encryption)?,
    );
    let next = i64::from(sm.next_version);
    execute(
        c,
        &sql,
        &[
            &sm.arn,
            &sm.name,
            &sm.kind,
            &sm.definition,
            &sm.role_arn,
            &sm.created_ms,
            &sm.updated_ms,
            &sm.revision_id,
            &sm.description,
            &logging,
            &tracing,
            &encryption,
            &next,
        ],
    )
    .await
}

#[async_trait]
impl Store for PostgresStore {
    async fn create_state_machine(&self, sm: StateMachine) -> Result<()> {
        let c = self.conn().await?;
        if write_machine(&c, true, &sm).await? == 0 {
            return Err(StoreError::AlreadyExists(sm.arn));
        }
        Ok(())
    }
    async fn get_state_machine(&self, arn: &str) -> Result<Option<StateMachine>> {
        let c = self.conn().await?;
        let sql = format!("SELECT {MACHINE_COLUMNS} FROM state_machines WHERE arn = $1");
        query_opt(&c, &sql, &[&arn])
            .await?
            .as_ref()
            .map(machine_from_row)
            .transpose()
    }
    async fn update_state_machine(&self, sm: StateMachine) -> Result<()> {
        let c = self.conn().await?;
        if write_machine(&c, false, &sm).await? == 0 {
            return Err(StoreError::NotFound(sm.arn));
        }
        Ok(())
    }
    async fn delete_state_machine(&self, arn: &str) -> Result<()> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await.map_err(pg)?;
        for sql in [
            "DELETE FROM state_machines WHERE arn = $1",
            "DELETE FROM versions WHERE state_machine_arn = $1",
            "DELETE FROM aliases WHERE state_machine_arn = $1",
            "DELETE FROM tags WHERE resource_arn = $1",
        ] {
            execute(&tx, sql, &[&arn]).await?;
        }
        tx.commit().await.map_err(pg)
    }
    async fn list_state_machines(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> Result<Vec<StateMachine>> {
        let c = self.conn().await?;
        let sql = format!(
            "SELECT {MACHINE_COLUMNS} FROM state_machines \
             WHERE $1::text IS NULL \
                OR (created_ms, arn) > (SELECT created_ms, arn FROM state_machines WHERE arn = $1) \
             ORDER BY created_ms, arn LIMIT $2"
        );
        let rows = query(&c, &sql, &[&after, &sql_limit(limit)]).await?;
        collect(rows, machine_from_row)
    }

    async fn create_version(&self, v: Version) -> Result<()> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let sql = format!(
            "INSERT INTO versions ({VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (arn) DO NOTHING"
        );
        let number = i64::from(v.number);
        let added = execute(
            &tx,
            &sql,
            &[
                &v.arn,
                &v.state_machine_arn,
                &number,
                &v.definition,
                &v.role_arn,
                &v.revision_id,
                &v.description,
                &v.created_ms,
            ],
        )
        .await?;
        if added == 0 {
            return Err(StoreError::AlreadyExists(v.arn));
        }
        let advanced = execute(
            &tx,
            "UPDATE state_machines SET next_version = GREATEST(next_version, $2::bigint + 1) \
             WHERE arn = $1",
            &[&v.state_machine_arn, &number],
        )
        .await?;
        if advanced == 0 {
            return Err(StoreError::NotFound(v.state_machine_arn));
        }
        tx.commit().await.map_err(pg)
    }
    async fn get_version(&self, arn: &str) -> Result<Option<Version>> {
        let c = self.conn().await?;
        let sql = format!("SELECT {VERSION_COLUMNS} FROM versions WHERE arn = $1");
        query_opt(&c, &sql, &[&arn])
            .await?
            .as_ref()
            .map(version_from_row)
            .transpose()
    }
    async fn delete_version(&self, arn: &str) -> Result<()> {
        let c = self.conn().await?;
        execute(&c, "DELETE FROM versions WHERE arn = $1", &[&arn]).await?;
        Ok(())
    }
    async fn list_versions(&self, state_machine_arn: &str) -> Result<Vec<Version>> {
        let c = self.conn().await?;
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM versions WHERE state_machine_arn = $1 \
             ORDER BY number DESC"
        );
        collect(
            query(&c, &sql, &[&state_machine_arn]).await?,
            version_from_row,
        )
    }

    async fn put_alias(&self, a: Alias, create: bool) -> Result<()> {
        let c = self.conn().await?;
        let sql = if create {
            format!(
                "INSERT INTO aliases ({ALIAS_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (arn) DO NOTHING"
            )
        } else {
            "UPDATE aliases SET state_machine_arn = $2, name = $3, description = $4, \
             routing = $5, created_ms = $6, updated_ms = $7 WHERE arn = $1"
                .to_owned()
        };
        let routing = serde_json::to_string(&a.routing).map_err(json)?;
        let n = execute(
            &c,
            &sql,
            &[
                &a.arn,
                &a.state_machine_arn,
                &a.name,
                &a.description,
                &routing,
                &a.created_ms,
                &a.updated_ms,
            ],
        )
        .await?;
        match (n, create) {
            (0, true) => Err(StoreError::AlreadyExists(a.arn)),
            (0, false) => Err(StoreError::NotFound(a.arn)),
            _ => Ok(()),
        }
    }
    async fn get_alias(&self, arn: &str) -> Result<Option<Alias>> {
        let c = self.conn().await?;
        let sql = format!("SELECT {ALIAS_COLUMNS} FROM aliases WHERE arn = $1");
        query_opt(&c, &sql, &[&arn])
            .await?
            .as_ref()
            .map(alias_from_row)
            .transpose()
    }
    async fn delete_alias(&self, arn: &str) -> Result<()> {
        let c = self.conn().await?;
        execute(&c, "DELETE FROM aliases WHERE arn = $1", &[&arn]).await?;
        Ok(())
    }
    async fn list_aliases(&self, state_machine_arn: &str) -> Result<Vec<Alias>> {
        let c = self.conn().await?;
        let sql = format!(
            "SELECT {ALIAS_COLUMNS} FROM aliases WHERE state_machine_arn = $1 \
             ORDER BY created_ms, arn"
        );
        collect(
            query(&c, &sql, &[&state_machine_arn]).await?,
            alias_from_row,
        )
    }

    async fn create_activity(&self, a: Activity) -> Result<()> {
        let c = self.conn().await?;
        let sql = format!(
            "INSERT INTO activities ({ACTIVITY_COLUMNS}) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (arn) DO NOTHING"
        );
        let encryption = json_to_sql(&a.encryption)?;
        let n = execute(&c, &sql, &[&a.arn, &a.name, &a.created_ms, &encryption]).await?;
        if n == 0 {
            return Err(StoreError::AlreadyExists(a.arn));
        }
        Ok(())
    }
    async fn get_activity(&self, arn: &str) -> Result<Option<Activity>> {
        let c = self.conn().await?;
        let sql = format!("SELECT {ACTIVITY_COLUMNS} FROM activities WHERE arn = $1");
        query_opt(&c, &sql, &[&arn])
            .await?
            .as_ref()
            .map(activity_from_row)
            .transpose()
    }
    async fn delete_activity(&self, arn: &str) -> Result<()> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await.map_err(pg)?;
        execute(&tx, "DELETE FROM activities WHERE arn = $1", &[&arn]).await?;
        execute(&tx, "DELETE FROM tags WHERE resource_arn = $1", &[&arn]).await?;
        tx.commit().await.map_err(pg)
    }
    async fn list_activities(&self, after: Option<&str>, limit: usize) -> Result<Vec<Activity>> {
        let c = self.conn().await?;
        let sql = format!(
            "SELECT {ACTIVITY_COLUMNS} FROM activities \
             WHERE $1::text IS NULL \
                OR (created_ms, arn) > (SELECT created_ms, arn FROM activities WHERE arn = $1) \
             ORDER BY created_ms, arn LIMIT $2"
        );
        collect(
            query(&c, &sql, &[&after, &sql_limit(limit)]).await?,
            activity_from_row,
        )
    }

    async fn tag(&self, resource_arn: &str, set: Vec<(String, String)>) -> Result<()> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await.map_err(pg)?;
        // An upsert keeps the row (and so the key's place in insertion order).
        for (k, v) in &set {
            execute(
                &tx,
                "INSERT INTO tags (resource_arn, key, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (resource_arn, key) DO UPDATE SET value = excluded.value",
                &[&resource_arn, k, v],
            )
            .await?;
        }
        tx.commit().await.map_err(pg)
    }
    async fn untag(&self, resource_arn: &str, keys: &[String]) -> Result<()> {
        let c = self.conn().await?;
        execute(
            &c,
            "DELETE FROM tags WHERE resource_arn = $1 AND key = ANY($2)",
            &[&resource_arn, &keys],
        )
        .await?;
        Ok(())
    }
    async fn tags(&self, resource_arn: &str) -> Result<Vec<(String, String)>> {
        let c = self.conn().await?;
        let rows = query(
            &c,
            "SELECT key, value FROM tags WHERE resource_arn = $1 ORDER BY seq",
            &[&resource_arn],
        )
        .await?;
        collect(rows, |r| Ok((get(r, 0)?, get(r, 1)?)))
    }

    async fn create_execution(&self, e: NewExecution) -> Result<()> {
        let (event_ids, bodies) = encode_events(&e.events)?;
        let inbox = InboxArrays::new(&e.inbox);
        let x = &e.execution;
        let redrive_count = i64::from(x.redrive_count);
        let version = to_i64(x.version, "execution version")?;
        let mut c = self.conn().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let sql = format!(
            "INSERT INTO executions ({EXECUTION_COLUMNS}, snapshot) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
              $19, $20) ON CONFLICT (arn) DO NOTHING RETURNING id"
        );
        let row = query_opt(
            &tx,
            &sql,
            &[
                &x.arn,
                &x.state_machine_arn,
                &x.name,
                &x.kind,
                &x.status,
                &x.start_ms,
                &x.stop_ms,
                &x.input,
                &x.output,
                &x.error,
                &x.cause,
                &x.definition,
                &x.role_arn,
                &x.version_arn,
                &x.alias_arn,
                &x.trace_header,
                &redrive_count,
                &x.redrive_ms,
                &version,
                &e.snapshot,
            ],
        )
        .await?;
        let Some(row) = row else {
            return Err(StoreError::AlreadyExists(x.arn.clone()));
        };
        let id: i64 = get(&row, 0)?;
        let event_params: [&(dyn ToSql + Sync); 3] = [&id, &event_ids, &bodies];
        let inbox_params: [&(dyn ToSql + Sync); 4] = [&id, &inbox.due, &inbox.key, &inbox.payload];
        let (events, rows) = tokio::join!(
            execute(&tx, INSERT_EVENTS, &event_params),
            execute(&tx, INSERT_INBOX, &inbox_params),
        );
        events?;
        rows?;
        tx.commit().await.map_err(pg)
    }
    async fn get_execution(&self, arn: &str) -> Result<Option<Execution>> {
        let c = self.conn().await?;
        let sql = format!("SELECT {EXECUTION_COLUMNS} FROM executions WHERE arn = $1");
        query_opt(&c, &sql, &[&arn])
            .await?
            .map(|r| execution_from_row(&r, 0))
            .transpose()
    }
    async fn list_executions(&self, q: &ExecutionQuery) -> Result<Vec<Execution>> {
        let mut clauses: Vec<String> = Vec::new();
        let mut args: Vec<&(dyn ToSql + Sync)> = Vec::new();
        if let Some(sm) = &q.state_machine_arn {
            args.push(sm);
            clauses.push(format!("state_machine_arn = ${}", args.len()));
        }
        if let Some(va) = &q.version_or_alias_arn {
            args.push(va);
            let n = args.len();
            clauses.push(format!("(version_arn = ${n} OR alias_arn = ${n})"));
        }
        if let Some(status) = &q.status {
            args.push(status);
            clauses.push(format!("status = ${}", args.len()));
        }
        if let Some(after) = &q.after {
            args.push(after);
            clauses.push(format!(
                "(start_ms, id) < (SELECT start_ms, id FROM executions WHERE arn = ${})",
                args.len()
            ));
        }
        let limit = sql_limit(q.limit);
        args.push(&limit);
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT {EXECUTION_COLUMNS} FROM executions {filter} \
             ORDER BY start_ms DESC, id DESC LIMIT ${}",
            args.len()
        );
        let c = self.conn().await?;
        collect(query(&c, &sql, &args).await?, |r| execution_from_row(r, 0))
    }
    async fn history(
        &self,
        arn: &str,
        from: i64,
        reverse: bool,
        limit: usize,
    ) -> Result<Vec<HistoryEvent>> {
        let c = self.conn().await?;
        let Some(row) = query_opt(&c, "SELECT id FROM executions WHERE arn = $1", &[&arn]).await?
        else {
            return Err(StoreError::NotFound(arn.to_owned()));
        };
        let id: i64 = get(&row, 0)?;
        let sql = if reverse {
            "SELECT body FROM events WHERE execution_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3"
        } else {
            "SELECT body FROM events WHERE execution_id = $1 AND id > $2 ORDER BY id LIMIT $3"
        };
        let rows = query(&c, sql, &[&id, &from, &sql_limit(limit)]).await?;
        collect(rows, |r| {
            let body: &str = get(r, 0)?;
            serde_json::from_str(body).map_err(json)
        })
    }

    async fn claim_runnable(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<Claim>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut c = self.conn().await?;
        let tx = c.transaction().await.map_err(pg)?;
        // Each execution's oldest due row orders it; rows another claimer has locked are
        // skipped, not waited for.
        let picked = query(
            &tx,
            "WITH due AS ( \
                 SELECT DISTINCT ON (execution_id) execution_id, due_ms, id FROM inbox \
                 WHERE due_ms <= $1 ORDER BY execution_id, due_ms, id) \
             SELECT e.id FROM due JOIN executions e ON e.id = due.execution_id \
             WHERE e.lease_until IS NULL OR e.lease_until <= $1 \
             ORDER BY due.due_ms, due.id LIMIT $2 \
             FOR UPDATE OF e SKIP LOCKED",
            &[&now_ms, &sql_limit(limit)],
        )
        .await?;
        if picked.is_empty() {
            return Ok(Vec::new());
        }
        let ids = collect(picked, |r| get::<i64>(r, 0))?;
        let until = now_ms.saturating_add(lease_ms);
        let sql = format!(
            "UPDATE executions SET lease_owner = $2, lease_until = $3 WHERE id = ANY($1) \
             RETURNING id, snapshot, {EXECUTION_COLUMNS}"
        );
        let lease_params: [&(dyn ToSql + Sync); 3] = [&ids, &owner, &until];
        let row_params: [&(dyn ToSql + Sync); 2] = [&ids, &now_ms];
        let (leased, rows) = tokio::join!(
            query(&tx, &sql, &lease_params),
            query(
                &tx,
                "SELECT execution_id, id, due_ms, key, payload FROM inbox \
                 WHERE execution_id = ANY($1) AND due_ms <= $2 ORDER BY execution_id, id",
                &row_params,
            ),
        );
        let (leased, rows) = (leased?, rows?);
        tx.commit().await.map_err(pg)?;
        let mut inboxes: HashMap<i64, Vec<InboxRow>> = HashMap::new();
        for r in &rows {
            inboxes.entry(get(r, 0)?).or_default().push(InboxRow {
                id: to_u64(get(r, 1)?, "inbox id")?,
                due_ms: get(r, 2)?,
                key: get::<Option<i64>>(r, 3)?.map(label_from_sql),
                payload: get(r, 4)?,
            });
        }
        let mut claims: HashMap<i64, Claim> = HashMap::new();
        for r in &leased {
            let id: i64 = get(r, 0)?;
            claims.insert(
                id,
                Claim {
                    snapshot: get(r, 1)?,
                    execution: execution_from_row(r, 2)?,
                    inbox: inboxes.remove(&id).unwrap_or_default(),
                },
            );
        }
        Ok(ids.iter().filter_map(|id| claims.remove(id)).collect())
    }

    async fn commit_step(&self, owner: &str, c: StepCommit) -> Result<()> {
        let (event_ids, bodies) = encode_events(&c.events)?;
        let inbox = InboxArrays::new(&c.new_inbox);
        let consumed: Vec<i64> = c
            .consumed
            .iter()
            .filter_map(|id| i64::try_from(*id).ok())
            .collect();
        let cancel_keys: Vec<i64> = c.cancel_keys.iter().map(|k| label_to_sql(*k)).collect();
        let cancel_tasks: Vec<i64> = c.cancel_tasks.iter().map(|k| label_to_sql(*k)).collect();
        let tasks = TaskArrays::new(&c.new_tasks);
        let dispatches = DispatchArrays::new(&c.new_dispatches);
        let mut signals = Vec::new();
        if c.new_tasks.iter().any(|t| t.activity_arn.is_some()) {
            signals.push(Signal::ActivityTasks.payload());
        }
        if let Some(u) = &c.update {
            if u.status != "RUNNING" {
                signals.push(
                    Signal::Finished {
                        execution_arn: c.execution_arn.clone(),
                        status: u.status.clone(),
                    }
                    .payload(),
                );
            }
        }
        let arn = &c.execution_arn;

        let mut conn = self.conn().await?;
        let tx = conn.transaction().await.map_err(pg)?;
        let found = query_opt(
            &tx,
            "SELECT id, version, lease_owner FROM executions WHERE arn = $1 FOR UPDATE",
            &[arn],
        )
        .await?;
        let Some(found) = found else {
            return Err(StoreError::NotFound(arn.clone()));
        };
        let id: i64 = get(&found, 0)?;
        let version = to_u64(get(&found, 1)?, "execution version")?;
        let lease_owner: Option<String> = get(&found, 2)?;
        if version != c.expected_version {
            return Err(StoreError::Conflict(format!(
                "{arn} is at version {version}, not {}",
                c.expected_version
            )));
        }
        if lease_owner.as_deref().is_some_and(|o| o != owner) {
            return Err(StoreError::Conflict(format!(
                "{arn} is leased by another worker"
            )));
        }

        let (status, stop_ms, output, error, cause) = match &c.update {
            Some(u) => (
                Some(&u.status),
                u.stop_ms,
                u.output.as_ref(),
                u.error.as_ref(),
                u.cause.as_ref(),
            ),
            None => (None, None, None, None, None),
        };
        let summary = if c.update.is_some() {
            "UPDATE executions SET version = version + 1, lease_owner = NULL, \
             lease_until = NULL, snapshot = $2, status = $3, stop_ms = $4, output = $5, \
             error = $6, cause = $7 WHERE id = $1"
        } else {
            "UPDATE executions SET version = version + 1, lease_owner = NULL, \
             lease_until = NULL, snapshot = $2 WHERE id = $1"
        };
        let summary_params: Vec<&(dyn ToSql + Sync)> = if c.update.is_some() {
            vec![&id, &c.snapshot, &status, &stop_ms, &output, &error, &cause]
        } else {
            vec![&id, &c.snapshot]
        };
        let event_params: [&(dyn ToSql + Sync); 3] = [&id, &event_ids, &bodies];
        let consumed_params: [&(dyn ToSql + Sync); 2] = [&id, &consumed];
        let keys_params: [&(dyn ToSql + Sync); 2] = [&id, &cancel_keys];
        let inbox_params: [&(dyn ToSql + Sync); 4] = [&id, &inbox.due, &inbox.key, &inbox.payload];
        let cancel_params: [&(dyn ToSql + Sync); 2] = [arn, &cancel_tasks];
        let task_params = tasks.params();
        let dispatch_params = dispatches.params();
        const DELETE_CONSUMED: &str = "DELETE FROM inbox WHERE execution_id = $1 AND id = ANY($2)";
        const DELETE_KEYS: &str = "DELETE FROM inbox WHERE execution_id = $1 AND key = ANY($2)";
        const DELETE_TASKS: &str =
            "DELETE FROM tasks WHERE execution_arn = $1 AND effect_id = ANY($2)";
        const DELETE_DISPATCHES: &str =
            "DELETE FROM dispatches WHERE execution_arn = $1 AND effect_id = ANY($2)";
        const NOTIFY: &str = "SELECT pg_notify($1, $2)";
        // Prepared first (from the connection's cache, after its first commits), so that the
        // writes below go out in exactly this order.
        let (
            s_events,
            s_consumed,
            s_keys,
            s_inbox,
            s_tasks_del,
            s_tasks,
            s_disp_del,
            s_disp,
            s_summary,
            s_notify,
        ) = tokio::try_join!(
            prepare(&tx, INSERT_EVENTS),
            prepare(&tx, DELETE_CONSUMED),
            prepare(&tx, DELETE_KEYS),
            prepare(&tx, INSERT_INBOX),
            prepare(&tx, DELETE_TASKS),
            prepare(&tx, INSERT_TASKS),
            prepare(&tx, DELETE_DISPATCHES),
            prepare(&tx, INSERT_DISPATCHES),
            prepare(&tx, summary),
            prepare(&tx, NOTIFY),
        )?;
        let notify = async {
            for payload in &signals {
                tx.execute(&s_notify, &[&CHANNEL, payload])
                    .await
                    .map_err(pg)?;
            }
            Ok::<(), StoreError>(())
        };
        // Sent in this order on the one connection, without waiting for each answer.
        tokio::try_join!(
            when(&tx, !event_ids.is_empty(), &s_events, &event_params),
            when(&tx, !consumed.is_empty(), &s_consumed, &consumed_params),
            when(&tx, !cancel_keys.is_empty(), &s_keys, &keys_params),
            when(&tx, !inbox.due.is_empty(), &s_inbox, &inbox_params),
            when(&tx, !cancel_tasks.is_empty(), &s_tasks_del, &cancel_params),
            when(&tx, !tasks.token.is_empty(), &s_tasks, &task_params),
            when(&tx, !cancel_tasks.is_empty(), &s_disp_del, &cancel_params),
            when(&tx, !dispatches.arn.is_empty(), &s_disp, &dispatch_params),
            when(&tx, true, &s_summary, &summary_params),
            notify,
        )?;
        tx.commit().await.map_err(pg)
    }

    async fn deliver(&self, row: NewInbox, execution_arn: &str) -> Result<bool> {
        let c = self.conn().await?;
        let key = row.key.map(label_to_sql);
        let found = query(
            &c,
            "WITH e AS (SELECT id FROM executions WHERE arn = $1 AND status = 'RUNNING'), \
                  ins AS (INSERT INTO inbox (execution_id, due_ms, key, payload) \
                          SELECT id, $2, $3, $4 FROM e \
                          ON CONFLICT (execution_id, key) WHERE key IS NOT NULL DO NOTHING) \
             SELECT 1 FROM e",
            &[&execution_arn, &row.due_ms, &key, &row.payload],
        )
        .await?;
        Ok(!found.is_empty())
    }

    async fn reopen(&self, execution_arn: &str, now_ms: i64, row: NewInbox) -> Result<bool> {
        let c = self.conn().await?;
        let key = row.key.map(label_to_sql);
        let found = query(
            &c,
            "WITH e AS (UPDATE executions SET status = 'RUNNING', \
                          redrive_count = redrive_count + 1, redrive_ms = $2, stop_ms = NULL, \
                          output = NULL, error = NULL, cause = NULL, version = version + 1 \
                        WHERE arn = $1 AND status IN ('FAILED', 'TIMED_OUT', 'ABORTED') \
                        RETURNING id), \
                  ins AS (INSERT INTO inbox (execution_id, due_ms, key, payload) \
                          SELECT id, $3, $4, $5 FROM e \
                          ON CONFLICT (execution_id, key) WHERE key IS NOT NULL DO NOTHING) \
             SELECT 1 FROM e",
            &[&execution_arn, &now_ms, &row.due_ms, &key, &row.payload],
        )
        .await?;
        Ok(!found.is_empty())
    }

    async fn release_leases(&self) -> Result<u64> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let a = execute(
            &tx,
            "UPDATE executions SET lease_owner = NULL, lease_until = NULL \
             WHERE lease_owner IS NOT NULL",
            &[],
        )
        .await?;
        let b = execute(
            &tx,
            "UPDATE dispatches SET lease_owner = NULL, lease_until = NULL \
             WHERE lease_owner IS NOT NULL",
            &[],
        )
        .await?;
        tx.commit().await.map_err(pg)?;
        Ok(a + b)
    }

    async fn next_due(&self) -> Result<Option<i64>> {
        let c = self.conn().await?;
        // Per execution the later of a row's due time and the lease's end; the lease is the
        // same for all its rows, so the minimum over rows is the minimum over executions.
        let row = query_opt(
            &c,
            "SELECT min(GREATEST(i.due_ms, COALESCE(e.lease_until, i.due_ms))) \
             FROM inbox i JOIN executions e ON e.id = i.execution_id",
            &[],
        )
        .await?;
        match row {
            Some(r) => get(&r, 0),
            None => Ok(None),
        }
    }

    async fn claim_dispatches(
        &self,
        owner: &str,
        now_ms: i64,
        lease_ms: i64,
        limit: usize,
    ) -> Result<Vec<Dispatch>> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let c = self.conn().await?;
        let until = now_ms.saturating_add(lease_ms);
        let sql = format!(
            "WITH free AS (SELECT execution_arn, effect_id FROM dispatches \
                 WHERE lease_until IS NULL OR lease_until <= $1 \
                 ORDER BY created_ms, execution_arn, effect_id LIMIT $2 \
                 FOR UPDATE SKIP LOCKED) \
             UPDATE dispatches d SET lease_owner = $3, lease_until = $4 FROM free \
             WHERE d.execution_arn = free.execution_arn AND d.effect_id = free.effect_id \
             RETURNING {}",
            DISPATCH_COLUMNS
                .split(", ")
                .map(|c| format!("d.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows = query(&c, &sql, &[&now_ms, &sql_limit(limit), &owner, &until]).await?;
        let mut found = collect(rows, dispatch_from_row)?;
        found.sort_by(|a, b| {
            (a.created_ms, &a.execution_arn, label_to_sql(a.effect_id)).cmp(&(
                b.created_ms,
                &b.execution_arn,
                label_to_sql(b.effect_id),
            ))
        });
        Ok(found)
    }

    async fn renew_dispatches(
        &self,
        owner: &str,
        keys: &[(String, u64)],
        until_ms: i64,
    ) -> Result<u64> {
        if keys.is_empty() {
            return Ok(0);
        }
        let arns: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
        let effects: Vec<i64> = keys.iter().map(|k| label_to_sql(k.1)).collect();
        let c = self.conn().await?;
        execute(
            &c,
            "UPDATE dispatches d SET lease_until = $4 \
             FROM UNNEST($1::text[], $2::bigint[]) AS k(arn, effect) \
             WHERE d.execution_arn = k.arn AND d.effect_id = k.effect AND d.lease_owner = $3",
            &[&arns, &effects, &owner, &until_ms],
        )
        .await
    }

    async fn complete_dispatch(
        &self,
        execution_arn: &str,
        effect_id: u64,
        row: NewInbox,
    ) -> Result<bool> {
        let c = self.conn().await?;
        let key = row.key.map(label_to_sql);
        let found = query(
            &c,
            "WITH d AS (DELETE FROM dispatches WHERE execution_arn = $1 AND effect_id = $2 \
                        RETURNING execution_arn), \
                  e AS (SELECT x.id FROM executions x JOIN d ON x.arn = d.execution_arn \
                        WHERE x.status = 'RUNNING'), \
                  ins AS (INSERT INTO inbox (execution_id, due_ms, key, payload) \
                          SELECT id, $3, $4, $5 FROM e \
                          ON CONFLICT (execution_id, key) WHERE key IS NOT NULL DO NOTHING) \
             SELECT 1 FROM d",
            &[
                &execution_arn,
                &label_to_sql(effect_id),
                &row.due_ms,
                &key,
                &row.payload,
            ],
        )
        .await?;
        Ok(!found.is_empty())
    }

    async fn claim_activity_task(
        &self,
        activity_arn: &str,
        worker: &str,
        _now_ms: i64,
    ) -> Result<Option<Task>> {
        let c = self.conn().await?;
        let sql = format!(
            "UPDATE tasks SET worker = $2 WHERE token = ( \
                 SELECT token FROM tasks WHERE activity_arn = $1 AND worker IS NULL \
                 ORDER BY created_ms, token LIMIT 1 FOR UPDATE SKIP LOCKED) \
             RETURNING {TASK_COLUMNS}"
        );
        query_opt(&c, &sql, &[&activity_arn, &worker])
            .await?
            .as_ref()
            .map(task_from_row)
            .transpose()
    }
    async fn task_by_token(&self, token: &str) -> Result<Option<Task>> {
        let c = self.conn().await?;
        let sql = format!("SELECT {TASK_COLUMNS} FROM tasks WHERE token = $1");
        query_opt(&c, &sql, &[&token])
            .await?
            .as_ref()
            .map(task_from_row)
            .transpose()
    }
    async fn finish_task(&self, token: &str) -> Result<bool> {
        let c = self.conn().await?;
        Ok(execute(&c, "DELETE FROM tasks WHERE token = $1", &[&token]).await? > 0)
    }
}

/// New tasks as column arrays; a task whose token exists replaces it (tokens are the
/// engine's, unique by construction; replacing matches the in-memory store).
struct TaskArrays {
    token: Vec<String>,
    execution_arn: Vec<String>,
    effect_id: Vec<i64>,
    activity_arn: Vec<Option<String>>,
    input: Vec<String>,
    created_ms: Vec<i64>,
    worker: Vec<Option<String>>,
}

const INSERT_TASKS: &str = "INSERT INTO tasks (token, execution_arn, effect_id, activity_arn, \
         input, created_ms, worker) \
     SELECT * FROM UNNEST($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], \
         $6::bigint[], $7::text[]) \
     ON CONFLICT (token) DO UPDATE SET execution_arn = excluded.execution_arn, \
         effect_id = excluded.effect_id, activity_arn = excluded.activity_arn, \
         input = excluded.input, created_ms = excluded.created_ms, worker = excluded.worker";

impl TaskArrays {
    fn new(tasks: &[Task]) -> TaskArrays {
        TaskArrays {
            token: tasks.iter().map(|t| t.token.clone()).collect(),
            execution_arn: tasks.iter().map(|t| t.execution_arn.clone()).collect(),
            effect_id: tasks.iter().map(|t| label_to_sql(t.effect_id)).collect(),
            activity_arn: tasks.iter().map(|t| t.activity_arn.clone()).collect(),
            input: tasks.iter().map(|t| t.input.clone()).collect(),
            created_ms: tasks.iter().map(|t| t.created_ms).collect(),
            worker: tasks.iter().map(|t| t.worker.clone()).collect(),
        }
    }
    fn params(&self) -> [&(dyn ToSql + Sync); 7] {
        [
            &self.token,
            &self.execution_arn,
            &self.effect_id,
            &self.activity_arn,
            &self.input,
            &self.created_ms,
            &self.worker,
        ]
    }
}

/// New dispatches as column arrays; one with the same key replaces the old.
struct DispatchArrays {
    arn: Vec<String>,
    effect_id: Vec<i64>,
    payload: Vec<Vec<u8>>,
    created_ms: Vec<i64>,
    owner: Vec<Option<String>>,
    until: Vec<Option<i64>>,
}

const INSERT_DISPATCHES: &str = "INSERT INTO dispatches (execution_arn, effect_id, payload, \
         created_ms, lease_owner, lease_until) \
     SELECT * FROM UNNEST($1::text[], $2::bigint[], $3::bytea[], $4::bigint[], $5::text[], \
         $6::bigint[]) \
     ON CONFLICT (execution_arn, effect_id) DO UPDATE SET payload = excluded.payload, \
         created_ms = excluded.created_ms, lease_owner = excluded.lease_owner, \
         lease_until = excluded.lease_until";

impl DispatchArrays {
    fn new(rows: &[Dispatch]) -> DispatchArrays {
        DispatchArrays {
            arn: rows.iter().map(|d| d.execution_arn.clone()).collect(),
            effect_id: rows.iter().map(|d| label_to_sql(d.effect_id)).collect(),
            payload: rows.iter().map(|d| d.payload.clone()).collect(),
            created_ms: rows.iter().map(|d| d.created_ms).collect(),
            owner: rows
                .iter()
                .map(|d| d.lease.as_ref().map(|l| l.0.clone()))
                .collect(),
            until: rows.iter().map(|d| d.lease.as_ref().map(|l| l.1)).collect(),
        }
    }
    fn params(&self) -> [&(dyn ToSql + Sync); 6] {
        [
            &self.arn,
            &self.effect_id,
            &self.payload,
            &self.created_ms,
            &self.owner,
            &self.until,
        ]
    }
}

/// Runs a statement of a pipelined batch, or nothing when `cond` is false.
async fn when<C: deadpool_postgres::GenericClient>(
    c: &C,
    cond: bool,
    statement: &tokio_postgres::Statement,
    params: Params<'_>,
) -> Result<()> {
    if cond {
        c.execute(statement, params).await.map_err(pg)?;
    }
    Ok(())
}

async fn prepare<C: deadpool_postgres::GenericClient>(
    c: &C,
    sql: &str,
) -> Result<tokio_postgres::Statement> {
    c.prepare_cached(sql).await.map_err(pg)
}
