-- Render jobs. Times are Unix microseconds (UTC). `attempt` is the claim generation, handed to
-- the claiming worker as its fencing token.
CREATE TABLE jobs (
    seq              INTEGER PRIMARY KEY,
    id               TEXT    NOT NULL UNIQUE,
    hash             TEXT    NOT NULL,
    params           TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'canceled')),
    progress         REAL    NOT NULL DEFAULT 0,
    backend          TEXT,
    device           TEXT,
    created_at       INTEGER NOT NULL,
    started_at       INTEGER,
    finished_at      INTEGER,
    duration_ms      INTEGER,
    error_code       TEXT,
    error_message    TEXT,
    attempt          INTEGER NOT NULL DEFAULT 0,
    lease_owner      TEXT,
    lease_expires_at INTEGER
);

-- At most one queued, running or done job per parameter hash: concurrent equal submissions
-- make one job. Failed and canceled jobs do not hold their hash, so the params can run again.
CREATE UNIQUE INDEX jobs_live_hash ON jobs (hash) WHERE status IN ('queued', 'running', 'done');

CREATE INDEX jobs_status_seq ON jobs (status, seq);
