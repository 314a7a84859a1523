//! A render job as the API describes it (DESIGN §4), and the client's list of them.

use render_core::{OutputFormat, RenderParams};
use serde::Deserialize;

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    Queued,
    Running,
    Done,
    Failed,
    Canceled,
}

impl JobStatus {
    /// Still waiting or working: can be canceled or superseded.
    pub fn is_active(self) -> bool {
        matches!(self, JobStatus::Queued | JobStatus::Running)
    }

    pub fn label(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Done => "done",
            JobStatus::Failed => "failed",
            JobStatus::Canceled => "canceled",
        }
    }
}

/// Why a job failed.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct JobError {
    pub code: String,
    pub message: String,
}

/// The fields of the API's Job the UI shows; others are ignored so the server may add more.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct Job {
    pub id: String,
    pub status: JobStatus,
    #[serde(default)]
    pub progress: f64,
    pub params: RenderParams,
    #[serde(default)]
    pub hash: String,
    #[serde(default)]
    pub backend: Option<String>,
    #[serde(default)]
    pub device: Option<String>,
    #[serde(default)]
    pub created_at: Option<String>,
    #[serde(default)]
    pub duration_ms: Option<f64>,
    #[serde(default)]
    pub error: Option<JobError>,
    #[serde(default)]
    pub result_url: Option<String>,
    /// The server already had a job with these parameters and answered with it.
    #[serde(default)]
    pub deduplicated: bool,
}

impl Job {
    /// The name a download of the result gets.
    pub fn file_name(&self) -> String {
        let stem: String = self.hash.chars().take(16).collect();
        let stem = if stem.is_empty() { &self.id } else { &stem };
        format!("julia-{stem}.{}", self.params.format.extension())
    }

    pub fn is_image(&self) -> bool {
        self.params.format == OutputFormat::Png
    }

    /// What the list must redraw for: a row only changes when one of these does.
    pub fn display_key(&self) -> (String, JobStatus, u32, Option<u64>, bool) {
        (
            self.id.clone(),
            self.status,
            (self.progress * 1000.0).round() as u32,
            self.duration_ms.map(|d| d.round() as u64),
            self.result_url.is_some(),
        )
    }
}

/// How many jobs the list keeps.
pub const LIST_LIMIT: usize = 20;

/// Puts a job into a newest-first list: replaces the entry with its id, or adds it at the front.
pub fn upsert(jobs: &mut Vec<Job>, job: Job) {
    match jobs.iter_mut().find(|j| j.id == job.id) {
        Some(existing) => *existing = job,
        None => {
            jobs.insert(0, job);
            jobs.truncate(LIST_LIMIT);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(id: &str, status: &str, progress: f64) -> Job {
        serde_json::from_value(serde_json::json!({
            "id": id, "status": status, "progress": progress,
            "params": RenderParams::default(), "hash": "abcdef0123456789ff",
            "backend": "cpu", "device": "cpu", "created_at": "2026-01-01T00:00:00Z",
            "started_at": null, "finished_at": null, "duration_ms": null, "error": null,
            "result_url": null, "deduplicated": false, "some_future_field": 1
        }))
        .expect("job json")
    }

    #[test]
    fn an_update_replaces_the_job_with_the_same_id_in_place() {
        let mut jobs = vec![job("b", "running", 0.1), job("a", "done", 1.0)];
        upsert(&mut jobs, job("b", "running", 0.7));
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].progress, 0.7);
    }

    #[test]
    fn a_new_job_goes_to_the_front_and_the_list_stays_bounded() {
        let mut jobs: Vec<Job> = (0..LIST_LIMIT)
            .map(|i| job(&i.to_string(), "done", 1.0))
            .collect();
        upsert(&mut jobs, job("new", "queued", 0.0));
        assert_eq!(jobs[0].id, "new");
        assert_eq!(jobs.len(), LIST_LIMIT);
    }

    #[test]
    fn downloads_are_named_by_hash_and_format() {
        assert_eq!(
            job("x", "done", 1.0).file_name(),
            "julia-abcdef0123456789.png"
        );
    }
}
