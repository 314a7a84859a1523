//! Retention: finished jobs (done, failed, canceled) older than the retention period are deleted;
//! queued and running jobs never are, however old.

use std::time::Duration;

use julia_server::store::JobStore;

use crate::store_contract::support::{LONG_LEASE, claim, completion, failure, insert};

pub async fn pruning_deletes_old_finished_jobs_only(store: &dyn JobStore) {
    let done = insert(store, 1).await.id;
    let failed = insert(store, 2).await.id;
    let canceled = insert(store, 3).await.id;
    let running = insert(store, 4).await.id;
    let queued = insert(store, 5).await.id;
    let token = claim(store, LONG_LEASE).await.token;
    assert!(store.complete(done, token, completion()).await.unwrap());
    let token = claim(store, LONG_LEASE).await.token;
    assert!(store.fail(failed, token, failure()).await.unwrap());
    store.cancel(canceled).await.unwrap();
    assert_eq!(claim(store, LONG_LEASE).await.job.id, running);

    assert_eq!(
        store
            .prune_finished(Duration::from_secs(3600))
            .await
            .unwrap(),
        0,
        "nothing finished an hour ago"
    );
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(
        store
            .prune_finished(Duration::from_millis(10))
            .await
            .unwrap(),
        3
    );
    for id in [done, failed, canceled] {
        assert!(store.get(id).await.unwrap().is_none(), "{id} pruned");
    }
    for id in [running, queued] {
        assert!(store.get(id).await.unwrap().is_some(), "{id} kept");
    }
    assert_eq!(
        store
            .prune_finished(Duration::from_millis(10))
            .await
            .unwrap(),
        0
    );
}
