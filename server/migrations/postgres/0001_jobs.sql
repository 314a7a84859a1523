-- Render jobs in the shared (distributed-mode) store. Times are Unix microseconds (UTC) taken
-- from the database's clock (julia_now_us), never a node's, so leases mean the same on every
-- node. `attempt` is the claim generation, handed to the claiming worker as its fencing token.
-- `completions` counts accepted completions: with fencing it is 1 per render of a job.

CREATE FUNCTION julia_now_us() RETURNS BIGINT LANGUAGE sql VOLATILE AS
$$ SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint $$;

CREATE TABLE jobs (
    seq              BIGSERIAL PRIMARY KEY,
    id               TEXT      NOT NULL UNIQUE,
    hash             TEXT      NOT NULL,
    params           TEXT      NOT NULL,
    status           TEXT      NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'canceled')),
    progress         DOUBLE PRECISION NOT NULL DEFAULT 0,
    backend          TEXT,
    device           TEXT,
    created_at       BIGINT    NOT NULL DEFAULT julia_now_us(),
    started_at       BIGINT,
    finished_at      BIGINT,
    duration_ms      BIGINT,
    error_code       TEXT,
    error_message    TEXT,
    attempt          BIGINT    NOT NULL DEFAULT 0,
    lease_owner      TEXT,
    lease_expires_at BIGINT,
    completions      INTEGER   NOT NULL DEFAULT 0
);

-- At most one queued, running or done job per parameter hash: equal submissions reaching two API
-- nodes at the same moment make one job. Failed and canceled jobs free their hash.
CREATE UNIQUE INDEX jobs_live_hash ON jobs (hash) WHERE status IN ('queued', 'running', 'done');

-- The queue (claim takes the lowest seq) and the lease sweep stay small indexes however many
-- finished jobs the table holds.
CREATE INDEX jobs_queued_seq ON jobs (seq) WHERE status = 'queued';
CREATE INDEX jobs_running_lease ON jobs (lease_expires_at) WHERE status = 'running';

-- Every visible change of a job is announced on `julia_job` (payload: the id; listeners fetch
-- the row), and every job that becomes claimable on `julia_work`. Notifications are sent at
-- commit, so listeners never see a change that was rolled back. Lease renewals alone are not
-- announced: nobody watches them and they are the most frequent write.
CREATE FUNCTION julia_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT'
        OR NEW.status IS DISTINCT FROM OLD.status
        OR NEW.progress IS DISTINCT FROM OLD.progress
        OR NEW.attempt IS DISTINCT FROM OLD.attempt THEN
        PERFORM pg_notify('julia_job', NEW.id);
    END IF;
    IF NEW.status = 'queued' AND (TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM 'queued') THEN
        PERFORM pg_notify('julia_work', '');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_notify AFTER INSERT OR UPDATE ON jobs
    FOR EACH ROW EXECUTE FUNCTION julia_jobs_notify();
