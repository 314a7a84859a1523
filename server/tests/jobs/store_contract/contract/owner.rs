//! The submitting key's identity is kept on the job (so the API can refuse another key's cancel),
//! and an equal submission by another key finds the first key's job unchanged.

use julia_server::store::{Inserted, JobStore, NewJob};

use crate::store_contract::support::{CAPACITY, new_job};

pub async fn the_owner_is_stored_and_dedup_keeps_the_first_owner(store: &dyn JobStore) {
    let owned = NewJob {
        owner: Some("alice".to_string()),
        ..new_job(41)
    };
    let Inserted::Created(job) = store.insert_or_get(owned, CAPACITY).await.unwrap() else {
        panic!("a new job");
    };
    assert_eq!(job.owner.as_deref(), Some("alice"));
    let read = store.get(job.id).await.unwrap().expect("stored");
    assert_eq!(read.owner.as_deref(), Some("alice"));

    let by_bob = NewJob {
        owner: Some("bob".to_string()),
        ..new_job(41)
    };
    match store.insert_or_get(by_bob, CAPACITY).await.unwrap() {
        Inserted::Existing(existing) => {
            assert_eq!(existing.id, job.id);
            assert_eq!(existing.owner.as_deref(), Some("alice"));
        }
        other => panic!("expected the existing job, got {other:?}"),
    }

    let Inserted::Created(anonymous) = store.insert_or_get(new_job(42), CAPACITY).await.unwrap()
    else {
        panic!("a new job");
    };
    assert_eq!(anonymous.owner, None);
    let listed = store.list(10).await.unwrap();
    assert!(
        listed
            .iter()
            .any(|j| j.id == job.id && j.owner.as_deref() == Some("alice"))
    );
}
