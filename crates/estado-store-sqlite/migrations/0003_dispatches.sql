-- Runner tasks (Lambda, HTTP, nested executions, mocks) waiting for a dispatcher or running:
-- the outbox a step fills in the same transaction as the task's TaskScheduled event.
CREATE TABLE dispatches (
    execution_arn TEXT NOT NULL,
    effect_id     INTEGER NOT NULL,
    payload       BLOB NOT NULL,
    created_ms    INTEGER NOT NULL,
    lease_owner   TEXT,
    lease_until   INTEGER,
    PRIMARY KEY (execution_arn, effect_id)
) WITHOUT ROWID;
-- Claims walk the free dispatches oldest first; a queued one has no lease end.
CREATE INDEX dispatches_by_lease ON dispatches (lease_until, created_ms);
