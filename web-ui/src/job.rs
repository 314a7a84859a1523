//! The client's list of jobs, and what the page shows of a job beyond the API's fields (the Job
//! record itself is julia-api-types', shared with the server).

pub use julia_api_types::{Job, JobStatus};
use render_core::OutputFormat;

/// What the page shows of a job beyond the API's fields.
pub trait JobView {
    /// The name a download of the result gets.
    fn file_name(&self) -> String;

    fn is_image(&self) -> bool;

    /// What the list must redraw for: a row only changes when one of these does.
    fn display_key(&self) -> (uuid::Uuid, JobStatus, u32, Option<u64>, bool);
}

impl JobView for Job {
    fn file_name(&self) -> String {
        let stem: String = self.hash.chars().take(16).collect();
        let stem = if stem.is_empty() {
            self.id.to_string()
        } else {
            stem
        };
        format!("julia-{stem}.{}", self.params.format.extension())
    }

    fn is_image(&self) -> bool {
        self.params.format == OutputFormat::Png
    }

    fn display_key(&self) -> (uuid::Uuid, JobStatus, u32, Option<u64>, bool) {
        (
            self.id,
            self.status,
            (self.progress * 1000.0).round() as u32,
            self.duration_ms,
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

    use render_core::RenderParams;

    /// A job with a readable id: `n` becomes `00000000-0000-0000-0000-00000000000n`.
    fn job(n: u32, status: &str, progress: f64) -> Job {
        serde_json::from_value(serde_json::json!({
            "id": format!("00000000-0000-0000-0000-{n:012}"), "status": status, "progress": progress,
            "params": RenderParams::default(), "hash": "abcdef0123456789ff",
            "backend": "cpu", "device": "cpu", "created_at": "2026-01-01T00:00:00Z",
            "started_at": null, "finished_at": null, "duration_ms": null, "error": null,
            "result_url": null, "deduplicated": false, "some_future_field": 1
        }))
        .expect("job json")
    }

    #[test]
    fn an_update_replaces_the_job_with_the_same_id_in_place() {
        let mut jobs = vec![job(2, "running", 0.1), job(1, "done", 1.0)];
        upsert(&mut jobs, job(2, "running", 0.7));
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].progress, 0.7);
    }

    #[test]
    fn a_new_job_goes_to_the_front_and_the_list_stays_bounded() {
        let mut jobs: Vec<Job> = (0..LIST_LIMIT)
            .map(|i| job(i as u32, "done", 1.0))
            .collect();
        let new = job(999, "queued", 0.0);
        upsert(&mut jobs, new.clone());
        assert_eq!(jobs[0].id, new.id);
        assert_eq!(jobs.len(), LIST_LIMIT);
    }

    #[test]
    fn downloads_are_named_by_hash_and_format() {
        assert_eq!(
            job(7, "done", 1.0).file_name(),
            "julia-abcdef0123456789.png"
        );
    }
}
