//! What the store tells others: job events for every state change and progress, the work signal
//! that wakes idle workers, and the queue statistics.

use julia_api_types::JobStatus;
use julia_server::store::JobStore;

use crate::store_contract::support::{
    EVENT_WAIT, LONG_LEASE, claim, completion, insert, wait_event,
};

pub async fn subscribers_see_every_state_change_and_progress(store: &dyn JobStore) {
    let mut events = store.subscribe();
    let job = insert(store, 1).await;
    wait_event(&mut events, job.id, |j| j.status == JobStatus::Queued).await;
    let claimed = claim(store, LONG_LEASE).await;
    wait_event(&mut events, job.id, |j| j.status == JobStatus::Running).await;
    assert!(
        store
            .report_progress(job.id, claimed.token, 0.5, LONG_LEASE)
            .await
            .unwrap()
    );
    wait_event(&mut events, job.id, |j| j.progress == 0.5).await;
    assert!(
        store
            .complete(job.id, claimed.token, completion())
            .await
            .unwrap()
    );
    let done = wait_event(&mut events, job.id, |j| j.status == JobStatus::Done).await;
    assert_eq!(done.progress, 1.0);
    let other = insert(store, 2).await;
    store.cancel(other.id).await.unwrap();
    wait_event(&mut events, other.id, |j| j.status == JobStatus::Canceled).await;
}

pub async fn queued_work_wakes_idle_workers(store: &dyn JobStore) {
    let mut work = store.work_signal();
    work.borrow_and_update();
    insert(store, 1).await;
    tokio::time::timeout(EVENT_WAIT, work.changed())
        .await
        .expect("the work signal changed")
        .expect("the store is alive");
}

pub async fn stats_count_jobs_by_status_and_age_the_oldest_queued(store: &dyn JobStore) {
    let first = insert(store, 1).await;
    insert(store, 2).await;
    insert(store, 3).await;
    let claimed = claim(store, LONG_LEASE).await;
    assert!(
        store
            .complete(first.id, claimed.token, completion())
            .await
            .unwrap()
    );
    claim(store, LONG_LEASE).await;
    let stats = store.stats().await.unwrap();
    assert_eq!(stats.count(JobStatus::Queued), 1);
    assert_eq!(stats.count(JobStatus::Running), 1);
    assert_eq!(stats.count(JobStatus::Done), 1);
    assert_eq!(stats.count(JobStatus::Failed), 0);
    let third = store.list(1).await.unwrap().remove(0);
    assert_eq!(stats.oldest_queued_at, Some(third.created_at));
}
