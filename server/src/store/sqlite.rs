//! The embedded job store: SQLite in WAL mode through sqlx.
//!
//! Writes go through a pool of exactly one connection, so they are serialised in-process and
//! never meet `SQLITE_BUSY`; reads use their own pool and run beside writes (WAL). This is a
//! single-process store: on open, every job left `running` by a previous process (crash, kill -9)
//! goes back to the queue, or fails with `too_many_attempts` once its tries are used up. The
//! caller holds the data directory's lock (`DataDirLock`) so no other process is using it.

use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::SqlitePool;
use sqlx::sqlite::SqliteRow;
use time::OffsetDateTime;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use super::{
    Canceled, ClaimedJob, Completion, Deleted, ExpiredLeases, Inserted, JobStore, NewJob,
    QueueStats, Requeued, StoreError, StoreResult,
};
use sqlx::FromRow;

use super::animations::{AnimationStore, SqlAnimations};
use super::row::{JobRow, micros, queue_stats};
use julia_api_types::{Job, JobError};

mod attempts;
mod delete;
mod open;

pub struct SqliteStore {
    writer: SqlitePool,
    animations: SqlAnimations<sqlx::Sqlite>,
    reader: SqlitePool,
    events: broadcast::Sender<Job>,
    work: watch::Sender<u64>,
    /// `StoreOptions::max_attempts`.
    max_attempts: i64,
}

impl SqliteStore {
    fn publish(&self, job: &Job) {
        // No subscribers is fine: nobody is watching.
        let _ = self.events.send(job.clone());
    }

    fn wake_workers(&self) {
        self.work.send_modify(|n| *n = n.wrapping_add(1));
    }

    async fn fetch(&self, id: Uuid) -> StoreResult<Option<Job>> {
        let row = sqlx::query("SELECT * FROM jobs WHERE id = ?")
            .bind(id.to_string())
            .fetch_optional(&self.reader)
            .await?;
        row.map(|r| job_from_row(&r)).transpose()
    }

