//! Capped retries: a job claimed `max_attempts` times without finishing is failed with
//! `too_many_attempts` wherever it is given back (expired lease, failed attempt) or reached by a
//! claim; a drain release gives its try back; a re-queued done job starts afresh.

use julia_api_types::{Job, JobError, JobStatus};
use julia_server::store::{DEFAULT_MAX_ATTEMPTS, ExpiredLeases, JobStore, StoreOptions};
use uuid::Uuid;

use crate::store_contract::support::{
    CAPACITY, LONG_LEASE, SHORT_LEASE, claim, completion, insert,
};

fn storage_error() -> JobError {
    JobError {
        code: "storage".to_string(),
        message: "disk full".to_string(),
    }
}

async fn job(store: &dyn JobStore, id: Uuid) -> Job {
    store.get(id).await.unwrap().expect("the job exists")
}

fn assert_out_of_tries(job: &Job, claims: u32) {
    assert_eq!(job.status, JobStatus::Failed, "{job:?}");
    let error = job.error.as_ref().expect("an error");
    assert_eq!(error.code, "too_many_attempts");
    assert!(
        error.message.contains(&format!("claimed {claims} times")),
        "{}",
        error.message
    );
}

/// Claims the only queued job under a short lease and lets the lease run out.
async fn claim_and_expire(store: &dyn JobStore) -> ExpiredLeases {
    claim(store, SHORT_LEASE).await;
    tokio::time::sleep(SHORT_LEASE * 3).await;
    store.requeue_expired().await.unwrap()
}

pub async fn a_job_whose_last_lease_expires_fails_with_too_many_attempts(store: &dyn JobStore) {
    let id = insert(store, 1).await.id;
    for _ in 1..DEFAULT_MAX_ATTEMPTS {
        let swept = claim_and_expire(store).await;
        assert_eq!((swept.requeued, swept.failed), (1, 0));
        assert_eq!(job(store, id).await.status, JobStatus::Queued);
    }
    let swept = claim_and_expire(store).await;
    assert_eq!((swept.requeued, swept.failed), (0, 1));
    assert_out_of_tries(&job(store, id).await, DEFAULT_MAX_ATTEMPTS);
    assert!(
        store.claim("w", LONG_LEASE).await.unwrap().is_none(),
        "a failed job is never claimed again"
    );
}

pub async fn a_failed_attempt_counts_and_the_last_names_its_error(store: &dyn JobStore) {
    let id = insert(store, 1).await.id;
    for _ in 1..DEFAULT_MAX_ATTEMPTS {
        let claimed = claim(store, LONG_LEASE).await;
        assert!(
            store
                .fail_attempt(id, claimed.token, storage_error())
                .await
                .unwrap()
        );
        let queued = job(store, id).await;
        assert_eq!((queued.status, queued.error), (JobStatus::Queued, None));
        assert!(
            !store
                .fail_attempt(id, claimed.token, storage_error())
                .await
                .unwrap(),
            "fenced: a stale token changes nothing"
        );
    }
    let last = claim(store, LONG_LEASE).await;
    assert!(
        store
            .fail_attempt(id, last.token, storage_error())
            .await
            .unwrap()
    );
    let failed = job(store, id).await;
    assert_out_of_tries(&failed, DEFAULT_MAX_ATTEMPTS);
    let message = &failed.error.unwrap().message;
    assert!(message.contains("storage: disk full"), "{message}");
}

pub async fn a_drain_release_gives_the_try_back(store: &dyn JobStore) {
    let id = insert(store, 1).await.id;
    for _ in 0..DEFAULT_MAX_ATTEMPTS * 2 {
        let claimed = claim(store, LONG_LEASE).await;
        assert!(store.release(id, claimed.token).await.unwrap());
    }
    for _ in 1..DEFAULT_MAX_ATTEMPTS {
        let claimed = claim(store, LONG_LEASE).await;
        assert!(
            store
                .fail_attempt(id, claimed.token, storage_error())
                .await
                .unwrap()
        );
    }
    assert_eq!(
        job(store, id).await.status,
        JobStatus::Queued,
        "the releases did not count"
    );
}

pub async fn a_queued_job_out_of_tries_is_failed_by_the_claim_that_reaches_it(
    store: &dyn JobStore,
    url: &str,
) {
    let spent = insert(store, 1).await.id;
    let fresh = insert(store, 2).await.id;
    let claimed = claim(store, LONG_LEASE).await;
    assert_eq!(claimed.job.id, spent);
    assert!(
        store
            .fail_attempt(spent, claimed.token, storage_error())
            .await
            .unwrap()
    );
    assert_eq!(job(store, spent).await.status, JobStatus::Queued);
    // A node configured with a lower cap reaches the job next.
    let strict = julia_server::store::open(url, StoreOptions { max_attempts: 1 })
        .await
        .expect("open the store with a cap of 1");
    let next = claim(&*strict, LONG_LEASE).await;
    assert_eq!(next.job.id, fresh, "the spent job was skipped");
    assert_out_of_tries(&job(store, spent).await, 1);
}

pub async fn a_requeued_done_job_starts_with_fresh_tries(store: &dyn JobStore) {
    let id = insert(store, 1).await.id;
    for _ in 1..DEFAULT_MAX_ATTEMPTS {
        let claimed = claim(store, LONG_LEASE).await;
        assert!(
            store
                .fail_attempt(id, claimed.token, storage_error())
                .await
                .unwrap()
        );
    }
    let last = claim(store, LONG_LEASE).await;
    assert!(store.complete(id, last.token, completion()).await.unwrap());
    store.requeue_done(id, CAPACITY).await.unwrap();
    let again = claim(store, LONG_LEASE).await;
    assert!(
        store
            .fail_attempt(id, again.token, storage_error())
            .await
            .unwrap()
    );
    assert_eq!(job(store, id).await.status, JobStatus::Queued);
}
