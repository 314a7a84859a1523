//! The SQLite store's side of a job's attempts: claiming under the cap, giving a job back
//! (expired lease, failed attempt, drain), re-queueing an evicted result within the queue's
//! capacity, and pruning finished jobs.

use std::time::Duration;

use sqlx::Row;
use uuid::Uuid;

use super::{Bind, FENCE, SqliteStore, job_from_row, now_micros};
use crate::store::attempts::{FINISHED, FRAME_OF_ACTIVE_ANIMATION, PRUNE_BATCH, Sql};
use crate::store::row::micros;
use crate::store::{ClaimedJob, ExpiredLeases, Requeued, StoreResult};
use julia_api_types::{JobError, JobStatus};

/// Every statement here binds the cap as `?1` and now as `?2`.
const SQL: Sql<'static> = Sql {
    max: "?1",
    now: "?2",
};

impl SqliteStore {
    pub(super) async fn claim_next(
        &self,
        worker_id: &str,
        lease: Duration,
    ) -> StoreResult<Option<ClaimedJob>> {
        let sql = format!(
            "UPDATE jobs SET {}
             WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY seq LIMIT 1)
             RETURNING *",
            SQL.claim_set("?3", "?4")
        );
        // A job out of tries is failed on the way and the next one is looked at.
        loop {
            let row = sqlx::query(&sql)
                .bind(self.max_attempts)
                .bind(now_micros())
                .bind(worker_id)
                .bind(micros(lease))
                .fetch_optional(&self.writer)
                .await?;
            let Some(row) = row else { return Ok(None) };
            let job = job_from_row(&row)?;
            self.publish(&job);
            if job.status == JobStatus::Running {
                let token: i64 = row.try_get("attempt")?;
                return Ok(Some(ClaimedJob { job, token }));
            }
            tracing::warn!(id = %job.id, "a queued job had no tries left; failed it");
        }
    }

    pub(super) async fn release_untried(&self, id: Uuid, token: i64) -> StoreResult<bool> {
        let sql = format!(
            "UPDATE jobs SET status = 'queued', progress = 0, started_at = NULL, lease_owner = NULL,
                 lease_expires_at = NULL, tries = tries - 1 {FENCE}"
        );
        let released = self.fenced_update(&sql, id, token, Vec::new()).await?;
        if released {
            self.wake_workers();
        }
        Ok(released)
    }

    pub(super) async fn give_back(
        &self,
        id: Uuid,
        token: i64,
        error: JobError,
    ) -> StoreResult<bool> {
        // Numbered throughout: sqlx counts plain `?` apart from `?N`, so the fence is `?4`, `?5`.
        let sql = format!(
            "UPDATE jobs SET {} WHERE id = ?4 AND attempt = ?5 AND status = 'running' RETURNING *",
            SQL.give_back_set(Some("?3"))
        );
        let binds = vec![
            Bind::Int(self.max_attempts),
            Bind::Int(now_micros()),
            Bind::Text(format!("{}: {}", error.code, error.message)),
        ];
        let given_back = self.fenced_update(&sql, id, token, binds).await?;
        if given_back {
            self.wake_workers();
        }
        Ok(given_back)
    }

    pub(super) async fn give_back_expired(&self) -> StoreResult<ExpiredLeases> {
        let sql = format!(
            "UPDATE jobs SET {} WHERE status = 'running' AND lease_expires_at < ?2 RETURNING *",
            SQL.give_back_set(None)
        );
        let rows = sqlx::query(&sql)
            .bind(self.max_attempts)
            .bind(now_micros())
            .fetch_all(&self.writer)
            .await?;
        let mut outcome = ExpiredLeases::default();
        for row in &rows {
            let job = job_from_row(row)?;
            match job.status {
                JobStatus::Queued => outcome.requeued += 1,
                _ => outcome.failed += 1,
            }
            self.publish(&job);
        }
        if outcome.requeued > 0 {
            self.wake_workers();
        }
        Ok(outcome)
    }

    pub(super) async fn requeue_done_within(
        &self,
        id: Uuid,
        capacity: u64,
    ) -> StoreResult<Requeued> {
        // One statement: the capacity check and the re-queue cannot be split by an insert.
        let row = sqlx::query(
            "UPDATE jobs SET status = 'queued', progress = 0, started_at = NULL, finished_at = NULL,
                 duration_ms = NULL, backend = NULL, device = NULL, tries = 0
             WHERE id = ?1 AND status = 'done'
                 AND (SELECT COUNT(*) FROM jobs WHERE status = 'queued') < ?2
             RETURNING *",
        )
        .bind(id.to_string())
        .bind(i64::try_from(capacity).unwrap_or(i64::MAX))
        .fetch_optional(&self.writer)
        .await?;
        if let Some(row) = row {
            let job = job_from_row(&row)?;
            self.publish(&job);
            self.wake_workers();
            return Ok(Requeued::Queued(job));
        }
        Ok(match self.fetch(id).await? {
            Some(job) if job.status == JobStatus::Done => Requeued::QueueFull,
            _ => Requeued::NotDone,
        })
    }

    pub(super) async fn prune(&self, older_than: Duration) -> StoreResult<u64> {
        let cutoff = now_micros().saturating_sub(micros(older_than));
        let sql = format!(
            "DELETE FROM jobs WHERE seq IN (
                 SELECT seq FROM jobs WHERE status IN {FINISHED} AND finished_at < ?1
                     AND NOT {FRAME_OF_ACTIVE_ANIMATION} LIMIT ?2)"
        );
        let mut pruned = 0;
        loop {
            let deleted = sqlx::query(&sql)
                .bind(cutoff)
                .bind(PRUNE_BATCH)
                .execute(&self.writer)
                .await?
                .rows_affected();
            pruned += deleted;
            if deleted < PRUNE_BATCH as u64 {
                return Ok(pruned);
            }
        }
    }
}
