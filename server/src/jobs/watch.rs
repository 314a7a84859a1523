//! Watches one running job on behalf of its worker: renews the lease by heartbeat and raises the
//! job's cancel flag when the job is canceled (seen on the event stream) or the claim is lost
//! (a fenced heartbeat refused). The flag is the render's stop flag, checked inside bands.

use std::sync::Arc;
use std::time::Duration;

use render_core::StopFlag;

use tokio::runtime::Handle;
use tokio::sync::broadcast::error::RecvError;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::store::JobStore;
use julia_api_types::JobStatus;

/// A running watch; stops when dropped.
pub struct JobWatch {
    cancel: StopFlag,
    done: CancellationToken,
}

impl JobWatch {
    /// Starts watching `id` under claim `token`. The event subscription is taken before this
    /// returns, so no cancel published after the claim is missed. A cancel raises `cancel`.
    pub fn start(
        rt: &Handle,
        store: Arc<dyn JobStore>,
        id: Uuid,
        token: i64,
        lease: Duration,
        cancel: StopFlag,
    ) -> JobWatch {
        let done = CancellationToken::new();
        let mut events = store.subscribe();
        let (flag, stop) = (cancel.clone(), done.clone());
        rt.spawn(async move {
            let mut heartbeat = tokio::time::interval(lease / 3);
            heartbeat.tick().await;
            loop {
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = heartbeat.tick() => match store.heartbeat(id, token, lease).await {
                        Ok(true) => {}
                        Ok(false) => {
                            tracing::info!(%id, "lost the claim on the job; stopping its render");
                            flag.stop();
                            return;
                        }
                        Err(err) => tracing::warn!(%id, %err, "heartbeat failed"),
                    },
                    event = events.recv() => match event {
                        Ok(job) if job.id == id && job.status == JobStatus::Canceled => {
                            flag.stop();
                            return;
                        }
                        Ok(_) | Err(RecvError::Lagged(_)) => {}
                        // The store is gone; the heartbeat keeps checking the claim.
                        Err(RecvError::Closed) => events = tokio::sync::broadcast::channel(1).1,
                    },
                }
            }
        });
        JobWatch { cancel, done }
    }

    /// Raises the cancel flag from the worker itself (a refused progress write).
    pub fn cancel(&self) {
        self.cancel.stop();
    }
}

impl Drop for JobWatch {
    fn drop(&mut self) {
        self.done.cancel();
    }
}
