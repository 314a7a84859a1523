//! The job-store contract: the same tests run against the embedded SQLite store (a temporary
//! file) and the distributed PostgreSQL store (a throwaway cluster), so both implementations of
//! `JobStore` promise the same queue, lease, fencing, dedup and event semantics.
//!
//! This file holds the two backends and the macro that turns every contract case into one test
//! per backend; [`support`] has the shared fixtures and [`contract`] the cases, by concept.

mod contract;
mod support;

use std::sync::Arc;

use julia_server::store::{JobStore, StoreOptions};

/// A store under test plus whatever keeps it alive (temp dir, cluster).
struct Backend {
    store: Arc<dyn JobStore>,
    /// Where the store is, for a second store on the same data (another node).
    url: String,
    _keep: Box<dyn std::any::Any + Send>,
}

async fn sqlite_backend() -> Backend {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("jobs.db").display());
    let store = julia_server::store::open(&url, StoreOptions::default())
        .await
        .expect("open sqlite store");
    Backend {
        store,
        url,
        _keep: Box::new(dir),
    }
}

async fn postgres_backend() -> Backend {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let cluster = test_support::pg_cluster::shared();
    let name = format!(
        "contract_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let url = cluster.create_database(&name);
    let store = julia_server::store::open(&url, StoreOptions::default())
        .await
        .expect("open postgres store");
    Backend {
        store,
        url,
        _keep: Box::new(cluster),
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
            async fn delete_removes_the_job_and_says_whether_its_hash_is_still_named() {
                let b = $backend().await;
                contract::delete_removes_the_job_and_says_whether_its_hash_is_still_named(
                    &*b.store,
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn deleting_a_running_job_cancels_it_first() {
                let b = $backend().await;
                contract::deleting_a_running_job_cancels_it_first(&*b.store).await;
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
            async fn requeue_done_respects_the_queue_capacity() {
                let b = $backend().await;
                contract::requeue_done_respects_the_queue_capacity(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_job_whose_last_lease_expires_fails_with_too_many_attempts() {
                let b = $backend().await;
                contract::a_job_whose_last_lease_expires_fails_with_too_many_attempts(&*b.store)
                    .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_failed_attempt_counts_and_the_last_names_its_error() {
                let b = $backend().await;
                contract::a_failed_attempt_counts_and_the_last_names_its_error(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_drain_release_gives_the_try_back() {
                let b = $backend().await;
                contract::a_drain_release_gives_the_try_back(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_queued_job_out_of_tries_is_failed_by_the_claim_that_reaches_it() {
                let b = $backend().await;
                contract::a_queued_job_out_of_tries_is_failed_by_the_claim_that_reaches_it(
                    &*b.store, &b.url,
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn a_requeued_done_job_starts_with_fresh_tries() {
                let b = $backend().await;
                contract::a_requeued_done_job_starts_with_fresh_tries(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn pruning_deletes_old_finished_jobs_only() {
                let b = $backend().await;
                contract::pruning_deletes_old_finished_jobs_only(&*b.store).await;
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

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn the_owner_is_stored_and_dedup_keeps_the_first_owner() {
                let b = $backend().await;
                contract::the_owner_is_stored_and_dedup_keeps_the_first_owner(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_animation_counts_done_frames_and_is_encoded_once_all_are_done() {
                let b = $backend().await;
                contract::an_animation_counts_done_frames_and_is_encoded_once_all_are_done(
                    &*b.store,
                )
                .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn one_row_per_hash_and_a_lost_frame_fails_until_submitted_again() {
                let b = $backend().await;
                contract::one_row_per_hash_and_a_lost_frame_fails_until_submitted_again(&*b.store)
                    .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn an_expired_encode_is_claimed_again_and_the_old_claim_is_fenced() {
                let b = $backend().await;
                contract::an_expired_encode_is_claimed_again_and_the_old_claim_is_fenced(&*b.store)
                    .await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn cancel_names_the_frames_no_other_active_animation_uses() {
                let b = $backend().await;
                contract::cancel_names_the_frames_no_other_active_animation_uses(&*b.store).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn pruning_keeps_the_frames_of_an_active_animation() {
                let b = $backend().await;
                contract::pruning_keeps_the_frames_of_an_active_animation(&*b.store).await;
            }
        }
    };
}

use postgres_backend as postgres;
use sqlite_backend as sqlite;

contract_tests!(sqlite);
contract_tests!(postgres);
