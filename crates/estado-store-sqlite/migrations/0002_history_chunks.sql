-- History as chunks of consecutive events instead of one row per event: a step that writes
-- thousands of events writes a few rows (see estado_store::chunks for the body's format).
-- Chunks of one execution cover disjoint id ranges, so ordering by last_id orders events.

CREATE TABLE history_chunks (
    execution_id INTEGER NOT NULL,
    first_id     INTEGER NOT NULL,
    last_id      INTEGER NOT NULL,
    body         BLOB NOT NULL
);
CREATE UNIQUE INDEX history_chunks_by_execution ON history_chunks (execution_id, last_id, first_id);

-- Events written by schema 1 become chunks of up to 256 events whose body is a JSON array of
-- the events' wire JSON (a form the chunk reader accepts).
INSERT INTO history_chunks (execution_id, first_id, last_id, body)
    SELECT execution_id, MIN(id), MAX(id), CAST('[' || group_concat(body, ',' ORDER BY id) || ']' AS BLOB)
    FROM events
    GROUP BY execution_id, (id - 1) / 256;

DROP TABLE events;
