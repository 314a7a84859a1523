//! Fixtures shared by the contract cases: lease lengths and timeouts, jobs to insert and claim,
//! completion and failure reports, and waiting for a job's event.

use std::time::Duration;

use julia_api_types::{Job, JobError};
use julia_server::store::{ClaimedJob, Completion, Inserted, JobStore, NewJob};
use render_core::{Limits, canonical_hash, parse_params};
use tokio::sync::broadcast;
use uuid::Uuid;

pub const LONG_LEASE: Duration = Duration::from_secs(60);
pub const SHORT_LEASE: Duration = Duration::from_millis(100);
/// Long enough for any event to arrive; tests wait for events, never assert on how fast.
pub const EVENT_WAIT: Duration = Duration::from_secs(20);
pub const CAPACITY: u64 = 1000;

pub fn new_job(seed: u32) -> NewJob {
    let json = format!(
        r#"{{"width": 8, "height": 8, "c": {{"re": -0.8, "im": {}}}}}"#,
        0.156 + f64::from(seed) * 1e-6
    );
    let params = parse_params(&json, &Limits::default()).expect("valid params");
    let hash = canonical_hash(&params);
    NewJob {
        params,
        hash,
        owner: None,
    }
}

pub async fn insert(store: &dyn JobStore, seed: u32) -> Job {
    match store
        .insert_or_get(new_job(seed), CAPACITY)
        .await
        .expect("insert")
    {
        Inserted::Created(job) => job,
        other => panic!("expected a new job, got {other:?}"),
    }
}

pub async fn claim(store: &dyn JobStore, lease: Duration) -> ClaimedJob {
    store
        .claim("test-worker", lease)
        .await
        .expect("claim")
        .expect("a job to claim")
}

pub fn completion() -> Completion {
    Completion {
        backend: "cpu".to_string(),
        device: "test".to_string(),
        duration_ms: 5,
    }
}

pub fn failure() -> JobError {
    JobError {
        code: "render_failed".to_string(),
        message: "test".to_string(),
    }
}

/// Waits for the event of job `id` that satisfies `wanted`.
pub async fn wait_event(
    events: &mut broadcast::Receiver<Job>,
    id: Uuid,
    wanted: impl Fn(&Job) -> bool,
) -> Job {
    let found = tokio::time::timeout(EVENT_WAIT, async {
        loop {
            match events.recv().await {
                Ok(job) if job.id == id && wanted(&job) => return job,
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                Err(broadcast::error::RecvError::Closed) => panic!("event stream closed"),
            }
        }
    })
    .await;
    found.expect("the expected job event arrived")
}

/// A claim whose lease ran out, and the second claim of the same job.
pub async fn expired_then_reclaimed(store: &dyn JobStore) -> (ClaimedJob, ClaimedJob) {
    insert(store, 1).await;
    let first = claim(store, SHORT_LEASE).await;
    tokio::time::sleep(SHORT_LEASE * 3).await;
    assert_eq!(store.requeue_expired().await.unwrap().requeued, 1);
    let second = claim(store, LONG_LEASE).await;
    assert_eq!(second.job.id, first.job.id);
    (first, second)
}
