//! The distributed job store: PostgreSQL through sqlx, shared by every API node and worker process.
//!
//! The database is the queue: `claim` takes the oldest queued row with `FOR UPDATE SKIP LOCKED`
//! (claimers never wait on each other), leases and every timestamp use the database's clock, and
//! every worker write is fenced by the claim generation. Changes reach every process through
//! LISTEN/NOTIFY: a trigger announces each job change (`julia_job`, payload the id) and each job
//! that becomes claimable (`julia_work`); one listener task per process turns them into the
//! `subscribe()` broadcast and the `work_signal()` watch. Connection loss is survived, not fatal:
//! calls retry transient errors for a few seconds, the listener reconnects with backoff and then
//! re-announces the active jobs and wakes the workers, since notifications sent meanwhile are gone.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgListener, PgNotification, PgPool, PgPoolOptions, PgRow};
use sqlx::{FromRow, Postgres, Transaction};
use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;
use uuid::Uuid;

use super::{
    Canceled, ClaimedJob, Completion, Deleted, ExpiredLeases, Inserted, JobStore, NewJob,
    QueueStats, Requeued, StoreError, StoreOptions, StoreResult,
};

use super::animations::{AnimationStore, SqlAnimations};
use super::row::{JobRow, micros, queue_stats};
use julia_api_types::{Job, JobError};

mod attempts;
mod delete;
mod relay;
mod retry;
use relay::{Relay, connect_listener, safety_poll};
use retry::retry;

/// How many job events a slow SSE client may fall behind before it skips some.
const EVENT_BUFFER: usize = 1024;
/// Idle workers are woken this often even without a notification, in case one was missed
/// (a listener that was reconnecting); leases expire on their own schedule too.
const SAFETY_POLL: Duration = Duration::from_secs(5);
/// The listener is rebuilt after this long without any notification (see `Relay::run`).
const LISTENER_QUIET_LIMIT: Duration = Duration::from_secs(15);
/// Pool connections; one is held by the notification listener.
const POOL_SIZE: u32 = 10;
/// A call waits at most this long for a connection, so API requests fail fast (503) while the
/// database is down instead of hanging.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// Serialises inserts across all nodes (a transaction-scoped advisory lock), so the queue
/// capacity is exact. Inserts are short; this is not where the queue's ceiling is.
const INSERT_LOCK_KEY: i64 = 0x6a75_6c69_615f_696e; // "julia_in"

const JOB_CHANNEL: &str = "julia_job";
const WORK_CHANNEL: &str = "julia_work";

pub struct PostgresStore {
    pool: PgPool,
    animations: SqlAnimations<Postgres>,
    events: broadcast::Sender<Job>,
    work: Arc<watch::Sender<u64>>,
    tasks: Vec<JoinHandle<()>>,
    /// `StoreOptions::max_attempts`.
    max_attempts: i64,
}

impl PostgresStore {
    /// Connects, runs migrations (safe from many nodes at once: sqlx takes an advisory lock) and
    /// starts the notification listener and the safety poll.
    pub async fn open(url: &str, store_options: StoreOptions) -> StoreResult<PostgresStore> {
        let options = PgConnectOptions::from_str(url)?.application_name("julia-server");
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let work = Arc::new(watch::channel(0).0);
        // The listener is connected before `open` returns, so a change made right after is seen.
        let listener = connect_listener(&pool).await?;
        let relay = Relay {
            pool: pool.clone(),
            events: events.clone(),
            work: work.clone(),
        };
        let tasks = vec![
            tokio::spawn(relay.clone().run(listener)),
            tokio::spawn(safety_poll(work.clone())),
        ];
        Ok(PostgresStore {
            animations: SqlAnimations::postgres(pool.clone()),
            pool,
            events,
            work,
            tasks,
            max_attempts: i64::from(store_options.max_attempts.max(1)),
        })
    }

