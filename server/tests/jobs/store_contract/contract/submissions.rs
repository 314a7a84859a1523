//! Submitting and canceling: equal params make one job, failed or canceled jobs free their
//! params, a full queue refuses new jobs, and cancel stops queued and running jobs only.

use std::sync::Arc;

use julia_api_types::JobStatus;
use julia_server::store::{Canceled, Inserted, JobStore};
use uuid::Uuid;

use crate::store_contract::support::{
    CAPACITY, LONG_LEASE, claim, completion, failure, insert, new_job,
};

pub async fn cancel_stops_queued_and_running_jobs_but_not_finished_ones(store: &dyn JobStore) {
    let running = insert(store, 1).await;
    let queued = insert(store, 2).await;
    let claimed = claim(store, LONG_LEASE).await;
    assert_eq!(claimed.job.id, running.id);
    for id in [queued.id, running.id] {
        match store.cancel(id).await.unwrap() {
            Canceled::Canceled(job) => assert_eq!(job.status, JobStatus::Canceled),
            other => panic!("expected canceled, got {other:?}"),
        }
    }
    assert!(
        !store
            .complete(running.id, claimed.token, completion())
            .await
            .unwrap()
    );
    assert!(
        !store
            .heartbeat(running.id, claimed.token, LONG_LEASE)
            .await
            .unwrap()
    );
    assert!(matches!(
        store.cancel(queued.id).await.unwrap(),
        Canceled::AlreadyFinished(_)
    ));
    assert!(matches!(
        store.cancel(Uuid::new_v4()).await.unwrap(),
        Canceled::NotFound
    ));
    assert!(
        store.claim("w", LONG_LEASE).await.unwrap().is_none(),
        "canceled jobs are not claimable"
    );
}

pub async fn concurrent_equal_submissions_make_one_job(store: Arc<dyn JobStore>) {
    let attempts = (0..16).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.insert_or_get(new_job(7), CAPACITY).await.unwrap() })
    });
    let outcomes = futures::future::join_all(attempts).await;
    let mut created = Vec::new();
    let mut existing = Vec::new();
    for outcome in outcomes {
        match outcome.unwrap() {
            Inserted::Created(job) => created.push(job.id),
            Inserted::Existing(job) => existing.push(job.id),
            Inserted::QueueFull => panic!("queue is not full"),
        }
    }
    assert_eq!(created.len(), 1, "exactly one job is created");
    assert!(
        existing.iter().all(|id| *id == created[0]),
        "every other submission gets that job"
    );
    assert_eq!(store.list(100).await.unwrap().len(), 1);
}

pub async fn a_failed_or_canceled_job_frees_its_params_for_a_new_job(store: &dyn JobStore) {
    let first = insert(store, 1).await;
    let claimed = claim(store, LONG_LEASE).await;
    assert!(
        store
            .fail(first.id, claimed.token, failure())
            .await
            .unwrap()
    );
    let second = insert(store, 1).await;
    assert_ne!(second.id, first.id);
    store.cancel(second.id).await.unwrap();
    let third = insert(store, 1).await;
    assert_ne!(third.id, second.id);
    match store.insert_or_get(new_job(1), CAPACITY).await.unwrap() {
        Inserted::Existing(job) => assert_eq!(job.id, third.id),
        other => panic!("expected the queued job, got {other:?}"),
    }
}

pub async fn a_full_queue_refuses_new_jobs_but_still_answers_existing_ones(store: &dyn JobStore) {
    let capacity = 2;
    for seed in 0..2 {
        assert!(matches!(
            store.insert_or_get(new_job(seed), capacity).await.unwrap(),
            Inserted::Created(_)
        ));
    }
    assert!(matches!(
        store.insert_or_get(new_job(9), capacity).await.unwrap(),
        Inserted::QueueFull
    ));
    assert!(matches!(
        store.insert_or_get(new_job(0), capacity).await.unwrap(),
        Inserted::Existing(_)
    ));
    claim(store, LONG_LEASE).await;
    assert!(matches!(
        store.insert_or_get(new_job(9), capacity).await.unwrap(),
        Inserted::Created(_)
    ));
}
