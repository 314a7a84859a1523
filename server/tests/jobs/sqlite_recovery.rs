//! Start-up recovery of the embedded store: a job left `running` by a process that died goes back
//! to the queue while it has tries left, and is failed with `too_many_attempts` once it has none,
//! so a job that kills its process cannot restart-loop the service for ever.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use julia_api_types::JobStatus;
use julia_server::store::{Inserted, JobStore, NewJob, StoreOptions};
use render_core::{Limits, canonical_hash, parse_params};
use uuid::Uuid;

async fn open(dir: &Path, max_attempts: u32) -> Arc<dyn JobStore> {
    let url = format!("sqlite://{}", dir.join("jobs.db").display());
    julia_server::store::open(&url, StoreOptions { max_attempts })
        .await
        .expect("open the store")
}

async fn insert(store: &dyn JobStore, im: f64) -> Uuid {
    let json = format!(r#"{{"width": 8, "height": 8, "c": {{"re": -0.8, "im": {im}}}}}"#);
    let params = parse_params(&json, &Limits::default()).unwrap();
    let hash = canonical_hash(&params);
    match store
        .insert_or_get(
            NewJob {
                params,
                hash,
                owner: None,
            },
            100,
        )
        .await
    {
        Ok(Inserted::Created(job)) => job.id,
        other => panic!("expected a new job, got {other:?}"),
    }
}

async fn status(store: &dyn JobStore, id: Uuid) -> JobStatus {
    store.get(id).await.unwrap().unwrap().status
}

#[tokio::test]
async fn a_job_running_at_every_crash_fails_once_its_tries_are_used_up() {
    let dir = tempfile::tempdir().unwrap();
    let store = open(dir.path(), 2).await;
    let crasher = insert(&*store, 0.156).await;
    let bystander = insert(&*store, 0.157).await;
    let lease = Duration::from_secs(60);

    // The first crash: the job had one try of two.
    let claimed = store.claim("w", lease).await.unwrap().unwrap();
    assert_eq!(claimed.job.id, crasher);
    drop(store);
    let store = open(dir.path(), 2).await;
    assert_eq!(status(&*store, crasher).await, JobStatus::Queued);

    // The second crash used its last try.
    assert_eq!(
        store.claim("w", lease).await.unwrap().unwrap().job.id,
        crasher
    );
    drop(store);
    let store = open(dir.path(), 2).await;
    let job = store.get(crasher).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    let error = job.error.unwrap();
    assert_eq!(error.code, "too_many_attempts");
    assert!(
        error.message.contains("claimed 2 times"),
        "{}",
        error.message
    );
    assert_eq!(
        status(&*store, bystander).await,
        JobStatus::Queued,
        "the queued job was not touched"
    );
}
