-- A step commit as one statement: checks and writes run inside the server, so that a commit is
-- one round trip and one short transaction (autocommit) instead of BEGIN, a locking read, the
-- writes and COMMIT. Returns 0 when saved, -1 when the execution does not exist, -2 when
-- another owner holds its lease, and its version plus one when that is not the expected one;
-- nothing is written unless it returns 0.
CREATE OR REPLACE FUNCTION estado_commit_step(
    p_arn TEXT, p_owner TEXT, p_expected BIGINT, p_snapshot BYTEA,
    p_event_ids BIGINT[], p_event_bodies TEXT[],
    p_consumed BIGINT[], p_cancel_keys BIGINT[],
    p_inbox_due BIGINT[], p_inbox_key BIGINT[], p_inbox_payload BYTEA[],
    p_cancel_tasks BIGINT[],
    p_task_token TEXT[], p_task_exec TEXT[], p_task_effect BIGINT[], p_task_activity TEXT[], p_task_input TEXT[],
    p_task_created BIGINT[], p_task_worker TEXT[],
    p_disp_exec TEXT[], p_disp_effect BIGINT[], p_disp_payload BYTEA[], p_disp_created BIGINT[],
    p_disp_owner TEXT[], p_disp_until BIGINT[],
    p_update BOOLEAN, p_status TEXT, p_stop_ms BIGINT, p_output TEXT, p_error TEXT, p_cause TEXT,
    p_notify TEXT[]
) RETURNS BIGINT LANGUAGE plpgsql AS $$
DECLARE
    v_id BIGINT;
    v_version BIGINT;
    v_owner TEXT;
    v_payload TEXT;
BEGIN
    SELECT id, version, lease_owner INTO v_id, v_version, v_owner
        FROM executions WHERE arn = p_arn FOR UPDATE;
    IF NOT FOUND THEN
        RETURN -1;
    END IF;
    IF v_version <> p_expected THEN
        RETURN v_version + 1;
    END IF;
    IF v_owner IS NOT NULL AND v_owner <> p_owner THEN
        RETURN -2;
    END IF;
    IF cardinality(p_event_ids) > 0 THEN
        INSERT INTO events (execution_id, id, body)
            SELECT v_id, i, b FROM UNNEST(p_event_ids, p_event_bodies) AS t(i, b);
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
        UPDATE executions SET version = version + 1, lease_owner = NULL, lease_until = NULL,
            snapshot = p_snapshot, status = p_status, stop_ms = p_stop_ms, output = p_output,
            error = p_error, cause = p_cause
            WHERE id = v_id;
    ELSE
        UPDATE executions SET version = version + 1, lease_owner = NULL, lease_until = NULL,
            snapshot = p_snapshot
            WHERE id = v_id;
    END IF;
    IF p_notify IS NOT NULL THEN
        FOREACH v_payload IN ARRAY p_notify LOOP
            PERFORM pg_notify('estado', v_payload);
        END LOOP;
    END IF;
    RETURN 0;
END;
$$;
