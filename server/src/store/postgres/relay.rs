//! LISTEN/NOTIFY for the PostgreSQL store: one listener task per process turns `julia_job`
//! notifications into the store's job broadcast (so SSE clients on every API node see every job)
//! and `julia_work` into the idle workers' wake-up signal; it reconnects after database restarts.

use super::*;

/// Turns notifications into local events; owned by the listener task.
#[derive(Clone)]
pub(super) struct Relay {
    pub(super) pool: PgPool,
    pub(super) events: broadcast::Sender<Job>,
    pub(super) work: Arc<watch::Sender<u64>>,
}

impl Relay {
    pub(super) async fn run(self, listener: PgListener) {
        let mut listener = Some(listener);
        let mut backoff = Duration::from_millis(100);
        let mut quiet_rebuild = false;
        loop {
            let mut current = match listener.take() {
                Some(current) => current,
                None => match connect_listener(&self.pool).await {
                    Ok(fresh) => {
                        if !quiet_rebuild {
                            tracing::info!("reconnected to PostgreSQL notifications");
                        }
                        quiet_rebuild = false;
                        backoff = Duration::from_millis(100);
                        self.resync().await;
                        fresh
                    }
                    Err(err) => {
                        tracing::warn!(%err, "cannot listen for job notifications; retrying");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                        continue;
                    }
                },
            };
            loop {
                // A connection that died without the socket noticing (a host or network loss
                // rather than a server restart) would wait forever; after a quiet period the
                // listener is rebuilt, and the resync covers the gap.
                let Ok(received) =
                    tokio::time::timeout(LISTENER_QUIET_LIMIT, current.try_recv()).await
                else {
                    tracing::debug!("no notification for a while; re-establishing the listener");
                    quiet_rebuild = true;
                    break;
                };
                match received {
                    Ok(Some(first)) => {
                        let mut batch = vec![first];
                        batch.extend(std::iter::from_fn(|| current.next_buffered()));
                        self.deliver(batch).await;
                    }
                    // The connection dropped and sqlx re-established it: what was sent meanwhile is lost.
                    Ok(None) => {
                        tracing::warn!(
                            "the notification connection dropped and was re-established"
                        );
                        self.resync().await;
                    }
                    Err(err) => {
                        tracing::warn!(%err, "lost the notification connection");
                        break;
                    }
                }
            }
        }
    }

    async fn deliver(&self, batch: Vec<PgNotification>) {
        let mut ids: Vec<String> = Vec::new();
        let mut wake = false;
        for n in &batch {
            match n.channel() {
                WORK_CHANNEL => wake = true,
                JOB_CHANNEL if !ids.iter().any(|id| id == n.payload()) => {
                    ids.push(n.payload().to_string())
                }
                _ => {}
            }
        }
        if wake {
            bump(&self.work);
        }
        // Nobody in this process is watching (e.g. an idle worker process): skip the fetch.
        if ids.is_empty() || self.events.receiver_count() == 0 {
            return;
        }
        match self.fetch_many(&ids).await {
            Ok(jobs) => jobs.into_iter().for_each(|job| drop(self.events.send(job))),
            Err(err) => tracing::warn!(%err, "cannot fetch changed jobs"),
        }
    }

    async fn fetch_many(&self, ids: &[String]) -> StoreResult<Vec<Job>> {
        let rows = sqlx::query("SELECT * FROM jobs WHERE id = ANY($1) ORDER BY seq")
            .bind(ids)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(job_from_row).collect()
    }

    /// After a gap in notifications: re-announce every active job (SSE clients see their current
    /// state) and wake the workers (work may have been queued).
    async fn resync(&self) {
        bump(&self.work);
        if self.events.receiver_count() == 0 {
            return;
        }
        let rows =
            sqlx::query("SELECT * FROM jobs WHERE status IN ('queued', 'running') ORDER BY seq")
                .fetch_all(&self.pool)
                .await;
        match rows {
            Ok(rows) => rows
                .iter()
                .filter_map(|r| job_from_row(r).ok())
                .for_each(|job| drop(self.events.send(job))),
            Err(err) => tracing::warn!(%err, "cannot re-read active jobs after reconnecting"),
        }
    }
}

pub(super) async fn connect_listener(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen_all([JOB_CHANNEL, WORK_CHANNEL]).await?;
    Ok(listener)
}

pub(super) async fn safety_poll(work: Arc<watch::Sender<u64>>) {
    let mut tick = tokio::time::interval(SAFETY_POLL);
    loop {
        tick.tick().await;
        bump(&work);
    }
}

pub(super) fn bump(work: &watch::Sender<u64>) {
    work.send_modify(|n| *n = n.wrapping_add(1));
}
