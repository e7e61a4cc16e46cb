-- History as chunks of consecutive events (estado_store::chunks: a compact binary body per
-- chunk) instead of one row per event: an execution's first commit writes one history row
-- instead of one per event (eight for Pass, Choice, Succeed), and a step of a large Map a few
-- instead of thousands. Chunks of one execution cover disjoint id ranges, so ordering them by
-- last_id orders the events.
--
-- The step commit function takes chunks instead of events, so nodes of an older Estado cannot
-- commit steps on a database migrated to this version: stop them all before starting the new
-- version on a shared database.

CREATE TABLE history_chunks (
    execution_id BIGINT NOT NULL,
    first_id     BIGINT NOT NULL,
    last_id      BIGINT NOT NULL,
    body         BYTEA NOT NULL,
    PRIMARY KEY (execution_id, last_id)
);

-- Events written before become chunks of up to 256 events whose body is a JSON array of the
-- events' wire JSON (a form the chunk reader accepts).
INSERT INTO history_chunks (execution_id, first_id, last_id, body)
    SELECT execution_id, MIN(id), MAX(id),
           convert_to('[' || string_agg(body, ',' ORDER BY id) || ']', 'UTF8')
    FROM events
    GROUP BY execution_id, (id - 1) / 256;

DROP TABLE events;

DROP FUNCTION estado_commit_step(
    TEXT, TEXT, BIGINT, BYTEA,
    BIGINT[], TEXT[],
    BIGINT[], BIGINT[],
    BIGINT[], BIGINT[], BYTEA[],
    BIGINT[],
    TEXT[], TEXT[], BIGINT[], TEXT[], TEXT[],
    BIGINT[], TEXT[],
    TEXT[], BIGINT[], BYTEA[], BIGINT[],
    TEXT[], BIGINT[],
    BOOLEAN, TEXT, BIGINT, TEXT, TEXT, TEXT,
    TEXT[]
);

-- As in 0002, with the history written as chunks, and the version and lease checked by the
-- update itself (one visit of the execution's row instead of a locking read and an update);
-- only when it changes nothing is the row read to tell why. Notifications are no longer sent
-- from here (the store sends them after the commit, batched).
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
BEGIN
    IF p_update THEN
        UPDATE executions SET version = version + 1, lease_owner = NULL, lease_until = NULL,
            snapshot = p_snapshot, status = p_status, stop_ms = p_stop_ms, output = p_output,
            error = p_error, cause = p_cause
            WHERE arn = p_arn AND version = p_expected
              AND (lease_owner IS NULL OR lease_owner = p_owner)
            RETURNING id INTO v_id;
    ELSE
        UPDATE executions SET version = version + 1, lease_owner = NULL, lease_until = NULL,
            snapshot = p_snapshot
            WHERE arn = p_arn AND version = p_expected
              AND (lease_owner IS NULL OR lease_owner = p_owner)
            RETURNING id INTO v_id;
    END IF;
    IF v_id IS NULL THEN
        SELECT version INTO v_version FROM executions WHERE arn = p_arn;
        IF NOT FOUND THEN
            RETURN -1;
        END IF;
        IF v_version <> p_expected THEN
            RETURN v_version + 1;
        END IF;
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
    RETURN 0;
END;
$$;
