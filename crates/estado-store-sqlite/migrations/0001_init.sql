-- Estado's first schema. Times are milliseconds since the Unix epoch; JSON columns hold the
-- values exactly as the API received them.

CREATE TABLE state_machines (
    arn          TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL,
    definition   TEXT NOT NULL,
    role_arn     TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    updated_ms   INTEGER NOT NULL,
    revision_id  TEXT NOT NULL,
    description  TEXT,
    logging      TEXT,
    tracing      TEXT,
    encryption   TEXT,
    next_version INTEGER NOT NULL
);
CREATE INDEX state_machines_by_created ON state_machines (created_ms, arn);

CREATE TABLE versions (
    arn               TEXT PRIMARY KEY,
    state_machine_arn TEXT NOT NULL,
    number            INTEGER NOT NULL,
    definition        TEXT NOT NULL,
    role_arn          TEXT NOT NULL,
    revision_id       TEXT NOT NULL,
    description       TEXT,
    created_ms        INTEGER NOT NULL
);
CREATE INDEX versions_by_machine ON versions (state_machine_arn, number);

CREATE TABLE aliases (
    arn               TEXT PRIMARY KEY,
    state_machine_arn TEXT NOT NULL,
    name              TEXT NOT NULL,
    description       TEXT,
    -- [[version ARN, weight], ...]
    routing           TEXT NOT NULL,
    created_ms        INTEGER NOT NULL,
    updated_ms        INTEGER NOT NULL
);
CREATE INDEX aliases_by_machine ON aliases (state_machine_arn, created_ms, arn);

CREATE TABLE activities (
    arn        TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    encryption TEXT
);
CREATE INDEX activities_by_created ON activities (created_ms, arn);

-- Ordered by rowid: an upsert keeps a key's place.
CREATE TABLE tags (
    resource_arn TEXT NOT NULL,
    key          TEXT NOT NULL,
    value        TEXT NOT NULL,
    UNIQUE (resource_arn, key)
);

-- `id` is the compact key the high-volume tables (events, inbox, snapshots) refer to.
CREATE TABLE executions (
    id                INTEGER PRIMARY KEY,
    arn               TEXT NOT NULL UNIQUE,
    state_machine_arn TEXT NOT NULL,
    name              TEXT NOT NULL,
    kind              TEXT NOT NULL,
    status            TEXT NOT NULL,
    start_ms          INTEGER NOT NULL,
    stop_ms           INTEGER,
    input             TEXT NOT NULL,
    output            TEXT,
    error             TEXT,
    cause             TEXT,
    definition        TEXT NOT NULL,
    role_arn          TEXT NOT NULL,
    version_arn       TEXT,
    alias_arn         TEXT,
    trace_header      TEXT,
    redrive_count     INTEGER NOT NULL,
    redrive_ms        INTEGER,
    version           INTEGER NOT NULL,
    lease_owner       TEXT,
    lease_until       INTEGER
);
CREATE INDEX executions_by_start ON executions (start_ms, id);
CREATE INDEX executions_by_machine ON executions (state_machine_arn, start_ms, id);
CREATE INDEX executions_by_version ON executions (version_arn, start_ms, id)
    WHERE version_arn IS NOT NULL;
CREATE INDEX executions_by_alias ON executions (alias_arn, start_ms, id)
    WHERE alias_arn IS NOT NULL;

-- The interpreter snapshot, apart from the summary so that a step rewrites only what changed.
CREATE TABLE snapshots (
    execution_id INTEGER PRIMARY KEY,
    data         BLOB NOT NULL
);

-- One row per history event, in AWS's wire form (JSON).
CREATE TABLE events (
    execution_id INTEGER NOT NULL,
    id           INTEGER NOT NULL,
    body         TEXT NOT NULL,
    PRIMARY KEY (execution_id, id)
) WITHOUT ROWID;

-- AUTOINCREMENT: ids only ever increase, even after the newest row is consumed.
CREATE TABLE inbox (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id INTEGER NOT NULL,
    due_ms       INTEGER NOT NULL,
    key          INTEGER,
    payload      BLOB NOT NULL
);
CREATE INDEX inbox_by_due ON inbox (due_ms, id);
CREATE INDEX inbox_by_execution ON inbox (execution_id, id);
-- A key is pending at most once per execution (INSERT OR IGNORE makes delivery idempotent).
CREATE UNIQUE INDEX inbox_by_key ON inbox (execution_id, key) WHERE key IS NOT NULL;

CREATE TABLE tasks (
    token         TEXT PRIMARY KEY,
    execution_arn TEXT NOT NULL,
    effect_id     INTEGER NOT NULL,
    activity_arn  TEXT,
    input         TEXT NOT NULL,
    created_ms    INTEGER NOT NULL,
    worker        TEXT
);
CREATE INDEX tasks_by_execution ON tasks (execution_arn, effect_id);
CREATE INDEX tasks_queued ON tasks (activity_arn, created_ms, token)
    WHERE worker IS NULL AND activity_arn IS NOT NULL;