    /// Runs a fenced `UPDATE .. WHERE id = ? AND attempt = ? AND status = 'running' RETURNING *`
    /// and publishes the new row; `false` when the claim is no longer valid.
    async fn fenced_update(
        &self,
        sql: &str,
        id: Uuid,
        token: i64,
        binds: Vec<Bind>,
    ) -> StoreResult<bool> {
        let mut q = sqlx::query(sql);
        for b in binds {
            q = match b {
                Bind::Int(v) => q.bind(v),
                Bind::Real(v) => q.bind(v),
                Bind::Text(v) => q.bind(v),
            };
        }
        let row = q
            .bind(id.to_string())
            .bind(token)
            .fetch_optional(&self.writer)
            .await?;
        match row {
            Some(row) => {
                let job = job_from_row(&row)?;
                self.publish(&job);
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

enum Bind {
    Int(i64),
    Real(f64),
    Text(String),
}

const FENCE: &str = "WHERE id = ? AND attempt = ? AND status = 'running' RETURNING *";

impl JobStore for SqliteStore {
    fn insert_or_get(&self, new: NewJob, capacity: u64) -> BoxFuture<'_, StoreResult<Inserted>> {
        async move {
            let mut tx = self.writer.begin().await?;
            let existing = sqlx::query(
                "SELECT * FROM jobs WHERE hash = ? AND status IN ('queued', 'running', 'done')",
            )
            .bind(&new.hash)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(row) = existing {
                return Ok(Inserted::Existing(job_from_row(&row)?));
            }
            let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'queued'")
                .fetch_one(&mut *tx)
                .await?;
            if u64::try_from(queued).unwrap_or(0) >= capacity {
                return Ok(Inserted::QueueFull);
            }
            let params = serde_json::to_string(&new.params)
                .map_err(|e| StoreError::Corrupt(format!("params do not serialise: {e}")))?;
            // The partial unique index is the real guard; ON CONFLICT turns a lost race into a
            // lookup instead of an error (cannot happen with one writer, can with PostgreSQL).
            let row = sqlx::query(
                "INSERT INTO jobs (id, hash, params, status, created_at, owner)
                 VALUES (?, ?, ?, 'queued', ?, ?)
                 ON CONFLICT DO NOTHING RETURNING *",
            )
            .bind(Uuid::new_v4().to_string())
            .bind(&new.hash)
            .bind(params)
            .bind(now_micros())
            .bind(&new.owner)
            .fetch_optional(&mut *tx)
            .await?;
            let outcome = match row {
                Some(row) => Inserted::Created(job_from_row(&row)?),
                None => {
                    let row = sqlx::query(
                        "SELECT * FROM jobs WHERE hash = ? AND status IN ('queued', 'running', 'done')",
                    )
                    .bind(&new.hash)
                    .fetch_one(&mut *tx)
                    .await?;
                    Inserted::Existing(job_from_row(&row)?)
                }
            };
            tx.commit().await?;
            if let Inserted::Created(job) = &outcome {
                self.publish(job);
                self.wake_workers();
            }
            Ok(outcome)
        }
        .boxed()
    }

    fn get(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Option<Job>>> {
        self.fetch(id).boxed()
    }

    fn list(&self, limit: u32) -> BoxFuture<'_, StoreResult<Vec<Job>>> {
        async move {
            let rows = sqlx::query("SELECT * FROM jobs ORDER BY seq DESC LIMIT ?")
                .bind(i64::from(limit))
                .fetch_all(&self.reader)
                .await?;
            rows.iter().map(job_from_row).collect()
        }
        .boxed()
    }

    fn cancel(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Canceled>> {
        async move {
            let row = sqlx::query(
                "UPDATE jobs SET status = 'canceled', finished_at = ?, lease_owner = NULL,
                     lease_expires_at = NULL, error_code = 'canceled',
                     error_message = 'canceled by request'
                 WHERE id = ? AND status IN ('queued', 'running') RETURNING *",
            )
            .bind(now_micros())
            .bind(id.to_string())
            .fetch_optional(&self.writer)
            .await?;
            match row {
                Some(row) => {
                    let job = job_from_row(&row)?;
                    self.publish(&job);
                    Ok(Canceled::Canceled(job))
                }
                None => Ok(match self.fetch(id).await? {
                    Some(job) => Canceled::AlreadyFinished(job),
                    None => Canceled::NotFound,
                }),
            }
        }
        .boxed()
    }

    fn delete(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Deleted>> {
        delete::delete(self, id).boxed()
    }

    fn requeue_done(&self, id: Uuid, capacity: u64) -> BoxFuture<'_, StoreResult<Requeued>> {
        self.requeue_done_within(id, capacity).boxed()
    }

    fn claim(
        &self,
        worker_id: &str,
        lease: Duration,
    ) -> BoxFuture<'_, StoreResult<Option<ClaimedJob>>> {
        let worker_id = worker_id.to_string();
        async move { self.claim_next(&worker_id, lease).await }.boxed()
    }

    fn heartbeat(&self, id: Uuid, token: i64, lease: Duration) -> BoxFuture<'_, StoreResult<bool>> {
        async move {
            let done = sqlx::query(
                "UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND attempt = ? AND status = 'running'",
            )
            .bind(now_micros() + micros(lease))
            .bind(id.to_string())
            .bind(token)
            .execute(&self.writer)
            .await?;
            Ok(done.rows_affected() == 1)
        }
        .boxed()
    }

    fn report_progress(
        &self,
        id: Uuid,
        token: i64,
        progress: f64,
        lease: Duration,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        async move {
            let sql = format!("UPDATE jobs SET progress = ?, lease_expires_at = ? {FENCE}");
            let binds = vec![
                Bind::Real(progress.clamp(0.0, 1.0)),
                Bind::Int(now_micros() + micros(lease)),
            ];
            self.fenced_update(&sql, id, token, binds).await
        }
        .boxed()
    }

    fn complete(
        &self,
        id: Uuid,
        token: i64,
        completion: Completion,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        async move {
            let sql = format!(
                "UPDATE jobs SET status = 'done', progress = 1, backend = ?, device = ?, duration_ms = ?,
                     finished_at = ?, lease_owner = NULL, lease_expires_at = NULL {FENCE}"
            );
            let binds = vec![
                Bind::Text(completion.backend),
                Bind::Text(completion.device),
                Bind::Int(i64::try_from(completion.duration_ms).unwrap_or(i64::MAX)),
                Bind::Int(now_micros()),
            ];
            self.fenced_update(&sql, id, token, binds).await
        }
        .boxed()
    }

    fn fail(&self, id: Uuid, token: i64, error: JobError) -> BoxFuture<'_, StoreResult<bool>> {
        async move {
            let sql = format!(
                "UPDATE jobs SET status = 'failed', error_code = ?, error_message = ?, finished_at = ?,
                     lease_owner = NULL, lease_expires_at = NULL {FENCE}"
            );
            let binds = vec![
                Bind::Text(error.code),
                Bind::Text(error.message),
                Bind::Int(now_micros()),
            ];
            self.fenced_update(&sql, id, token, binds).await
        }
        .boxed()
    }

    fn release(&self, id: Uuid, token: i64) -> BoxFuture<'_, StoreResult<bool>> {
        self.release_untried(id, token).boxed()
    }

    fn fail_attempt(
        &self,
        id: Uuid,
        token: i64,
        error: JobError,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        self.give_back(id, token, error).boxed()
    }

    fn requeue_expired(&self) -> BoxFuture<'_, StoreResult<ExpiredLeases>> {
        self.give_back_expired().boxed()
    }

    fn prune_finished(&self, older_than: Duration) -> BoxFuture<'_, StoreResult<u64>> {
        self.prune(older_than).boxed()
    }

    fn stats(&self) -> BoxFuture<'_, StoreResult<QueueStats>> {
        async move {
            let counts: Vec<(String, i64)> =
                sqlx::query_as("SELECT status, COUNT(*) FROM jobs GROUP BY status")
                    .fetch_all(&self.reader)
                    .await?;
            let oldest: Option<i64> =
                sqlx::query_scalar("SELECT MIN(created_at) FROM jobs WHERE status = 'queued'")
                    .fetch_one(&self.reader)
                    .await?;
            queue_stats(counts, oldest)
        }
        .boxed()
    }

    fn subscribe(&self) -> broadcast::Receiver<Job> {
        self.events.subscribe()
    }

    fn animations(&self) -> &dyn AnimationStore {
        &self.animations
    }

    fn work_signal(&self) -> watch::Receiver<u64> {
        self.work.subscribe()
    }
}

fn now_micros() -> i64 {
    (OffsetDateTime::now_utc().unix_timestamp_nanos() / 1000) as i64
}

fn job_from_row(row: &SqliteRow) -> StoreResult<Job> {
    JobRow::from_row(row)?.into_job()
}
