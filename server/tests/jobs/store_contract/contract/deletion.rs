//! Deleting jobs: the row is gone, a running job is canceled first (its watchers hear it and its
//! worker's writes are refused), and the answer says whether another job still names the hash.

use julia_api_types::JobStatus;
use julia_server::store::{Deleted, Inserted, JobStore};
use uuid::Uuid;

use crate::store_contract::support::*;

pub async fn delete_removes_the_job_and_says_whether_its_hash_is_still_named(store: &dyn JobStore) {
    // Two jobs of the same parameters: one canceled, then a new one that finishes.
    let canceled = insert(store, 1).await;
    store.cancel(canceled.id).await.unwrap();
    let done = insert(store, 1).await;
    assert_eq!(done.hash, canceled.hash);
    let claimed = claim(store, LONG_LEASE).await;
    assert!(
        store
            .complete(done.id, claimed.token, completion())
            .await
            .unwrap()
    );

    match store.delete(canceled.id).await.unwrap() {
        Deleted::Deleted { job, hash_in_use } => {
            assert_eq!(job.id, canceled.id);
            assert!(hash_in_use, "the done job still names the hash");
        }
        other => panic!("expected a deletion, got {other:?}"),
    }
    assert!(store.get(canceled.id).await.unwrap().is_none());
    match store.delete(done.id).await.unwrap() {
        Deleted::Deleted { job, hash_in_use } => {
            assert_eq!(job.status, JobStatus::Done);
            assert!(!hash_in_use, "no job names the hash any more");
        }
        other => panic!("expected a deletion, got {other:?}"),
    }
    assert!(store.list(10).await.unwrap().is_empty());
    assert!(matches!(
        store.delete(done.id).await.unwrap(),
        Deleted::NotFound
    ));
    assert!(matches!(
        store.delete(Uuid::new_v4()).await.unwrap(),
        Deleted::NotFound
    ));
    // The parameters are free again.
    assert!(matches!(
        store.insert_or_get(new_job(1), CAPACITY).await.unwrap(),
        Inserted::Created(_)
    ));
}

pub async fn deleting_a_running_job_cancels_it_first(store: &dyn JobStore) {
    let mut events = store.subscribe();
    let job = insert(store, 2).await;
    let claimed = claim(store, LONG_LEASE).await;
    assert_eq!(claimed.job.id, job.id);
    assert!(matches!(
        store.delete(job.id).await.unwrap(),
        Deleted::Deleted { .. }
    ));
    let canceled = wait_event(&mut events, job.id, |j| j.status == JobStatus::Canceled).await;
    assert_eq!(canceled.error.unwrap().code, "canceled");
    assert!(
        !store
            .heartbeat(job.id, claimed.token, LONG_LEASE)
            .await
            .unwrap()
    );
    assert!(
        !store
            .complete(job.id, claimed.token, completion())
            .await
            .unwrap()
    );
    assert!(store.get(job.id).await.unwrap().is_none());
}
