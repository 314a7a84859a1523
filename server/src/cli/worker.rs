//! `julia-server worker`: a render worker process for distributed mode. It has no HTTP API: it
//! claims jobs from the shared PostgreSQL store with the same worker loop as `serve`'s in-process
//! workers, writes results into the shared results directory, sweeps expired leases, and
//! optionally serves Prometheus metrics. SIGTERM/SIGINT drain: no new claims, running jobs get
//! the grace period, then go back to the queue.
//!
//! A worker locks nothing locally: its results directory is shared with other workers and API
//! nodes by design, the store's fencing keeps two claims of one job apart, and results are moved
//! into place without ever replacing one.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use axum::extract::State;
use axum::routing::get;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::cli::logging::init_logging;
use crate::jobs::renderer::JobRenderer;
use crate::jobs::worker::{WorkerContext, WorkerControl, spawn_workers};
use crate::results::{DirResults, StaleTemporaries};
use crate::service::{requeue_expired_leases, shutdown_signal};
use crate::store::{self, JobStore, StoreOptions, redact_url};
use render_gpu::render_backend::{BackendOptions, Backends};

#[derive(clap::Args, Debug)]
pub struct WorkerArgs {
    /// The shared job store (postgres://user@host:port/db); required. A password in it is never
    /// printed.
    #[arg(long, env = "JULIA_DATABASE_URL", hide_env_values = true)]
    pub database_url: String,
    /// Data directory; results go to <data-dir>/results unless --results-dir says otherwise.
    #[arg(long, env = "JULIA_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// The shared results directory every API node serves from.
    #[arg(long, env = "JULIA_RESULTS_DIR")]
    pub results_dir: Option<PathBuf>,
    /// Serve Prometheus metrics at http://ADDR/metrics (port 0 picks one; the URL is printed).
    #[arg(long, env = "JULIA_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
    /// Render on the CPU only, even when a GPU is available.
    #[arg(long, env = "JULIA_CPU_ONLY")]
    pub cpu_only: bool,
    /// Threads of the CPU render pool [default: every core].
    #[arg(long, env = "JULIA_CPU_THREADS")]
    pub cpu_threads: Option<usize>,
    /// Names this process in lease records and logs [default: worker-<host>-<pid>].
    #[arg(long, env = "JULIA_WORKER_ID")]
    pub worker_id: Option<String>,
    /// Seconds a claim lasts without a heartbeat (a crashed worker's job waits this long).
    #[arg(long, env = "JULIA_LEASE_SECS", default_value_t = 30)]
    pub lease_secs: u64,
    /// Seconds running jobs may finish after SIGTERM before they go back to the queue.
    #[arg(long, env = "JULIA_DRAIN_GRACE_SECS", default_value_t = 30)]
    pub drain_grace_secs: u64,
    /// Disk budget for the results this worker knows of (see docs/DISTRIBUTED.md).
    #[arg(long, env = "JULIA_RESULT_CACHE_BYTES", default_value_t = 10 * 1024 * 1024 * 1024)]
    pub result_cache_bytes: u64,
    /// Largest width*height*supersample²*max_iter this worker renders; jobs over it fail.
    #[arg(long, env = "JULIA_MAX_WORK", default_value_t = render_core::validate::DEFAULT_MAX_WORK)]
    pub max_work: u64,
    /// Seconds a render may run before its job fails with code `timeout` (0: no limit).
    #[arg(long, env = "JULIA_JOB_TIMEOUT", default_value_t = 3600)]
    pub job_timeout: u64,
    /// Claims of one job that may end without finishing before it is failed with
    /// `too_many_attempts` (set it alike on every node).
    #[arg(long, env = "JULIA_MAX_ATTEMPTS", default_value_t = store::DEFAULT_MAX_ATTEMPTS,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attempts: u32,
}

