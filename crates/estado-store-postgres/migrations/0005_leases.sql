-- Leases of executions in a table of their own instead of two columns of the execution's row.
--
-- With the lease in the row, every claim rewrote the whole row (its snapshot too) and, the lease
-- being indexed (0003, for next_due), so did every commit releasing it, each time with a new
-- entry in every index of the table: two full row versions and a dozen index entries per step.
-- Now a claim locks the execution's row (FOR UPDATE SKIP LOCKED, as before: concurrent claimers
-- skip each other) and writes a small lease row; a step's commit updates the execution's row
-- once, changing no indexed column, so PostgreSQL can write the new version in the same page
-- without touching the indexes (a HOT update: the table keeps room for it, fillfactor 70), and
-- deletes the lease row.
--
-- A claim takes an execution only if its lease row is absent or ended (an upsert whose update
-- is conditional), so two claimers that both saw an execution free cannot both lease it: the
-- second waits for the first's row lock, then finds its lease.
--
-- As with 0004, stop every node of an older Estado before starting this version on a shared
-- database.

CREATE TABLE leases (
    execution_id BIGINT PRIMARY KEY,
    owner        TEXT NOT NULL,
    until        BIGINT NOT NULL
);

INSERT INTO leases (execution_id, owner, until)
    SELECT id, lease_owner, lease_until FROM executions WHERE lease_until IS NOT NULL;

DROP INDEX executions_leased;
ALTER TABLE executions DROP COLUMN lease_owner, DROP COLUMN lease_until;
ALTER TABLE executions SET (fillfactor = 70);

DROP FUNCTION estado_commit_step(TEXT, TEXT, BIGINT, BYTEA, BIGINT[], BIGINT[], BYTEA[], BIGINT[], BIGINT[], BIGINT[], BIGINT[], BYTEA[], BIGINT[], TEXT[], TEXT[], BIGINT[], TEXT[], TEXT[], BIGINT[], TEXT[], TEXT[], BIGINT[], BYTEA[], BIGINT[], TEXT[], BIGINT[], BOOLEAN, TEXT, BIGINT, TEXT, TEXT, TEXT);

-- As in 0004, with the lease read from, and released in, the leases table.
CREATE FUNCTION estado_commit_step(
    p_arn TEXT, p_owner TEXT, p_expected BIGINT, p_snapshot BYTEA,
    p_chunk_first BIGINT[], p_chunk_last BIGINT[], p_chunk_body BYTEA[],
    p_consumed BIGINT[], p_cancel_keys BIGINT[],
    p_inbox_due BIGINT[], p_inbox_key BIGINT[], p_inbox_payload BYTEA[],
    p_cancel_tasks BIGINT[],
    p_task_token TEXT[], p_task_exec TEXT[], p_task_effect BIGINT[], p_task_activity TEXT[], p_task_input TEXT[],
    p_task_created BIGINT[], p_task_worker TEXT[],
    p_disp_exec TEXT[], p_disp_effect BIGINT[], p_disp_payload BYTEA[], p_disp_created BIGINT[],
    p_disp_owner TEXT[], p_disp_until BIGINT[],
    p_update BOOLEAN, p_status TEXT, p_stop_ms BIGINT, p_output TEXT, p_error TEXT, p_cause TEXT
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    v_id BIGINT;
    v_version BIGINT;
    v_owner TEXT;
BEGIN
    -- The row lock keeps claimers away while the step is saved (they skip locked executions),
    -- so the lease read next is the one in force.
    SELECT id, version INTO v_id, v_version FROM executions WHERE arn = p_arn FOR UPDATE;
    IF NOT FOUND THEN
        RETURN -1;
    END IF;
    IF v_version <> p_expected THEN
        RETURN v_version + 1;
    END IF;
    SELECT owner INTO v_owner FROM leases WHERE execution_id = v_id;
    IF v_owner IS NOT NULL AND v_owner <> p_owner THEN
        RETURN -2;
    END IF;
    IF cardinality(p_chunk_first) > 0 THEN
        INSERT INTO history_chunks (execution_id, first_id, last_id, body)
            SELECT v_id, f, l, b FROM UNNEST(p_chunk_first, p_chunk_last, p_chunk_body) AS t(f, l, b);
    END IF;
    IF cardinality(p_consumed) > 0 THEN
        DELETE FROM inbox WHERE execution_id = v_id AND id = ANY(p_consumed);
    END IF;
    IF cardinality(p_cancel_keys) > 0 THEN
        DELETE FROM inbox WHERE execution_id = v_id AND key = ANY(p_cancel_keys);
    END IF;
    IF cardinality(p_inbox_due) > 0 THEN
        INSERT INTO inbox (execution_id, due_ms, key, payload)
            SELECT v_id, d, k, p FROM UNNEST(p_inbox_due, p_inbox_key, p_inbox_payload)
                WITH ORDINALITY AS t(d, k, p, n) ORDER BY n
            ON CONFLICT (execution_id, key) WHERE key IS NOT NULL DO NOTHING;
    END IF;
    IF cardinality(p_cancel_tasks) > 0 THEN
        DELETE FROM tasks WHERE execution_arn = p_arn AND effect_id = ANY(p_cancel_tasks);
    END IF;
    IF cardinality(p_task_token) > 0 THEN
        INSERT INTO tasks (token, execution_arn, effect_id, activity_arn, input, created_ms, worker)
            SELECT tok, ex, eff, act, inp, cr, wk
            FROM UNNEST(p_task_token, p_task_exec, p_task_effect, p_task_activity, p_task_input,
                        p_task_created, p_task_worker) AS t(tok, ex, eff, act, inp, cr, wk)
            ON CONFLICT (token) DO UPDATE SET execution_arn = excluded.execution_arn,
                effect_id = excluded.effect_id, activity_arn = excluded.activity_arn,
                input = excluded.input, created_ms = excluded.created_ms, worker = excluded.worker;
    END IF;
    IF cardinality(p_cancel_tasks) > 0 THEN
        DELETE FROM dispatches WHERE execution_arn = p_arn AND effect_id = ANY(p_cancel_tasks);
    END IF;
    IF cardinality(p_disp_effect) > 0 THEN
        INSERT INTO dispatches (execution_arn, effect_id, payload, created_ms, lease_owner, lease_until)
            SELECT ex, eff, pay, cr, own, unt
            FROM UNNEST(p_disp_exec, p_disp_effect, p_disp_payload, p_disp_created, p_disp_owner,
                        p_disp_until) AS t(ex, eff, pay, cr, own, unt)
            ON CONFLICT (execution_arn, effect_id) DO UPDATE SET payload = excluded.payload,
                created_ms = excluded.created_ms, lease_owner = excluded.lease_owner,
                lease_until = excluded.lease_until;
    END IF;
    IF p_update THEN
        UPDATE executions SET version = version + 1, snapshot = p_snapshot, status = p_status,
            stop_ms = p_stop_ms, output = p_output, error = p_error, cause = p_cause
            WHERE id = v_id;
    ELSE
        UPDATE executions SET version = version + 1, snapshot = p_snapshot WHERE id = v_id;
    END IF;
    IF v_owner IS NOT NULL THEN
        DELETE FROM leases WHERE execution_id = v_id;
    END IF;
    RETURN 0;
END;
$$;
