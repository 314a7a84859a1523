//! The `jobs` row as both SQL stores read it: one decoding into a [`Job`], and the microsecond
//! Unix timestamps both schemas store (integers, so SQLite and PostgreSQL compare them alike).

use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;

use super::{QueueStats, StoreError, StoreResult};
use julia_api_types::{Job, JobError, JobStatus};

/// The columns of a job, as stored.
#[derive(sqlx::FromRow)]
pub(super) struct JobRow {
    id: String,
    hash: String,
    params: String,
    status: String,
    progress: f64,
    backend: Option<String>,
    device: Option<String>,
    created_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    duration_ms: Option<i64>,
    error_code: Option<String>,
    error_message: Option<String>,
    owner: Option<String>,
}

impl JobRow {
    pub(super) fn into_job(self) -> StoreResult<Job> {
        let id = Uuid::parse_str(&self.id)
            .map_err(|e| StoreError::Corrupt(format!("bad id `{}`: {e}", self.id)))?;
        let status = JobStatus::parse(&self.status)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown status `{}`", self.status)))?;
        let params: render_core::RenderParams = serde_json::from_str(&self.params)
            .map_err(|e| StoreError::Corrupt(format!("bad params of job {id}: {e}")))?;
        Ok(Job {
            precision_used: params.resolved_precision(),
            id,
            status,
            progress: self.progress,
            params,
            hash: self.hash,
            backend: self.backend,
            device: self.device,
            created_at: from_micros(self.created_at)?,
            started_at: self.started_at.map(from_micros).transpose()?,
            finished_at: self.finished_at.map(from_micros).transpose()?,
            duration_ms: self.duration_ms.map(|d| u64::try_from(d).unwrap_or(0)),
            error: self.error_code.map(|code| JobError {
                code,
                message: self.error_message.unwrap_or_default(),
            }),
            result_url: (status == JobStatus::Done).then(|| Job::result_path(id)),
            deduplicated: false,
            owner: self.owner,
        })
    }
}

/// A duration in microseconds, saturating far below overflow when added to a timestamp.
pub(super) fn micros(d: Duration) -> i64 {
    i64::try_from(d.as_micros()).unwrap_or(i64::MAX / 2)
}

pub(super) fn from_micros(us: i64) -> StoreResult<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
        .map_err(|e| StoreError::Corrupt(format!("bad timestamp {us}: {e}")))
}

/// Queue statistics from `(status, count)` rows and the oldest queued `created_at`.
pub(super) fn queue_stats(
    counts: Vec<(String, i64)>,
    oldest_queued: Option<i64>,
) -> StoreResult<QueueStats> {
    let mut stats = QueueStats::default();
    for (name, n) in counts {
        let status = JobStatus::parse(&name)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown status `{name}`")))?;
        stats
            .by_status
            .insert(status, u64::try_from(n).unwrap_or(0));
    }
    stats.oldest_queued_at = oldest_queued.map(from_micros).transpose()?;
    Ok(stats)
}