pub fn run(args: WorkerArgs) -> ExitCode {
    init_logging("info,sqlx=warn");
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("julia-server worker: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run_worker_process(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("julia-server worker: {err:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_worker_process(args: WorkerArgs) -> anyhow::Result<()> {
    if !store::is_postgres_url(&args.database_url) {
        bail!(
            "--database-url `{}` must name the shared PostgreSQL store (postgres://...); workers of the embedded SQLite store run inside `serve`",
            redact_url(&args.database_url)
        );
    }
    let lease = Duration::from_secs(args.lease_secs.max(3));
    let worker_id = args.worker_id.clone().unwrap_or_else(default_worker_id);
    let results_dir = args
        .results_dir
        .clone()
        .unwrap_or_else(|| args.data_dir.join("results"));
    let metrics = crate::metrics::install().context("cannot install the metrics recorder")?;
    let options = StoreOptions {
        max_attempts: args.max_attempts,
    };
    let store = open_store_patiently(&args.database_url, options).await?;
    let results = Arc::new(
        DirResults::open(
            &results_dir,
            args.result_cache_bytes,
            StaleTemporaries::for_shared_dir(crate::config::job_timeout_from_secs(
                args.job_timeout,
            )),
        )
        .with_context(|| {
            format!(
                "cannot open the results directory {}",
                results_dir.display()
            )
        })?,
    );
    let options = BackendOptions {
        cpu_only: args.cpu_only,
        low_priority_cpu: true,
        cpu_threads: args.cpu_threads,
        ..BackendOptions::default()
    };
    // Adapter discovery blocks; keep it off the runtime's threads.
    let backends = tokio::task::spawn_blocking(move || Backends::detect(&options)).await?;
    for gpu in backends.gpus() {
        tracing::info!(name = %gpu.name, api = %gpu.api, "GPU adapter");
    }
    let renderer: Arc<dyn JobRenderer> = Arc::new(backends);

    if let Some(addr) = args.metrics_addr {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr} for metrics"))?;
        println!("metrics on http://{}/metrics", listener.local_addr()?);
        tokio::spawn(serve_metrics(listener, store.clone(), metrics));
    }
    tokio::spawn(requeue_expired_leases(store.clone(), lease));

    let control = WorkerControl::default();
    let workers = spawn_workers(&WorkerContext {
        store,
        results,
        renderer,
        runtime: tokio::runtime::Handle::current(),
        control: control.clone(),
        lease,
        node: worker_id.clone(),
        job_timeout: crate::config::job_timeout_from_secs(args.job_timeout),
        max_work: args.max_work,
    })
    .context("cannot start the render workers")?;
    println!("worker {worker_id} ready");
    tracing::info!(worker = %worker_id, threads = workers.len(), results = %results_dir.display(), "worker started");

    shutdown_signal().await;
    let grace = Duration::from_secs(args.drain_grace_secs);
    tracing::info!(
        grace_secs = grace.as_secs(),
        "draining: no new claims; running jobs get the grace period"
    );
    control.drain(workers, grace).await;
    tracing::info!("stopped");
    Ok(())
}

/// A worker started before its database (a host booting, a failover) waits for it rather than
/// exiting; a wrong URL or a failed migration still ends the process.
async fn open_store_patiently(
    url: &str,
    options: StoreOptions,
) -> anyhow::Result<Arc<dyn JobStore>> {
    let mut delay = Duration::from_millis(250);
    loop {
        match store::open(url, options).await {
            Ok(store) => return Ok(store),
            Err(store::StoreError::Database(err)) if is_unreachable(&err) => {
                tracing::warn!(%err, "the job store is unreachable; retrying");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(10));
            }
            Err(err) => {
                return Err(err)
                    .with_context(|| format!("cannot open the job store {}", redact_url(url)));
            }
        }
    }
}

fn is_unreachable(err: &sqlx::Error) -> bool {
    matches!(err, sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut)
        || matches!(err, sqlx::Error::Database(db) if db.code().is_some_and(|c| c.starts_with("57P0")))
}

#[derive(Clone)]
struct MetricsState {
    store: Arc<dyn JobStore>,
    handle: PrometheusHandle,
}

/// `/metrics` (with the shared queue's depth refreshed at scrape time) and `/healthz`.
async fn serve_metrics(
    listener: tokio::net::TcpListener,
    store: Arc<dyn JobStore>,
    handle: PrometheusHandle,
) {
    let app = axum::Router::new()
        .route("/metrics", get(metrics_text))
        .route("/healthz", get(|| async { "ok" }))
        .with_state(MetricsState { store, handle });
    if let Err(err) = axum::serve(listener, app).await {
        tracing::error!(%err, "the metrics listener failed");
    }
}

async fn metrics_text(State(state): State<MetricsState>) -> String {
    match state.store.stats().await {
        Ok(stats) => crate::metrics::record_queue(&stats),
        Err(err) => tracing::warn!(%err, "cannot read queue statistics for metrics"),
    }
    state.handle.render()
}

fn default_worker_id() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "host".to_string());
    format!("worker-{host}-{}", std::process::id())
}
