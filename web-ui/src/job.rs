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

/// Adds a job the page has just submitted, unless the page already knows it. The answer to a POST
/// can arrive after the event stream has told of the job's later states (a small job is done
/// within milliseconds), so it never replaces what the page knows.
pub fn add_submitted(jobs: &mut Vec<Job>, job: Job) {
    if !jobs.iter().any(|j| j.id == job.id) {
        upsert(jobs, job);
    }
}

/// Keeps the list in step with the server from its two sources, the event stream and `GET
/// /api/jobs`, so that no older state of a job replaces a newer one.
///
/// A listing is read from the store at some moment and answered a little later; events of changes
/// after that moment can arrive before the answer. So the events that arrive while a listing is
/// under way are applied again over it: for each job the last of them is at least as new as the
/// listing, or a later event is still on its way.
#[derive(Default)]
pub struct JobFeed {
    listings_under_way: u32,
    /// The latest event of each job since the oldest listing under way began.
    events_during_listing: Vec<Job>,
}

impl JobFeed {
    /// An event from the stream.
    pub fn event(&mut self, jobs: &mut Vec<Job>, job: Job) {
        if self.listings_under_way > 0 {
            upsert(&mut self.events_during_listing, job.clone());
        }
        upsert(jobs, job);
    }

    /// A listing was requested.
    pub fn listing_started(&mut self) {
        self.listings_under_way += 1;
    }

    /// A listing's answer (newest first), merged into the page's list; jobs the page knows that
    /// fell off the server's latest-N list stay.
    pub fn listed(&mut self, jobs: &mut Vec<Job>, listing: Vec<Job>) {
        for job in listing.into_iter().rev() {
            upsert(jobs, job);
        }
        for job in self.events_during_listing.iter().rev() {
            if let Some(known) = jobs.iter_mut().find(|j| j.id == job.id) {
                *known = job.clone();
            }
        }
        self.listing_ended();
    }

    /// A listing that failed, or whose answer was dropped.
    pub fn listing_ended(&mut self) {
        self.listings_under_way = self.listings_under_way.saturating_sub(1);
        if self.listings_under_way == 0 {
            self.events_during_listing.clear();
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
    fn a_submission_answer_never_replaces_a_state_the_events_told() {
        let mut jobs = vec![job(1, "done", 1.0)];
        add_submitted(&mut jobs, job(1, "queued", 0.0));
        assert_eq!(jobs[0].status, JobStatus::Done);
        add_submitted(&mut jobs, job(2, "queued", 0.0));
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].status, JobStatus::Queued);
    }

    #[test]
    fn a_listing_answered_after_newer_events_keeps_the_events_states() {
        let mut feed = JobFeed::default();
        let mut jobs = vec![job(1, "queued", 0.0)];
        feed.listing_started();
        // The store is read while job 1 runs; its end and a new job arrive before the answer.
        feed.event(&mut jobs, job(1, "running", 0.5));
        feed.event(&mut jobs, job(1, "done", 1.0));
        feed.event(&mut jobs, job(2, "queued", 0.0));
        feed.listed(&mut jobs, vec![job(1, "running", 0.5)]);
        assert_eq!(jobs.len(), 2);
        assert_eq!(
            jobs.iter()
                .find(|j| j.id == job(1, "done", 1.0).id)
                .unwrap()
                .status,
            JobStatus::Done
        );
        // Once no listing is under way, an event is just applied and a later listing wins.
        feed.listing_started();
        feed.listed(&mut jobs, vec![job(2, "running", 0.2)]);
        assert_eq!(jobs[0].status, JobStatus::Running);
    }

    #[test]
    fn events_are_remembered_until_the_last_overlapping_listing_ends() {
        let mut feed = JobFeed::default();
        let mut jobs = Vec::new();
        feed.listing_started();
        feed.listing_started();
        feed.event(&mut jobs, job(1, "done", 1.0));
        feed.listing_ended();
        feed.listed(&mut jobs, vec![job(1, "running", 0.9)]);
        assert_eq!(jobs[0].status, JobStatus::Done);
        assert!(feed.events_during_listing.is_empty());
    }

    #[test]
    fn downloads_are_named_by_hash_and_format() {
        assert_eq!(
            job(7, "done", 1.0).file_name(),
            "julia-abcdef0123456789.png"
        );
    }
}
