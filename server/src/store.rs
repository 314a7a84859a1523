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
//!
//! Retries are capped ([`StoreOptions::max_attempts`]): besides the fencing generation `attempt`,
//! each row counts `tries`, the claims since the job last finished. A job whose tries reach the cap
//! and that is given back without finishing (lease expired, a process restarted over it, a failed
//! attempt) is `failed` with `too_many_attempts` instead of re-queued, and a queued job already at
//! the cap (a node with a higher cap gave it back) is failed when a claim reaches it. A graceful
//! drain `release` gives the try back: the job did nothing wrong.

pub mod animations;
mod attempts;
mod dir_lock;
pub mod postgres;
mod row;
pub mod sqlite;
mod url;

pub use dir_lock::{DataDirLock, LockError};
pub use url::redact_url;

use std::collections::BTreeMap;
use std::time::Duration;

use futures::future::BoxFuture;
use render_core::RenderParams;
use time::OffsetDateTime;
use tokio::sync::{broadcast, watch};
use uuid::Uuid;

use julia_api_types::{Job, JobError, JobStatus};

/// Storage failures; the API maps them to `500`-free answers where it can (`503` otherwise).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("corrupt job row: {0}")]
    Corrupt(String),
    /// The URL, password redacted.
    #[error("unsupported database URL `{0}` (expected sqlite:... or postgres://...)")]
    UnsupportedUrl(String),
}

/// How many times a job may be claimed without finishing, unless configured.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;

/// Settings of the store itself, fixed when it is opened.
#[derive(Clone, Copy, Debug)]
pub struct StoreOptions {
    /// Claims of one job that may end without finishing before it is `failed` with
    /// `too_many_attempts` (at least 1).
    pub max_attempts: u32,
}

impl Default for StoreOptions {
    fn default() -> StoreOptions {
        StoreOptions {
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }
}

/// The error code of a job whose attempts were used up.
pub const TOO_MANY_ATTEMPTS: &str = "too_many_attempts";

pub type StoreResult<T> = Result<T, StoreError>;

/// A job to enqueue: validated parameters and their canonical hash.
#[derive(Clone, Debug)]
pub struct NewJob {
    pub params: RenderParams,
    pub hash: String,
    /// The identity of the API key that submits it (a name or a hash, never the key); `None`
    /// when the server requires no keys.
    pub owner: Option<String>,
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

/// What `requeue_done` did.
// Returned once per request and matched at once, never stored: boxing the job would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Requeued {
    /// The done job is queued again, same id.
    Queued(Job),
    /// The job is not done (any more); nothing changed.
    NotDone,
    /// The queue already holds `capacity` jobs; nothing changed.
    QueueFull,
}

/// What `requeue_expired` did with the running jobs whose lease ran out.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExpiredLeases {
    /// Back in the queue for another attempt.
    pub requeued: u64,
    /// Out of attempts: now `failed` with `too_many_attempts`.
    pub failed: u64,
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
        /// Boxed: a job record is far larger than the other variant.
        job: Box<Job>,
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
    /// same id, with a fresh allowance of tries, unless `capacity` jobs are already queued (a
    /// re-queue is a new job as far as the queue's capacity goes).
    fn requeue_done(&self, id: Uuid, capacity: u64) -> BoxFuture<'_, StoreResult<Requeued>>;

    /// Claims the oldest queued job for `worker_id` under a lease of `lease`. A queued job whose
    /// tries already reach the cap is failed with `too_many_attempts` on the way, never handed out.
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

    /// Gives a running job back to the queue (shutdown after the drain grace period). The try is
    /// given back too: a drained job did nothing wrong, so it does not count against the cap.
    fn release(&self, id: Uuid, token: i64) -> BoxFuture<'_, StoreResult<bool>>;

    /// Ends an attempt that failed for a reason that may pass (the result could not be stored):
    /// the job goes back to the queue with the try counted, or, when its tries reach the cap, is
    /// failed with `too_many_attempts` and a message ending with `error`. `false` when the claim
    /// is no longer valid.
    fn fail_attempt(
        &self,
        id: Uuid,
        token: i64,
        error: JobError,
    ) -> BoxFuture<'_, StoreResult<bool>>;

    /// Gives back running jobs whose lease has expired: re-queued, or failed with
    /// `too_many_attempts` once their tries reach the cap.
    fn requeue_expired(&self) -> BoxFuture<'_, StoreResult<ExpiredLeases>>;

    /// Deletes done, failed and canceled jobs that finished more than `older_than` ago; returns
    /// how many. Their result files are left to the disk budget.
    fn prune_finished(&self, older_than: Duration) -> BoxFuture<'_, StoreResult<u64>>;

    fn stats(&self) -> BoxFuture<'_, StoreResult<QueueStats>>;

    /// Every change of every job (state changes and persisted progress).
    fn subscribe(&self) -> broadcast::Receiver<Job>;

    /// Changes whenever a job may have become claimable; idle workers wait on it.
    fn work_signal(&self) -> watch::Receiver<u64>;

    /// The animations kept beside the jobs (their frames are jobs of this store).
    fn animations(&self) -> &dyn animations::AnimationStore;
}

/// Opens the store a database URL names.
pub async fn open(url: &str, options: StoreOptions) -> StoreResult<std::sync::Arc<dyn JobStore>> {
    if is_sqlite_url(url) {
        Ok(std::sync::Arc::new(
            sqlite::SqliteStore::open(url, options).await?,
        ))
    } else if is_postgres_url(url) {
        Ok(std::sync::Arc::new(
            postgres::PostgresStore::open(url, options).await?,
        ))
    } else {
        Err(StoreError::UnsupportedUrl(redact_url(url)))
    }
}

/// Whether `url` names the embedded SQLite store.
pub fn is_sqlite_url(url: &str) -> bool {
    url.starts_with("sqlite:")
}

/// Whether `url` names the shared PostgreSQL store.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres:") || url.starts_with("postgresql:")
}
