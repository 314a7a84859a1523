//! `serve` put together: the data directory's lock (SQLite mode), store, results, renderer,
//! workers, HTTP server, the periodic lease sweep and pruning, and the drain on SIGTERM/SIGINT
//! (readiness off, new jobs refused, running jobs get the grace period, then whatever still runs
//! goes back to the queue for the next start).

use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use uuid::Uuid;

use crate::api::{self, AppContext};
use crate::config::ServiceConfig;
use crate::jobs::renderer::JobRenderer;
use crate::jobs::worker::{WorkerContext, WorkerControl, spawn_workers};
use crate::results::{DirResults, StaleTemporaries};
use crate::store::{self, DataDirLock, LockError, StoreError, StoreOptions};
use render_gpu::render_backend::{BackendOptions, Backends};

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("cannot prepare the data directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Locked(#[from] LockError),
    #[error("cannot open the job store: {0}")]
    Store(#[from] StoreError),
    #[error("cannot install the metrics recorder: {0}")]
    Metrics(#[from] metrics_exporter_prometheus::BuildError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot start the render workers: {0}")]
    Workers(std::io::Error),
    #[error("the HTTP server failed: {0}")]
    Http(std::io::Error),
    #[error("cannot load the API keys: {0}")]
    ApiKeys(#[from] api::auth::KeysError),
}

/// Runs the service until a shutdown signal has been handled.
pub async fn run(config: ServiceConfig) -> Result<(), ServiceError> {
    let data_dir_error = |source| ServiceError::DataDir {
        path: config.data_dir.display().to_string(),
        source,
    };
    std::fs::create_dir_all(&config.data_dir).map_err(data_dir_error)?;
    // Before the store is touched: opening it recovers the jobs another process may be running.
    // PostgreSQL nodes share their data (results) directory by design, so only SQLite locks it.
    let data_dir_lock = if store::is_sqlite_url(&config.database_url) {
        Some(DataDirLock::acquire(&config.data_dir)?)
    } else {
        None
    };
    // Holding the data-directory lock, this process is the directory's only writer.
    let stale_temporaries = if data_dir_lock.is_some() {
        StaleTemporaries::All
    } else {
        StaleTemporaries::for_shared_dir(config.job_timeout)
    };
    let api_keys = api::auth::ApiKeys::load(&config.access)?;
    let metrics = crate::metrics::install()?;
    let options = StoreOptions {
        max_attempts: config.max_attempts,
    };
    let store = store::open(&config.database_url, options).await?;
    let results = Arc::new(
        DirResults::open(
            &config.results_dir(),
            config.result_cache_bytes,
            stale_temporaries,
        )
        .map_err(data_dir_error)?,
    );
    let options = BackendOptions {
        cpu_only: config.cpu_only,
        low_priority_cpu: true,
        cpu_threads: config.cpu_threads,
        ..BackendOptions::default()
    };
    // Adapter discovery blocks; keep it off the runtime's threads.
    let backends = tokio::task::spawn_blocking(move || Backends::detect(&options))
        .await
        .map_err(|err| ServiceError::Workers(std::io::Error::other(err)))?;
    for gpu in backends.gpus() {
        tracing::info!(name = %gpu.name, api = %gpu.api, "GPU adapter");
    }
    let renderer: Arc<dyn JobRenderer> = Arc::new(backends);
    let app = Arc::new(
        AppContext::new(
            store.clone(),
            results.clone(),
            config.clone(),
            renderer.info(),
            metrics,
        )
        .with_api_keys(api_keys),
    );
    let listener = TcpListener::bind(config.addr)
        .await
        .map_err(|source| ServiceError::Bind {
            addr: config.addr.to_string(),
            source,
        })?;
    let local = listener.local_addr().map_err(ServiceError::Http)?;

    let control = WorkerControl::default();
    let workers = if config.no_workers {
        Vec::new()
    } else {
        spawn_workers(&WorkerContext {
            store: store.clone(),
            results,
            renderer,
            runtime: tokio::runtime::Handle::current(),
            control: control.clone(),
            lease: config.lease,
            node: format!(
                "{}-{}",
                std::process::id(),
                &Uuid::new_v4().to_string()[..8]
            ),
            job_timeout: config.job_timeout,
            max_work: config.max_work,
        })
        .map_err(ServiceError::Workers)?
    };
    tokio::spawn(requeue_expired_leases(store.clone(), config.lease));
    tokio::spawn(prune_finished_jobs(store.clone(), config.retention));

    println!("listening on http://{local}");
    tracing::info!(%local, workers = workers.len(), "julia-server started");

    let drain = {
        let app = app.clone();
        let grace = config.drain_grace;
        async move {
            shutdown_signal().await;
            tracing::info!(
                grace_secs = grace.as_secs(),
                "draining: no new jobs; running jobs get the grace period"
            );
            app.start_draining();
            control.drain(workers, grace).await;
            app.shutdown.cancel();
        }
    };
    if let Some(limiter) = &app.rate_limiter {
        limiter.spawn_forgetting();
    }
    if let Some(addr) = config.access.metrics_addr {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| ServiceError::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let local = listener.local_addr().map_err(ServiceError::Http)?;
        println!("metrics on http://{local}/metrics");
        let router = api::metrics_router(app.clone());
        let limits = config.http.clone();
        let stop = app.shutdown.clone();
        tokio::spawn(async move {
            api::server::serve(listener, router, &limits, stop.cancelled_owned()).await;
        });
    }
    api::server::serve(listener, api::router(app), &config.http, drain).await;
    tracing::info!("stopped");
    Ok(())
}

/// Returns a crashed worker's jobs to the queue once its lease runs out. Every process that runs
/// workers sweeps (API nodes and worker processes), so the queue heals whichever is still running.
pub async fn requeue_expired_leases(store: Arc<dyn store::JobStore>, lease: Duration) {
    let mut tick = tokio::time::interval(lease / 2);
    loop {
        tick.tick().await;
        match store.requeue_expired().await {
            Ok(swept) => {
                if swept.requeued > 0 {
                    tracing::warn!(n = swept.requeued, "re-queued jobs whose lease expired");
                }
                if swept.failed > 0 {
                    tracing::warn!(
                        n = swept.failed,
                        "failed jobs whose lease expired on their last try (too_many_attempts)"
                    );
                }
            }
            Err(err) => tracing::warn!(%err, "checking leases failed"),
        }
    }
}

/// How often finished jobs are pruned: a fraction of the retention, so a row outlives it by at
/// most a quarter, but at least every second and at most every hour.
fn prune_interval(retention: Duration) -> Duration {
    (retention / 4).clamp(Duration::from_secs(1), Duration::from_secs(3600))
}

/// Deletes finished, failed and canceled jobs and animations older than `retention` (frames of
/// an animation still rendering or encoding stay), at start-up and then periodically. Every API node may prune (deleting twice is harmless).
pub async fn prune_finished_jobs(store: Arc<dyn store::JobStore>, retention: Duration) {
    let mut tick = tokio::time::interval(prune_interval(retention));
    loop {
        tick.tick().await;
        match store.prune_finished(retention).await {
            Ok(0) => {}
            Ok(n) => {
                metrics::counter!(crate::metrics::names::JOBS_PRUNED).increment(n);
                tracing::info!(
                    n,
                    retention_secs = retention.as_secs(),
                    "pruned jobs finished longer ago than the retention period"
                );
            }
            Err(err) => tracing::warn!(%err, "pruning finished jobs failed"),
        }
        match store.animations().prune_animations(retention).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                n,
                "pruned animations finished longer ago than the retention"
            ),
            Err(err) => tracing::warn!(%err, "pruning finished animations failed"),
        }
    }
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        _ = terminate => {}
    }
}
