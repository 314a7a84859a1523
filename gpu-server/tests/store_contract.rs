//! The job-store contract: the same tests run against the embedded SQLite store (a temporary
//! file) and the distributed PostgreSQL store (a throwaway cluster), so both implementations of
//! `JobStore` promise the same queue, lease, fencing, dedup and event semantics.

use std::sync::Arc;
use std::time::Duration;

use gpu_server::jobs::{Job, JobError, JobStatus};
use gpu_server::store::{Canceled, ClaimedJob, Completion, Inserted, JobStore, NewJob};
use render_core::{Limits, canonical_hash, parse_params};
use tokio::sync::broadcast;
use uuid::Uuid;

const LONG_LEASE: Duration = Duration::from_secs(60);
const SHORT_LEASE: Duration = Duration::from_millis(100);
/// Long enough for any event to arrive; tests wait for events, never assert on how fast.
const EVENT_WAIT: Duration = Duration::from_secs(20);
const CAPACITY: u64 = 1000;

/// A store under test plus whatever keeps it alive (temp dir, cluster).
struct Backend {
    store: Arc<dyn JobStore>,
    _keep: Box<dyn std::any::Any + Send>,
}

async fn sqlite_backend() -> Backend {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("jobs.db").display());
    let store = gpu_server::store::open(&url)
        .await
        .expect("open sqlite store");
    Backend {
        store,
        _keep: Box::new(dir),
    }
}

async fn postgres_backend() -> Backend {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let cluster = julia_tests::pg_cluster::shared();
    let name = format!(
        "contract_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let url = cluster.create_database(&name);
    let store = gpu_server::store::open(&url)
        .await
        .expect("open postgres store");
    Backend {
        store,
        _keep: Box::new(cluster),
    }
}

fn new_job(seed: u32) -> NewJob {
    let json = format!(
        r#"{{"width": 8, "height": 8, "c": {{"re": -0.8, "im": {}}}}}"#,
        0.156 + f64::from(seed) * 1e-6
    );
    let params = parse_params(&json, &Limits::default()).expect("valid params");
    let hash = canonical_hash(&params);
    NewJob { params, hash }
}

async fn insert(store: &dyn JobStore, seed: u32) -> Job {
    match store
        .insert_or_get(new_job(seed), CAPACITY)
        .await
        .expect("insert")
    {
        Inserted::Created(job) => job,
        other => panic!("expected a new job, got {other:?}"),
    }
}

async fn claim(store: &dyn JobStore, lease: Duration) -> ClaimedJob {
    store
        .claim("test-worker", lease)
        .await
        .expect("claim")
        .expect("a job to claim")
}

fn completion() -> Completion {
    Completion {
        backend: "cpu".to_string(),
        device: "test".to_string(),
        duration_ms: 5,
    }
}

fn failure() -> JobError {
    JobError {
        code: "render_failed".to_string(),
        message: "test".to_string(),
    }
}

/// Waits for the event of job `id` that satisfies `wanted`.
async fn wait_event(
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
async fn expired_then_reclaimed(store: &dyn JobStore) -> (ClaimedJob, ClaimedJob) {
    insert(store, 1).await;
    let first = claim(store, SHORT_LEASE).await;
    tokio::time::sleep(SHORT_LEASE * 3).await;
    assert_eq!(store.requeue_expired().await.unwrap(), 1);
    let second = claim(store, LONG_LEASE).await;
    assert_eq!(second.job.id, first.job.id);
    (first, second)
}

mod contract {
    use super::*;

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
        assert_eq!(store.requeue_expired().await.unwrap(), 0);
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

    pub async fn a_full_queue_refuses_new_jobs_but_still_answers_existing_ones(
        store: &dyn JobStore,
    ) {
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

    pub async fn requeue_done_puts_a_done_job_back_under_the_same_id(store: &dyn JobStore) {
        let job = insert(store, 1).await;
        assert!(
            store.requeue_done(job.id).await.unwrap().is_none(),
            "a queued job is not done"
        );
        let claimed = claim(store, LONG_LEASE).await;
        assert!(
            store
                .complete(job.id, claimed.token, completion())
                .await
                .unwrap()
        );
        let requeued = store.requeue_done(job.id).await.unwrap().expect("requeued");
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
}

/// One test per contract case per backend.
macro_rules! contract_tests {
    ($backend:ident) => {
        mod $backend {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn claims_take_the_oldest_queued_job_first() {
                let b = $backend().await;
                contract::claims_take_the_oldest_queued_job_first(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_expired_lease_makes_the_job_claimable_again_with_a_newer_token() {
                let b = $backend().await;
                contract::an_expired_lease_makes_the_job_claimable_again_with_a_newer_token(
                    &*b.store,
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_live_or_renewed_lease_is_not_requeued() {
                let b = $backend().await;
                contract::a_live_or_renewed_lease_is_not_requeued(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_stale_token_is_refused_for_every_worker_write() {
                let b = $backend().await;
                contract::a_stale_token_is_refused_for_every_worker_write(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn cancel_stops_queued_and_running_jobs_but_not_finished_ones() {
                let b = $backend().await;
                contract::cancel_stops_queued_and_running_jobs_but_not_finished_ones(&*b.store)
                    .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn concurrent_equal_submissions_make_one_job() {
                let b = $backend().await;
                contract::concurrent_equal_submissions_make_one_job(b.store.clone()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_failed_or_canceled_job_frees_its_params_for_a_new_job() {
                let b = $backend().await;
                contract::a_failed_or_canceled_job_frees_its_params_for_a_new_job(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_full_queue_refuses_new_jobs_but_still_answers_existing_ones() {
                let b = $backend().await;
                contract::a_full_queue_refuses_new_jobs_but_still_answers_existing_ones(&*b.store)
                    .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn requeue_done_puts_a_done_job_back_under_the_same_id() {
                let b = $backend().await;
                contract::requeue_done_puts_a_done_job_back_under_the_same_id(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn release_returns_a_running_job_to_the_queue() {
                let b = $backend().await;
                contract::release_returns_a_running_job_to_the_queue(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn subscribers_see_every_state_change_and_progress() {
                let b = $backend().await;
                contract::subscribers_see_every_state_change_and_progress(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn queued_work_wakes_idle_workers() {
                let b = $backend().await;
                contract::queued_work_wakes_idle_workers(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn stats_count_jobs_by_status_and_age_the_oldest_queued() {
                let b = $backend().await;
                contract::stats_count_jobs_by_status_and_age_the_oldest_queued(&*b.store).await;
            }
        }
    };
}

use postgres_backend as postgres;
use sqlite_backend as sqlite;

contract_tests!(sqlite);
contract_tests!(postgres);