    async fn fetch(&self, id: Uuid) -> StoreResult<Option<Job>> {
        let row = sqlx::query("SELECT * FROM jobs WHERE id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| job_from_row(&r)).transpose()
    }

    async fn live_job_with_hash(
        tx: &mut Transaction<'_, Postgres>,
        hash: &str,
    ) -> StoreResult<Option<Job>> {
        let row = sqlx::query(
            "SELECT * FROM jobs WHERE hash = $1 AND status IN ('queued', 'running', 'done')",
        )
        .bind(hash)
        .fetch_optional(&mut **tx)
        .await?;
        row.map(|r| job_from_row(&r)).transpose()
    }

    async fn try_insert(&self, new: &NewJob, params: &str, capacity: u64) -> StoreResult<Inserted> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(INSERT_LOCK_KEY)
            .execute(&mut *tx)
            .await?;
        if let Some(job) = Self::live_job_with_hash(&mut tx, &new.hash).await? {
            return Ok(Inserted::Existing(job));
        }
        let queued: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM jobs WHERE status = 'queued'")
            .fetch_one(&mut *tx)
            .await?;
        if u64::try_from(queued).unwrap_or(0) >= capacity {
            return Ok(Inserted::QueueFull);
        }
        // The partial unique index is the real guard against duplicates; ON CONFLICT turns a lost
        // race into a lookup instead of an error.
        let row = sqlx::query(
            "INSERT INTO jobs (id, hash, params, status, owner) VALUES ($1, $2, $3, 'queued', $4)
             ON CONFLICT DO NOTHING RETURNING *",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(&new.hash)
        .bind(params)
        .bind(&new.owner)
        .fetch_optional(&mut *tx)
        .await?;
        let outcome = match row {
            Some(row) => Inserted::Created(job_from_row(&row)?),
            None => match Self::live_job_with_hash(&mut tx, &new.hash).await? {
                Some(job) => Inserted::Existing(job),
                None => {
                    return Err(StoreError::Corrupt(
                        "a conflicting job vanished".to_string(),
                    ));
                }
            },
        };
        tx.commit().await?;
        Ok(outcome)
    }

    /// Runs a fenced `UPDATE .. WHERE id = $1 AND attempt = $2 AND status = 'running'`; `false`
    /// when the claim is no longer valid (canceled, expired or reclaimed).
    async fn fenced<'q>(
        &self,
        query: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    ) -> StoreResult<bool> {
        Ok(query.execute(&self.pool).await?.rows_affected() == 1)
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl JobStore for PostgresStore {
    fn insert_or_get(&self, new: NewJob, capacity: u64) -> BoxFuture<'_, StoreResult<Inserted>> {
        async move {
            let params = serde_json::to_string(&new.params)
                .map_err(|e| StoreError::Corrupt(format!("params do not serialise: {e}")))?;
            retry(|| self.try_insert(&new, &params, capacity)).await
        }
        .boxed()
    }

    fn get(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Option<Job>>> {
        retry(move || self.fetch(id)).boxed()
    }

    fn list(&self, limit: u32) -> BoxFuture<'_, StoreResult<Vec<Job>>> {
        retry(move || async move {
            let rows = sqlx::query("SELECT * FROM jobs ORDER BY seq DESC LIMIT $1")
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
            rows.iter().map(job_from_row).collect()
        })
        .boxed()
    }

    fn cancel(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Canceled>> {
        retry(move || async move {
            let row = sqlx::query(
                "UPDATE jobs SET status = 'canceled', finished_at = julia_now_us(), lease_owner = NULL,
                     lease_expires_at = NULL, error_code = 'canceled', error_message = 'canceled by request'
                 WHERE id = $1 AND status IN ('queued', 'running') RETURNING *",
            )
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await?;
            match row {
                Some(row) => Ok(Canceled::Canceled(job_from_row(&row)?)),
                None => Ok(match self.fetch(id).await? {
                    Some(job) => Canceled::AlreadyFinished(job),
                    None => Canceled::NotFound,
                }),
            }
        })
        .boxed()
    }

    fn delete(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Deleted>> {
        delete::delete(self, id).boxed()
    }

    fn requeue_done(&self, id: Uuid, capacity: u64) -> BoxFuture<'_, StoreResult<Requeued>> {
        retry(move || self.requeue_done_within(id, capacity)).boxed()
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
        retry(move || {
            self.fenced(
                sqlx::query(
                    "UPDATE jobs SET lease_expires_at = julia_now_us() + $3
                     WHERE id = $1 AND attempt = $2 AND status = 'running'",
                )
                .bind(id.to_string())
                .bind(token)
                .bind(micros(lease)),
            )
        })
        .boxed()
    }

    fn report_progress(
        &self,
        id: Uuid,
        token: i64,
        progress: f64,
        lease: Duration,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        retry(move || {
            self.fenced(
                sqlx::query(
                    "UPDATE jobs SET progress = $3, lease_expires_at = julia_now_us() + $4
                     WHERE id = $1 AND attempt = $2 AND status = 'running'",
                )
                .bind(id.to_string())
                .bind(token)
                .bind(progress.clamp(0.0, 1.0))
                .bind(micros(lease)),
            )
        })
        .boxed()
    }

    fn complete(
        &self,
        id: Uuid,
        token: i64,
        completion: Completion,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        retry(move || {
            self.fenced(
                sqlx::query(
                    "UPDATE jobs SET status = 'done', progress = 1, backend = $3, device = $4,
                         duration_ms = $5, finished_at = julia_now_us(), lease_owner = NULL,
                         lease_expires_at = NULL, completions = completions + 1
                     WHERE id = $1 AND attempt = $2 AND status = 'running'",
                )
                .bind(id.to_string())
                .bind(token)
                .bind(completion.backend.clone())
                .bind(completion.device.clone())
                .bind(i64::try_from(completion.duration_ms).unwrap_or(i64::MAX)),
            )
        })
        .boxed()
    }

    fn fail(&self, id: Uuid, token: i64, error: JobError) -> BoxFuture<'_, StoreResult<bool>> {
        retry(move || {
            self.fenced(
                sqlx::query(
                    "UPDATE jobs SET status = 'failed', error_code = $3, error_message = $4,
                         finished_at = julia_now_us(), lease_owner = NULL, lease_expires_at = NULL
                     WHERE id = $1 AND attempt = $2 AND status = 'running'",
                )
                .bind(id.to_string())
                .bind(token)
                .bind(error.code.clone())
                .bind(error.message.clone()),
            )
        })
        .boxed()
    }

    fn release(&self, id: Uuid, token: i64) -> BoxFuture<'_, StoreResult<bool>> {
        retry(move || self.release_untried(id, token)).boxed()
    }

    fn fail_attempt(
        &self,
        id: Uuid,
        token: i64,
        error: JobError,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        let last_error = format!("{}: {}", error.code, error.message);
        async move { retry(|| self.give_back(id, token, &last_error)).await }.boxed()
    }

    fn requeue_expired(&self) -> BoxFuture<'_, StoreResult<ExpiredLeases>> {
        retry(move || self.give_back_expired()).boxed()
    }

    fn prune_finished(&self, older_than: Duration) -> BoxFuture<'_, StoreResult<u64>> {
        retry(move || self.prune(older_than)).boxed()
    }

    fn stats(&self) -> BoxFuture<'_, StoreResult<QueueStats>> {
        retry(move || async move {
            let counts: Vec<(String, i64)> =
                sqlx::query_as("SELECT status, COUNT(*) FROM jobs GROUP BY status")
                    .fetch_all(&self.pool)
                    .await?;
            let oldest: Option<i64> =
                sqlx::query_scalar("SELECT MIN(created_at) FROM jobs WHERE status = 'queued'")
                    .fetch_one(&self.pool)
                    .await?;
            queue_stats(counts, oldest)
        })
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

fn job_from_row(row: &PgRow) -> StoreResult<Job> {
    JobRow::from_row(row)?.into_job()
}
