//! `julia-server serve`: the HTTP job API with in-process render workers. Every option can also
//! come from a `JULIA_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use crate::cli::logging::init_logging;
use crate::config::{AccessConfig, HttpLimits, ServiceConfig};

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on (port 0 picks a free port; the URL is printed).
    #[arg(long, env = "JULIA_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Directory for the database and the results.
    #[arg(long, env = "JULIA_DATA_DIR", default_value = "./data")]
    pub data_dir: PathBuf,
    /// Job store URL [default: sqlite://<data-dir>/jobs.db]. A password in it is never printed.
    #[arg(long, env = "JULIA_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Render on the CPU only, even when a GPU is available.
    #[arg(long, env = "JULIA_CPU_ONLY")]
    pub cpu_only: bool,
    /// Threads of the CPU render pool [default: every core].
    #[arg(long, env = "JULIA_CPU_THREADS")]
    pub cpu_threads: Option<usize>,
    /// Largest accepted width*height.
    #[arg(long, env = "JULIA_MAX_PIXELS", default_value_t = render_core::validate::DEFAULT_MAX_PIXELS)]
    pub max_pixels: u64,
    /// Queued jobs beyond which submissions get 503 + Retry-After.
    #[arg(long, env = "JULIA_QUEUE_CAPACITY", default_value_t = 1000)]
    pub queue_capacity: u64,
    /// Disk budget for results; the least recently used are evicted beyond it.
    #[arg(long, env = "JULIA_RESULT_CACHE_BYTES", default_value_t = 10 * 1024 * 1024 * 1024)]
    pub result_cache_bytes: u64,
    /// Browser origin allowed to call the API (repeat or comma-separate; `*` for any).
    #[arg(long, env = "JULIA_CORS_ORIGIN", value_delimiter = ',')]
    pub cors_origin: Vec<String>,
    /// The built web UI, served at `/` when it exists.
    #[arg(long, env = "JULIA_UI_DIR", default_value = "./dist")]
    pub ui_dir: PathBuf,
    /// Serve the API only; render workers run elsewhere (`julia-server worker`).
    #[arg(long, env = "JULIA_NO_WORKERS")]
    pub no_workers: bool,
    /// Seconds running jobs may finish after SIGTERM before they go back to the queue.
    #[arg(long, env = "JULIA_DRAIN_GRACE_SECS", default_value_t = 30)]
    pub drain_grace_secs: u64,
    /// Seconds a worker's claim on a job lasts without a heartbeat.
    #[arg(long, env = "JULIA_LEASE_SECS", default_value_t = 30)]
    pub lease_secs: u64,
    /// Largest width*height*supersample²*max_iter accepted (sample-iterations).
    #[arg(long, env = "JULIA_MAX_WORK", default_value_t = render_core::validate::DEFAULT_MAX_WORK)]
    pub max_work: u64,
    /// Seconds a render may run before its job fails with code `timeout` (0: no limit).
    #[arg(long, env = "JULIA_JOB_TIMEOUT", default_value_t = 3600)]
    pub job_timeout: u64,
    /// Claims of one job that may end without finishing (a crash, a kill, an expired lease, a
    /// failed write) before it is failed with `too_many_attempts`.
    #[arg(long, env = "JULIA_MAX_ATTEMPTS", default_value_t = crate::store::DEFAULT_MAX_ATTEMPTS,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub max_attempts: u32,
    /// How long finished, failed and canceled jobs are kept (e.g. `30d`, `12h`, `90s`).
    #[arg(long, env = "JULIA_RETENTION", default_value = "30d", value_parser = parse_retention)]
    pub retention: Duration,
    /// Seconds a client has to send a request's headers (and an idle keep-alive connection lives).
    #[arg(long, env = "JULIA_HEADER_TIMEOUT_SECS", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..))]
    pub header_timeout_secs: u64,
    /// Seconds a request may take until its answer starts (event streams and downloads excepted).
    #[arg(long, env = "JULIA_REQUEST_TIMEOUT_SECS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..))]
    pub request_timeout_secs: u64,
    /// Open connections at most; beyond it new ones wait in the kernel's backlog.
    #[arg(long, env = "JULIA_MAX_CONNECTIONS", default_value_t = 4096, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_connections: u64,
    /// Requests handled at once at most; beyond it `503` + `Retry-After`.
    #[arg(long, env = "JULIA_MAX_REQUESTS", default_value_t = 512, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_requests: u64,
    /// Open event streams (`/api/events`) at most; beyond it `503` + `Retry-After`.
    #[arg(long, env = "JULIA_MAX_SSE", default_value_t = 1024)]
    pub max_sse: u64,
    /// File of API keys, one `name:key` or bare key per line; when keys are set, submitting and
    /// canceling need `Authorization: Bearer <key>`.
    #[arg(long, env = "JULIA_API_KEYS_FILE")]
    pub api_keys_file: Option<PathBuf>,
    /// API keys, comma-separated `name:key` or bare keys (prefer the environment variable).
    #[arg(long, env = "JULIA_API_KEYS", hide_env_values = true)]
    pub api_keys: Option<String>,
    /// Reads (list, get, result, events) need a key too.
    #[arg(long, env = "JULIA_KEYS_FOR_READS")]
    pub keys_for_reads: bool,
    /// Submissions and cancels per second per client (API key, else address); 0: no limit.
    #[arg(long, env = "JULIA_RATE_LIMIT", default_value_t = 20)]
    pub rate_limit: u32,
    /// Submissions and cancels a client may make at once above the sustained rate.
    #[arg(long, env = "JULIA_RATE_BURST", default_value_t = 200)]
    pub rate_burst: u32,
    /// Host names (or `host:port`) this server answers for (repeat or comma-separate); others
    /// get `421`. Empty: any (guards against DNS rebinding when set).
    #[arg(long, env = "JULIA_ALLOWED_HOSTS", value_delimiter = ',')]
    pub allowed_hosts: Vec<String>,
    /// Serve `/metrics` on this address instead of the API address.
    #[arg(long, env = "JULIA_METRICS_ADDR")]
    pub metrics_addr: Option<SocketAddr>,
}

