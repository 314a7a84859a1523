//! The two reasons a worker stops a render that nobody canceled: the job's wall-clock limit
//! (`--job-timeout`, the job then fails with code `timeout`) and the end of a drain's grace period
//! (`WorkerControl::abort_running`, the job goes back to the queue). Either raises the render's
//! stop flag, which the backends check inside bands.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use render_core::StopFlag;
use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;

/// The error code of a job stopped by its time limit.
pub const TIMEOUT_CODE: &str = "timeout";

/// A running timer for one render; stops when dropped.
pub struct JobDeadline {
    timed_out: Arc<AtomicBool>,
    done: CancellationToken,
}

impl JobDeadline {
    /// Raises `stop` when `limit` has passed (`None`: never) or `abort` fires, whichever is first.
    pub fn start(
        rt: &Handle,
        stop: StopFlag,
        abort: CancellationToken,
        limit: Option<Duration>,
    ) -> JobDeadline {
        let timed_out = Arc::new(AtomicBool::new(false));
        let done = CancellationToken::new();
        let (flag, finished) = (timed_out.clone(), done.clone());
        rt.spawn(async move {
            let expiry = async {
                match limit {
                    Some(limit) => tokio::time::sleep(limit).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = finished.cancelled() => {}
                _ = abort.cancelled() => stop.stop(),
                _ = expiry => {
                    // Recorded before the stop, so whoever sees the render stop sees why.
                    flag.store(true, Ordering::SeqCst);
                    stop.stop();
                }
            }
        });
        JobDeadline { timed_out, done }
    }

    /// Whether the time limit stopped the render (not a cancel or a drain before it).
    pub fn timed_out(&self) -> bool {
        self.timed_out.load(Ordering::SeqCst)
    }
}

impl Drop for JobDeadline {
    fn drop(&mut self) {
        self.done.cancel();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn the_limit_raises_the_flag_and_says_so_and_abort_does_not() {
        let stop = StopFlag::new();
        let deadline = JobDeadline::start(
            &Handle::current(),
            stop.clone(),
            CancellationToken::new(),
            Some(Duration::from_millis(10)),
        );
        while !stop.is_stopped() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(deadline.timed_out());

        let stop = StopFlag::new();
        let abort = CancellationToken::new();
        let deadline = JobDeadline::start(&Handle::current(), stop.clone(), abort.clone(), None);
        abort.cancel();
        while !stop.is_stopped() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert!(!deadline.timed_out());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_dropped_deadline_never_raises_the_flag() {
        let stop = StopFlag::new();
        let deadline = JobDeadline::start(
            &Handle::current(),
            stop.clone(),
            CancellationToken::new(),
            Some(Duration::from_millis(20)),
        );
        drop(deadline);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!stop.is_stopped());
    }
}
