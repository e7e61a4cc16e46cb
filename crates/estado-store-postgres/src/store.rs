//! [`Store`] for [`PostgresStore`]. Calls run as single statements on a pooled connection in
//! autocommit (one round trip, one short transaction), the hot ones too: claiming (a CTE that
//! locks with SKIP LOCKED, leases and reads). Creating executions and committing steps (the
//! `estado_commit_step` function of migration 0005, which locks the execution's row, checks
//! version and lease owner, and writes) go in groups with other callers' (creates.rs,
//! commits.rs). The rest use a transaction.

use async_trait::async_trait;
use estado_store::{
    Activity, Alias, Claim, Dispatch, Execution, ExecutionQuery, InboxRow, NewExecution, NewInbox,
    Result, StateMachine, StepCommit, Store, StoreError, Task, Version,
};
use estado_types::history::HistoryEvent;
use tokio_postgres::types::ToSql;

use crate::error::{invalid, json, label_from_sql, label_to_sql, pg, to_u32, to_u64};
use crate::listen::Signal;
use crate::ops::*;
use crate::PostgresStore;

/// History chunks read per round trip (most histories are one or two chunks).
const HISTORY_PAGE_CHUNKS: usize = 16;

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
        // A node may still hold the record of a deleted machine of the same ARN.
        self.machine_changed(&sm.arn);
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
        self.machine_changed(&sm.arn);
        Ok(())
    }
    async fn state_machine_to_start(&self, arn: &str) -> Result<Option<StateMachine>> {
        let generation = match self.machines.get(arn) {
            Ok(sm) => return Ok(Some(sm)),
            Err(generation) => generation,
        };
        let read_at = std::time::Instant::now();
        let found = self.get_state_machine(arn).await?;
        if let Some(sm) = &found {
            self.machines.store(generation, sm, read_at);
        }
        Ok(found)
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
        tx.commit().await.map_err(pg)?;
        self.machine_changed(arn);
        Ok(())
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
        tx.commit().await.map_err(pg)?;
        self.machine_changed(&v.state_machine_arn);
        Ok(())
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

    async fn create_execution(&self, mut e: NewExecution) -> Result<()> {
        // Written in a group with the executions other callers are creating (see creates.rs).
        let (reply, answer) = tokio::sync::oneshot::channel();
        let chunks = ChunkArrays::new(
            std::mem::take(&mut e.chunks),
            &std::mem::take(&mut e.events),
        );
        self.creates
            .send(crate::creates::Pending {
                execution: e,
                chunks,
                reply,
            })
            .map_err(|_| crate::creates::closed())?;
        answer.await.map_err(|_| crate::creates::closed())?
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
        // The first chunk's `ExecutionStarted` may refer to the input the record keeps: read
        // when that chunk is.
        let mut recorded_input: Option<String> = None;
        let mut out = Vec::new();
        // Chunks a page at a time, in order (each holds one event at least, so `limit` chunks
        // always suffice; a page of a few usually does), each decoded and cut to the range.
        let sql = if reverse {
            "SELECT last_id, body, first_id FROM history_chunks \
             WHERE execution_id = $1 AND first_id < $2 AND last_id < $3 \
             ORDER BY last_id DESC LIMIT $4"
        } else {
            "SELECT last_id, body, first_id FROM history_chunks \
             WHERE execution_id = $1 AND last_id > $2 AND last_id > $3 \
             ORDER BY last_id LIMIT $4"
        };
        // The last chunk read (its last_id): the next page starts past it.
        let mut past = if reverse { i64::MAX } else { i64::MIN };
        while out.len() < limit {
            let page = (limit - out.len()).min(HISTORY_PAGE_CHUNKS);
            let rows = query(&c, sql, &[&id, &from, &past, &sql_limit(page)]).await?;
            let n = rows.len();
            for r in rows {
                past = get(&r, 0)?;
                let body: &[u8] = get(&r, 1)?;
                let first: i64 = get(&r, 2)?;
                let input = if first <= 1 {
                    if recorded_input.is_none() {
                        let sql = "SELECT input FROM executions WHERE id = $1";
                        let row = query_opt(&c, sql, &[&id])
                            .await?
                            .ok_or_else(|| StoreError::NotFound(arn.to_owned()))?;
                        recorded_input = Some(get(&row, 0)?);
                    }
                    recorded_input.as_deref()
                } else {
                    None
                };
                let events = estado_store::chunks::decode_chunk(body, input)
                    .map_err(|e| invalid(format!("the history of {arn} cannot be read: {e}")))?;
                let left = limit - out.len();
                if reverse {
                    out.extend(events.into_iter().rev().filter(|e| e.id < from).take(left));
                } else {
                    out.extend(events.into_iter().filter(|e| e.id > from).take(left));
                }
                if out.len() >= limit {
                    break;
                }
            }
            if n < page {
                break;
            }
        }
        Ok(out)
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
        let c = self.conn().await?;
        let until = now_ms.saturating_add(lease_ms);
        // One statement: due rows of free executions (no lease, or an ended one) are walked in
        // due order (the first `4 * limit` of them, so that a backlog is not read whole: the
        // lease is looked up per row by a scalar subquery, which the planner cannot turn into a
        // join that reads every due row first), each
        // execution ordered by its oldest; executions another claimer has locked are skipped,
        // not waited for; a lease row is written for each (only where none is in force: a
        // claimer that saw the execution free before another leased it gets nothing) and the
        // snapshot and due rows read in the same go.
        let sql = format!(
            "WITH walk AS ( \
                 SELECT i.execution_id, i.due_ms, i.id \
                 FROM inbox i \
                 WHERE i.due_ms <= $1 AND COALESCE( \
                     (SELECT l.until FROM leases l WHERE l.execution_id = i.execution_id), \
                     $1) <= $1 \
                 ORDER BY i.due_ms, i.id LIMIT $2::bigint * 4), \
             due AS ( \
                 SELECT DISTINCT ON (execution_id) execution_id, due_ms, id FROM walk \
                 ORDER BY execution_id, due_ms, id), \
             picked AS ( \
                 SELECT x.id, due.due_ms AS first_due, due.id AS first_row, x.snapshot, {} \
                 FROM due JOIN executions x ON x.id = due.execution_id \
                 ORDER BY due.due_ms, due.id LIMIT $2 \
                 FOR UPDATE OF x SKIP LOCKED), \
             leased AS ( \
                 INSERT INTO leases (execution_id, owner, until) SELECT id, $3, $4 FROM picked \
                 ON CONFLICT (execution_id) DO UPDATE SET owner = excluded.owner, \
                     until = excluded.until WHERE leases.until <= $1 \
                 RETURNING execution_id) \
             SELECT picked.*, r.ids, r.dues, r.keys, r.payloads \
             FROM picked JOIN leased ON leased.execution_id = picked.id \
             LEFT JOIN LATERAL ( \
                 SELECT array_agg(i.id ORDER BY i.id) AS ids, \
                        array_agg(i.due_ms ORDER BY i.id) AS dues, \
                        array_agg(i.key ORDER BY i.id) AS keys, \
                        array_agg(i.payload ORDER BY i.id) AS payloads \
                 FROM inbox i WHERE i.execution_id = picked.id AND i.due_ms <= $1) r ON true \
             ORDER BY first_due, first_row",
            EXECUTION_COLUMNS
                .split(", ")
                .map(|c| format!("x.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let rows = query(&c, &sql, &[&now_ms, &sql_limit(limit), &owner, &until]).await?;
        let rows_at = 4 + 19;
        collect(rows, |r| {
            // NULL arrays when no row is due any more (consumed since the walk).
            let ids: Vec<i64> = get::<Option<_>>(r, rows_at)?.unwrap_or_default();
            let dues: Vec<i64> = get::<Option<_>>(r, rows_at + 1)?.unwrap_or_default();
            let keys: Vec<Option<i64>> = get::<Option<_>>(r, rows_at + 2)?.unwrap_or_default();
            let payloads: Vec<Vec<u8>> = get::<Option<_>>(r, rows_at + 3)?.unwrap_or_default();
            let mut inbox = Vec::with_capacity(ids.len());
            for (((id, due_ms), key), payload) in ids.into_iter().zip(dues).zip(keys).zip(payloads)
            {
                inbox.push(InboxRow {
                    id: to_u64(id, "inbox id")?,
                    due_ms,
                    key: key.map(label_from_sql),
                    payload,
                });
            }
            Ok(Claim {
                snapshot: get(r, 3)?,
                execution: execution_from_row(r, 4)?,
                inbox,
            })
        })
    }

    async fn commit_step(&self, owner: &str, c: StepCommit) -> Result<()> {
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
        let args = crate::commits::CommitArgs::new(owner, &c)?;
        // Saved in a group with the steps other callers are committing (see commits.rs).
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.commits
            .send(crate::commits::Pending { args, reply })
            .map_err(|_| crate::creates::closed())?;
        let code = answer.await.map_err(|_| crate::creates::closed())??;
        let arn = &c.execution_arn;
        match code {
            0 => {
                for signal in signals {
                    self.notify(signal);
                }
                Ok(())
            }
            -1 => Err(StoreError::NotFound(arn.clone())),
            -2 => Err(StoreError::Conflict(format!(
                "{arn} is leased by another worker"
            ))),
            n => Err(StoreError::Conflict(format!(
                "{arn} is at version {}, not {}",
                n - 1,
                c.expected_version
            ))),
        }
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

    fn keeps_chunks(&self) -> bool {
        true
    }
    async fn release_leases(&self) -> Result<u64> {
        let mut c = self.conn().await?;
        let tx = c.transaction().await.map_err(pg)?;
        let a = execute(&tx, "DELETE FROM leases", &[]).await?;
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
        // Per execution the later of its earliest row's due time and its lease's end. Free
        // executions (no lease row): the first row in due order of one of them (a scalar
        // subquery per row keeps it an ordered walk that stops there). Leased ones (few: claimed
        // and not committed since): each one's lease end or earliest row (`due_ms + 0`, so that
        // the minimum is taken over the execution's rows, not by walking the due index).
        let row = query_opt(
            &c,
            "SELECT LEAST( \
                 (SELECT i.due_ms FROM inbox i \
                  WHERE (SELECT l.execution_id FROM leases l \
                         WHERE l.execution_id = i.execution_id) IS NULL \
                  ORDER BY i.due_ms LIMIT 1), \
                 (SELECT min(GREATEST(l.until, \
                      (SELECT min(i.due_ms + 0) FROM inbox i \
                       WHERE i.execution_id = l.execution_id))) \
                  FROM leases l \
                  WHERE EXISTS (SELECT 1 FROM inbox i WHERE i.execution_id = l.execution_id)))",
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