impl ServeArgs {
    pub fn into_config(self) -> ServiceConfig {
        let database_url = self
            .database_url
            .unwrap_or_else(|| format!("sqlite://{}", self.data_dir.join("jobs.db").display()));
        ServiceConfig {
            addr: self.addr,
            data_dir: self.data_dir,
            database_url,
            cpu_only: self.cpu_only,
            cpu_threads: self.cpu_threads,
            max_pixels: self.max_pixels,
            queue_capacity: self.queue_capacity,
            result_cache_bytes: self.result_cache_bytes,
            cors_origins: self.cors_origin,
            ui_dir: self.ui_dir,
            no_workers: self.no_workers,
            drain_grace: Duration::from_secs(self.drain_grace_secs),
            lease: Duration::from_secs(self.lease_secs.max(3)),
            max_work: self.max_work,
            job_timeout: crate::config::job_timeout_from_secs(self.job_timeout),
            max_attempts: self.max_attempts,
            retention: self.retention,
            http: HttpLimits {
                header_timeout: Duration::from_secs(self.header_timeout_secs),
                request_timeout: Duration::from_secs(self.request_timeout_secs),
                max_connections: usize::try_from(self.max_connections).unwrap_or(usize::MAX),
                max_requests: usize::try_from(self.max_requests).unwrap_or(usize::MAX),
                max_sse: usize::try_from(self.max_sse).unwrap_or(usize::MAX),
            },
            access: AccessConfig {
                api_keys_file: self.api_keys_file,
                api_keys: self.api_keys,
                keys_for_reads: self.keys_for_reads,
                rate_per_sec: self.rate_limit,
                rate_burst: self.rate_burst,
                allowed_hosts: self.allowed_hosts,
                metrics_addr: self.metrics_addr,
            },
        }
    }
}

/// A retention period in human units (`30d`, `12h`, `90s`); at least one second.
pub fn parse_retention(text: &str) -> Result<Duration, String> {
    let retention = humantime::parse_duration(text)
        .map_err(|err| format!("`{text}` is not a duration like 30d, 12h or 90s: {err}"))?;
    if retention < Duration::from_secs(1) {
        return Err(format!(
            "`{text}` is shorter than the smallest retention, 1s"
        ));
    }
    Ok(retention)
}

pub fn run(args: ServeArgs) -> ExitCode {
    init_logging("info,sqlx=warn,tower_http=info");
    let config = args.into_config();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("julia-server serve: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(crate::service::run(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            let err = anyhow::Error::new(err);
            // Every variant already says its cause; the chain would repeat it.
            eprintln!("julia-server serve: {err}");
            ExitCode::FAILURE
        }
    }
}
