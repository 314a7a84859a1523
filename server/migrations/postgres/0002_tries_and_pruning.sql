-- Capped retries: `tries` counts the claims since the job last finished (`attempt`, the fencing
-- generation, only ever grows). Jobs already in flight keep the claims they had.
ALTER TABLE jobs ADD COLUMN tries BIGINT NOT NULL DEFAULT 0;
UPDATE jobs SET tries = attempt WHERE status IN ('queued', 'running');

-- Pruning finds finished jobs by age without scanning the table.
CREATE INDEX jobs_finished_at ON jobs (finished_at) WHERE status IN ('done', 'failed', 'canceled');
