//! The job store: persistence and queue of render jobs behind one trait, so the embedded SQLite
//! store and the distributed PostgreSQL store (issue 8) share the API, the workers and one
//! contract test suite.
//!
//! Queue semantics (both implementations): `claim` moves the oldest queued job to `running` under
//! a lease held by a worker and bumps the job's claim generation, which is handed out as a fencing
//! `token`. Every later write by that worker (`heartbeat`, `report_progress`, `complete`, `fail`,
//! `release`) names the token and is refused (returns `false`) once the job has been canceled or
//! reclaimed, so a stale worker can never overwrite a newer attempt. A job whose lease expires goes
//! back to the queue (`requeue_expired`).

pub mod postgres;
mod row;
pub mod sqlite;

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::BoxFuture;
use render_core::RenderParams;
use time::OffsetDateTime;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use crate::jobs::{Job, JobError, JobStatus};

/// Storage failures; the API maps them to `500`-free answers where it can (`503` otherwise).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("corrupt job row: {0}")]
    Corrupt(String),
    #[error("unsupported database URL `{0}`")]
    UnsupportedUrl(String),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// A job to enqueue: validated parameters and their canonical hash.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub params: RenderParams,
    pub hash: String,
}

/// What `insert_or_get` did.
#[derive(Clone, Debug)]
pub enum Inserted {
    /// A new queued job.
    Created(Job),
    /// A queued, running or done job with the same hash already existed; nothing was inserted.
    Existing(Job),
    /// The queue already holds `capacity` jobs; nothing was inserted.
    QueueFull,
}

/// What `cancel` did.
#[derive(Clone, Debug)]
pub enum Canceled {
    /// The job was queued or running and is now canceled.
    Canceled(Job),
    /// The job had already finished; it is unchanged.
    AlreadyFinished(Job),
    NotFound,
}

/// What `delete` did.
#[derive(Clone, Debug)]
pub enum Deleted {
    /// The job row is gone (canceled first if it was queued or running). `hash_in_use`: another
    /// job still names the same parameters, so the result file of that hash must stay.
    Deleted {
        job: Job,
        hash_in_use: bool,
    },
    NotFound,
}

/// A job a worker now holds, and the fencing token its writes must carry.
#[derive(Clone, Debug)]
pub struct ClaimedJob {
    pub job: Job,
    pub token: i64,
}

/// How a finished render went, recorded by `complete`.
#[derive(Clone, Debug)]
pub struct Completion {
    pub backend: String,
    pub device: String,
    pub duration_ms: u64,
}

/// Queue statistics for metrics and the autoscaling signal.
#[derive(Clone, Debug, Default)]
pub struct QueueStats {
    pub by_status: BTreeMap<JobStatus, u64>,
    pub oldest_queued_at: Option<OffsetDateTime>,
}

impl QueueStats {
    pub fn count(&self, status: JobStatus) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }
}

/// The job store and queue.
pub trait JobStore: Send + Sync + 'static {
    /// Inserts a queued job unless an active or done job with the same hash exists (a unique
    /// index on the hash of queued/running/done jobs makes concurrent equal inserts one job), or
    /// unless `capacity` jobs are already queued.
    fn insert_or_get(&self, new: NewJob, capacity: u64) -> BoxFuture<'_, StoreResult<Inserted>>;

    fn get(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Option<Job>>>;

    /// The latest `limit` jobs, newest first.
    fn list(&self, limit: u32) -> BoxFuture<'_, StoreResult<Vec<Job>>>;

    /// Cancels a queued or running job. A running job's worker notices through the event stream
    /// or its next fenced write, and stops.
    fn cancel(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Canceled>>;

    /// Deletes a job. A queued or running one is canceled first, so its worker stops as on
    /// `cancel` (and its fenced writes are refused once the row is gone).
    fn delete(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Deleted>>;

    /// Puts a done job whose result file is gone (evicted by the disk budget) back in the queue,
    /// same id; `None` when the job is not done.
    fn requeue_done(&self, id: Uuid) -> BoxFuture<'_, StoreResult<Option<Job>>>;

    /// Claims the oldest queued job for `worker_id` under a lease of `lease`.
    fn claim(
        &self,
        worker_id: &str,
        lease: Duration,
    ) -> BoxFuture<'_, StoreResult<Option<ClaimedJob>>>;

    /// Renews the lease; `false` when the job is no longer this claim's (canceled or reclaimed).
    fn heartbeat(&self, id: Uuid, token: i64, lease: Duration) -> BoxFuture<'_, StoreResult<bool>>;

    /// Records progress (and renews the lease); `false` when the claim is no longer valid.
    fn report_progress(
        &self,
        id: Uuid,
        token: i64,
        progress: f64,
        lease: Duration,
    ) -> BoxFuture<'_, StoreResult<bool>>;

    /// Marks the job done; `false` (and no change) when the claim is no longer valid.
    fn complete(
        &self,
        id: Uuid,
        token: i64,
        completion: Completion,
    ) -> BoxFuture<'_, StoreResult<bool>>;

    /// Marks the job failed; `false` when the claim is no longer valid.
    fn fail(&self, id: Uuid, token: i64, error: JobError) -> BoxFuture<'_, StoreResult<bool>>;

    /// Gives a running job back to the queue (shutdown after the drain grace period).
    fn release(&self, id: Uuid, token: i64) -> BoxFuture<'_, StoreResult<bool>>;

    /// Re-queues running jobs whose lease has expired; returns how many.
    fn requeue_expired(&self) -> BoxFuture<'_, StoreResult<u64>>;

    fn stats(&self) -> BoxFuture<'_, StoreResult<QueueStats>>;

    /// Every change of every job (state changes and persisted progress).
    fn subscribe(&self) -> broadcast::Receiver<Job>;

    /// Changes whenever a job may have become claimable; idle workers wait on it.
    fn work_signal(&self) -> watch::Receiver<u64>;
}

/// Opens the store a database URL names.
pub async fn open(url: &str) -> StoreResult<std::sync::Arc<dyn JobStore>> {
    if url.starts_with("sqlite:") {
        Ok(std::sync::Arc::new(sqlite::SqliteStore::open(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(std::sync::Arc::new(
            postgres::PostgresStore::open(url).await?,
        ))
    } else {
        Err(StoreError::UnsupportedUrl(url.to_string()))
    }
}
