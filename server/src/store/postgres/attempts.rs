//! The PostgreSQL store's side of a job's attempts: claiming under the cap, giving a job back
//! (expired lease, failed attempt, drain), re-queueing an evicted result within the queue's
//! capacity, and pruning finished jobs. Every timestamp is the database's (`julia_now_us()`);
//! the notification trigger announces every change, so nothing here publishes by hand.

use std::time::Duration;

use sqlx::Row;
use uuid::Uuid;

use super::{INSERT_LOCK_KEY, PostgresStore, job_from_row, retry};
use crate::store::attempts::{FINISHED, FRAME_OF_ACTIVE_ANIMATION, PRUNE_BATCH, Sql};
use crate::store::row::micros;
use crate::store::{ClaimedJob, ExpiredLeases, Requeued, StoreResult};
use julia_api_types::JobStatus;

/// Every statement here binds the cap as `$1`.
const SQL: Sql<'static> = Sql {
    max: "$1::bigint",
    now: "julia_now_us()",
};

/// What one claim statement did.
enum ClaimStep {
    Claimed(Box<ClaimedJob>),
    /// The oldest queued job had no tries left and is now failed; look again.
    GaveUp(Uuid),
    Empty,
}

impl PostgresStore {
    pub(super) async fn claim_next(
        &self,
        worker_id: &str,
        lease: Duration,
    ) -> StoreResult<Option<ClaimedJob>> {
        loop {
            match retry(|| self.claim_step(worker_id, lease)).await? {
                ClaimStep::Claimed(claimed) => return Ok(Some(*claimed)),
                ClaimStep::GaveUp(id) => {
                    tracing::warn!(%id, "a queued job had no tries left; failed it");
                }
                ClaimStep::Empty => return Ok(None),
            }
        }
    }

    async fn claim_step(&self, worker_id: &str, lease: Duration) -> StoreResult<ClaimStep> {
        // SKIP LOCKED: concurrent claimers each take a different row and never wait for one
        // another; the row lock also re-checks `status` on the newest row version.
        let sql = format!(
            "UPDATE jobs SET {}
             WHERE seq = (SELECT seq FROM jobs WHERE status = 'queued' ORDER BY seq
                          LIMIT 1 FOR UPDATE SKIP LOCKED)
             RETURNING *",
            SQL.claim_set("$2", "$3")
        );
        let row = sqlx::query(&sql)
            .bind(self.max_attempts)
            .bind(worker_id)
            .bind(micros(lease))
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else {
            return Ok(ClaimStep::Empty);
        };
        let job = job_from_row(&row)?;
        if job.status != JobStatus::Running {
            return Ok(ClaimStep::GaveUp(job.id));
        }
        let token: i64 = row.try_get("attempt")?;
        Ok(ClaimStep::Claimed(Box::new(ClaimedJob { job, token })))
    }

    pub(super) async fn release_untried(&self, id: Uuid, token: i64) -> StoreResult<bool> {
        let released = sqlx::query(
            "UPDATE jobs SET status = 'queued', progress = 0, started_at = NULL, lease_owner = NULL,
                 lease_expires_at = NULL, backend = NULL, device = NULL, tries = tries - 1
             WHERE id = $1 AND attempt = $2 AND status = 'running'",
        )
        .bind(id.to_string())
        .bind(token)
        .execute(&self.pool)
        .await?;
        Ok(released.rows_affected() == 1)
    }

    pub(super) async fn give_back(
        &self,
        id: Uuid,
        token: i64,
        last_error: &str,
    ) -> StoreResult<bool> {
        let sql = format!(
            "UPDATE jobs SET {} WHERE id = $2 AND attempt = $3 AND status = 'running'",
            SQL.give_back_set(Some("$4::text"))
        );
        let done = sqlx::query(&sql)
            .bind(self.max_attempts)
            .bind(id.to_string())
            .bind(token)
            .bind(last_error)
            .execute(&self.pool)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub(super) async fn give_back_expired(&self) -> StoreResult<ExpiredLeases> {
        let sql = format!(
            "UPDATE jobs SET {}
             WHERE status = 'running' AND lease_expires_at < julia_now_us() RETURNING status",
            SQL.give_back_set(None)
        );
        let statuses: Vec<String> = sqlx::query_scalar(&sql)
            .bind(self.max_attempts)
            .fetch_all(&self.pool)
            .await?;
        let requeued = statuses
            .iter()
            .filter(|s| *s == JobStatus::Queued.as_str())
            .count() as u64;
        Ok(ExpiredLeases {
            requeued,
            failed: statuses.len() as u64 - requeued,
        })
    }

    pub(super) async fn requeue_done_within(
        &self,
        id: Uuid,
        capacity: u64,
    ) -> StoreResult<Requeued> {
        let mut tx = self.pool.begin().await?;
        // The insert lock: a re-queue and a new job cannot both take the last place in the queue.
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(INSERT_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        let status: Option<String> = sqlx::query_scalar("SELECT status FROM jobs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&mut *tx)
            .await?;
        if status.as_deref() != Some(JobStatus::Done.as_str()) {
            return Ok(Requeued::NotDone);
        }
        let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'queued'")
            .fetch_one(&mut *tx)
            .await?;
        if u64::try_from(queued).unwrap_or(0) >= capacity {
            return Ok(Requeued::QueueFull);
        }
        let row = sqlx::query(
            "UPDATE jobs SET status = 'queued', progress = 0, started_at = NULL, finished_at = NULL,
                 duration_ms = NULL, backend = NULL, device = NULL, lease_owner = NULL,
                 lease_expires_at = NULL, tries = 0
             WHERE id = $1 AND status = 'done' RETURNING *",
        )
        .bind(id.to_string())
        .fetch_optional(&mut *tx)
        .await?;
        let outcome = match row {
            Some(row) => Requeued::Queued(job_from_row(&row)?),
            None => Requeued::NotDone,
        };
        tx.commit().await?;
        Ok(outcome)
    }

    pub(super) async fn prune(&self, older_than: Duration) -> StoreResult<u64> {
        let sql = format!(
            "DELETE FROM jobs WHERE seq IN (
                 SELECT seq FROM jobs WHERE status IN {FINISHED}
                     AND finished_at < julia_now_us() - $1
                     AND NOT {FRAME_OF_ACTIVE_ANIMATION} LIMIT $2)"
        );
        let mut pruned = 0;
        loop {
            let deleted = sqlx::query(&sql)
                .bind(micros(older_than))
                .bind(PRUNE_BATCH)
                .execute(&self.pool)
                .await?
                .rows_affected();
            pruned += deleted;
            if deleted < PRUNE_BATCH as u64 {
                return Ok(pruned);
            }
        }
    }
}
