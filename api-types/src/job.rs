//! The Job record: the JSON shape of docs/DESIGN.md §4 shared by the server's store, workers, API and SSE
//! stream, the OpenAPI document and the web UI.

use render_core::{Precision, RenderParams};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
    Canceled,
}

impl JobStatus {
    pub const ALL: [JobStatus; 5] = [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Done,
        JobStatus::Failed,
        JobStatus::Canceled,
    ];

    /// The name used in JSON, in the database and in metric labels.
    pub const fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Canceled => "canceled",
        }
    }

    pub fn parse(name: &str) -> Option<JobStatus> {
        JobStatus::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Queued or running: the job can still be canceled and still holds its hash for dedup.
    pub const fn is_active(self) -> bool {
        matches!(self, JobStatus::Queued | JobStatus::Running)
    }
}

/// Why a job failed (or was canceled), as `{code, message}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobError {
    pub code: String,
    pub message: String,
}

/// A render job as clients see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Job {
    pub id: Uuid,
    pub status: JobStatus,
    /// 0.0 ..= 1.0.
    pub progress: f64,
    pub params: RenderParams,
    /// Canonical hash of the normalised parameters (32 hex digits); names the result and keys dedup.
    pub hash: String,
    /// The arithmetic the render uses: `precision` with `auto` resolved (`f32`, `f64` or `deep`).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub precision_used: Precision,
    /// `gpu` or `cpu` once a worker has rendered it; `recolour` when it was coloured from the
    /// stored escape data of an earlier job of the same view, with no render.
    pub backend: Option<String>,
    /// The adapter (or CPU) that rendered it.
    pub device: Option<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub started_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
    /// Render time of the finished job in milliseconds.
    pub duration_ms: Option<u64>,
    pub error: Option<JobError>,
    /// Where the finished image is (only when `done`).
    pub result_url: Option<String>,
    /// True on the `200` answer to a POST that matched an existing job.
    #[serde(default)]
    pub deduplicated: bool,
    /// The API key identity that submitted it; only that key may cancel or replace it. Never
    /// sent to clients (key names are the operator's business): the server's store fills it in,
    /// and a client always reads `None`.
    #[serde(skip)]
    pub owner: Option<String>,
}

impl Job {
    /// The result URL a job of this id has once it is done.
    pub fn result_path(id: Uuid) -> String {
        format!("/api/jobs/{id}/result")
    }

    pub fn location(id: Uuid) -> String {
        format!("/api/jobs/{id}")
    }
}
