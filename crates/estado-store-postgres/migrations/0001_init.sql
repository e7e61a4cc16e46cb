-- Estado's schema on PostgreSQL. Times are milliseconds since the Unix epoch; JSON columns
-- hold the values exactly as the API received them (TEXT, not jsonb, which would reorder keys).

CREATE TABLE state_machines (
    arn          TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    definition   TEXT NOT NULL,
    role_arn     TEXT NOT NULL,
    created_ms   BIGINT NOT NULL,
    updated_ms   BIGINT NOT NULL,
    revision_id  TEXT NOT NULL,
    description  TEXT,
    logging      TEXT,
    tracing      TEXT,
    encryption   TEXT,
    next_version BIGINT NOT NULL
);
CREATE INDEX state_machines_by_created ON state_machines (created_ms, arn);

CREATE TABLE versions (
    arn               TEXT PRIMARY KEY,
    state_machine_arn TEXT NOT NULL,
    number            BIGINT NOT NULL,
    definition        TEXT NOT NULL,
    role_arn          TEXT NOT NULL,
    revision_id       TEXT NOT NULL,
    description       TEXT,
    created_ms        BIGINT NOT NULL
);
CREATE INDEX versions_by_machine ON versions (state_machine_arn, number);

CREATE TABLE aliases (
    arn               TEXT PRIMARY KEY,
    state_machine_arn TEXT NOT NULL,
    name              TEXT NOT NULL,
    description       TEXT,
    -- [[version ARN, weight], ...]
    routing           TEXT NOT NULL,
    created_ms        BIGINT NOT NULL,
    updated_ms        BIGINT NOT NULL
);
CREATE INDEX aliases_by_machine ON aliases (state_machine_arn, created_ms, arn);

CREATE TABLE activities (
    arn        TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    encryption TEXT
);
CREATE INDEX activities_by_created ON activities (created_ms, arn);

-- Ordered by seq: an upsert keeps a key's place.
CREATE TABLE tags (
    seq          BIGSERIAL,
    resource_arn TEXT NOT NULL,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL,
    PRIMARY KEY (resource_arn, key)
);

-- `id` is the compact key events and inbox rows refer to. The snapshot lives in the row: every
-- step rewrites the row anyway (version, lease), so one update carries both.
CREATE TABLE executions (
    id                BIGSERIAL PRIMARY KEY,
    arn               TEXT NOT NULL UNIQUE,
    state_machine_arn TEXT NOT NULL,
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL,
    status            TEXT NOT NULL,
    start_ms          BIGINT NOT NULL,
    stop_ms           BIGINT,
    input             TEXT NOT NULL,
    output            TEXT,
    error             TEXT,
    cause             TEXT,
    definition        TEXT NOT NULL,
    role_arn          TEXT NOT NULL,
    version_arn       TEXT,
    alias_arn         TEXT,
    trace_header      TEXT,
    redrive_count     BIGINT NOT NULL,
    redrive_ms        BIGINT,
    version           BIGINT NOT NULL,
    lease_owner       TEXT,
    lease_until       BIGINT,
    snapshot          BYTEA NOT NULL
);
CREATE INDEX executions_by_start ON executions (start_ms, id);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_ms, id);
CREATE INDEX executions_by_version ON executions (version_arn, start_ms, id)
    WHERE version_arn IS NOT NULL;
CREATE INDEX executions_by_alias ON executions (alias_arn, start_ms, id)
    WHERE alias_arn IS NOT NULL;

-- One row per history event, in AWS's wire form (JSON).
CREATE TABLE events (
    execution_id BIGINT NOT NULL,
    id           BIGINT NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (execution_id, id)
);

-- A sequence: ids only ever increase, even after the newest row is consumed.
CREATE TABLE inbox (
    id           BIGSERIAL PRIMARY KEY,
    execution_id BIGINT NOT NULL,
    due_ms       BIGINT NOT NULL,
    key          BIGINT,
    payload      BYTEA NOT NULL
);
CREATE INDEX inbox_by_due ON inbox (due_ms, id);
CREATE INDEX inbox_by_execution ON inbox (execution_id, id);
-- A key is pending at most once per execution (ON CONFLICT DO NOTHING makes delivery idempotent).
CREATE UNIQUE INDEX inbox_by_key ON inbox (execution_id, key) WHERE key IS NOT NULL;

CREATE TABLE tasks (
    token         TEXT PRIMARY KEY,
    execution_arn TEXT NOT NULL,
    effect_id     BIGINT NOT NULL,
    activity_arn  TEXT,
    input         TEXT NOT NULL,
    created_ms    BIGINT NOT NULL,
    worker        TEXT
);
CREATE INDEX tasks_by_execution ON tasks (execution_arn, effect_id);
CREATE INDEX tasks_queued ON tasks (activity_arn, created_ms, token)
    WHERE worker IS NULL AND activity_arn IS NOT NULL;

-- Runner tasks waiting for a dispatcher or running (the outbox of steps).
CREATE TABLE dispatches (
    execution_arn TEXT NOT NULL,
    effect_id     BIGINT NOT NULL,
    payload       BYTEA NOT NULL,
    created_ms    BIGINT NOT NULL,
    lease_owner   TEXT,
    lease_until   BIGINT,
    PRIMARY KEY (execution_arn, effect_id)
);
CREATE INDEX dispatches_by_created ON dispatches (created_ms, execution_arn, effect_id);
