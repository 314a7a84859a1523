//! Claims, leases and fencing: queue order, lease expiry and renewal, stale tokens refused for
//! every worker write, and a job going back to the queue (release, requeue of a done job).

use julia_api_types::JobStatus;
use julia_server::store::{JobStore, Requeued};

use crate::store_contract::support::{
    CAPACITY, LONG_LEASE, SHORT_LEASE, claim, completion, expired_then_reclaimed, failure, insert,
};

pub async fn claims_take_the_oldest_queued_job_first(store: &dyn JobStore) {
    let ids = [
        insert(store, 1).await.id,
        insert(store, 2).await.id,
        insert(store, 3).await.id,
    ];
    for id in ids {
        let claimed = claim(store, LONG_LEASE).await;
        assert_eq!(claimed.job.id, id);
        assert_eq!(claimed.job.status, JobStatus::Running);
    }
    assert!(
        store.claim("w", LONG_LEASE).await.unwrap().is_none(),
        "queue is empty"
    );
}

pub async fn an_expired_lease_makes_the_job_claimable_again_with_a_newer_token(
    store: &dyn JobStore,
) {
    let (first, second) = expired_then_reclaimed(store).await;
    assert!(
        second.token > first.token,
        "{} > {}",
        second.token,
        first.token
    );
}

pub async fn a_live_or_renewed_lease_is_not_requeued(store: &dyn JobStore) {
    insert(store, 1).await;
    insert(store, 2).await;
    let renewed = claim(store, SHORT_LEASE).await;
    claim(store, LONG_LEASE).await;
    assert!(
        store
            .heartbeat(renewed.job.id, renewed.token, LONG_LEASE)
            .await
            .unwrap()
    );
    tokio::time::sleep(SHORT_LEASE * 3).await;
    assert_eq!(store.requeue_expired().await.unwrap(), Default::default());
    assert!(store.claim("w", LONG_LEASE).await.unwrap().is_none());
}

pub async fn a_stale_token_is_refused_for_every_worker_write(store: &dyn JobStore) {
    let (stale, live) = expired_then_reclaimed(store).await;
    let id = live.job.id;
    assert!(!store.heartbeat(id, stale.token, LONG_LEASE).await.unwrap());
    assert!(
        !store
            .report_progress(id, stale.token, 0.9, LONG_LEASE)
            .await
            .unwrap()
    );
    assert!(!store.complete(id, stale.token, completion()).await.unwrap());
    assert!(!store.fail(id, stale.token, failure()).await.unwrap());
    assert!(!store.release(id, stale.token).await.unwrap());
    let job = store.get(id).await.unwrap().unwrap();
    assert_eq!(
        (job.status, job.progress),
        (JobStatus::Running, 0.0),
        "the stale writes changed nothing"
    );
    assert!(
        store
            .report_progress(id, live.token, 0.5, LONG_LEASE)
            .await
            .unwrap()
    );
    assert!(store.complete(id, live.token, completion()).await.unwrap());
    assert!(
        !store.complete(id, live.token, completion()).await.unwrap(),
        "completes once"
    );
    let job = store.get(id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Done);
    assert_eq!(job.backend.as_deref(), Some("cpu"));
    assert!(job.result_url.is_some());
}

pub async fn requeue_done_puts_a_done_job_back_under_the_same_id(store: &dyn JobStore) {
    let job = insert(store, 1).await;
    assert!(
        matches!(
            store.requeue_done(job.id, CAPACITY).await.unwrap(),
            Requeued::NotDone
        ),
        "a queued job is not done"
    );
    let claimed = claim(store, LONG_LEASE).await;
    assert!(
        store
            .complete(job.id, claimed.token, completion())
            .await
            .unwrap()
    );
    let Requeued::Queued(requeued) = store.requeue_done(job.id, CAPACITY).await.unwrap() else {
        panic!("requeued");
    };
    assert_eq!(
        (requeued.id, requeued.status, requeued.progress),
        (job.id, JobStatus::Queued, 0.0)
    );
    assert!(requeued.result_url.is_none());
    let again = claim(store, LONG_LEASE).await;
    assert_eq!(again.job.id, job.id);
    assert!(again.token > claimed.token);
}

pub async fn release_returns_a_running_job_to_the_queue(store: &dyn JobStore) {
    let job = insert(store, 1).await;
    let claimed = claim(store, LONG_LEASE).await;
    assert!(store.release(job.id, claimed.token).await.unwrap());
    let job = store.get(job.id).await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Queued);
    assert_eq!(claim(store, LONG_LEASE).await.job.id, job.id);
}

pub async fn requeue_done_respects_the_queue_capacity(store: &dyn JobStore) {
    let done = insert(store, 1).await;
    let claimed = claim(store, LONG_LEASE).await;
    assert!(
        store
            .complete(done.id, claimed.token, completion())
            .await
            .unwrap()
    );
    let waiting = insert(store, 2).await;
    assert!(matches!(
        store.requeue_done(done.id, 1).await.unwrap(),
        Requeued::QueueFull
    ));
    let unchanged = store.get(done.id).await.unwrap().unwrap();
    assert_eq!(
        unchanged.status,
        JobStatus::Done,
        "a refused re-queue changes nothing"
    );
    assert!(matches!(
        store.requeue_done(waiting.id, 1).await.unwrap(),
        Requeued::NotDone
    ));
    let Requeued::Queued(requeued) = store.requeue_done(done.id, 2).await.unwrap() else {
        panic!("room for one more");
    };
    assert_eq!(requeued.status, JobStatus::Queued);
}
