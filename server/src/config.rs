//! The service's resolved settings, built from `serve`'s command line and environment.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The largest request body accepted (a RenderParams document is a few hundred bytes).
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;

#[derive(Clone, Debug)]
pub struct ServiceConfig {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub cpu_only: bool,
    pub cpu_threads: Option<usize>,
    pub max_pixels: u64,
    pub queue_capacity: u64,
    pub result_cache_bytes: u64,
    /// Allowed browser origins; `*` allows any.
    pub cors_origins: Vec<String>,
    pub ui_dir: PathBuf,
    /// API only: no in-process render workers.
    pub no_workers: bool,
    pub drain_grace: Duration,
    /// How long a worker's claim lasts without a heartbeat.
    pub lease: Duration,
    /// Largest `width * height * supersample² * max_iter` accepted.
    pub max_work: u64,
    /// Wall-clock limit of one render; `None`: none.
    pub job_timeout: Option<Duration>,
    /// Claims of one job that may end without finishing before it fails (`too_many_attempts`).
    pub max_attempts: u32,
    /// Finished, failed and canceled jobs are deleted this long after they finished.
    pub retention: Duration,
    /// Connection and request limits of the HTTP server.
    pub http: HttpLimits,
    /// Who may do what, and how often.
    pub access: AccessConfig,
}

/// Connection and request limits (nginx's `client_header_timeout`, `limit_conn`, ...).
#[derive(Clone, Debug)]
pub struct HttpLimits {
    /// A client must send a request's headers within this long (also the idle keep-alive
    /// timeout: waiting for the next request is waiting for its headers).
    pub header_timeout: Duration,
    /// A handler (body included) must answer within this long; streamed bodies (events, result
    /// downloads) are not cut by it.
    pub request_timeout: Duration,
    /// Open connections; beyond it the server stops accepting until one closes.
    pub max_connections: usize,
    /// Requests being handled at once; beyond it `503` + `Retry-After`.
    pub max_requests: usize,
    /// Open event streams; beyond it `503` + `Retry-After`.
    pub max_sse: usize,
}

/// API keys, rate limits, Host check and the metrics listener.
#[derive(Clone, Debug, Default)]
pub struct AccessConfig {
    /// A file of API keys (`name:key` or a bare key per line).
    pub api_keys_file: Option<PathBuf>,
    /// API keys from the environment (comma-separated, same entries as the file).
    pub api_keys: Option<String>,
    /// Reads (list, get, result, events) need a key too.
    pub keys_for_reads: bool,
    /// Writes (submit, cancel) per second per client, sustained; 0 turns the limit off.
    pub rate_per_sec: u32,
    /// Writes a client may make in a burst above the sustained rate.
    pub rate_burst: u32,
    /// Host names (optionally `host:port`) this server answers for; empty: any.
    pub allowed_hosts: Vec<String>,
    /// Serve `/metrics` on this address only (not on the API address).
    pub metrics_addr: Option<SocketAddr>,
}

/// `--job-timeout` seconds as a limit: 0 means none.
pub fn job_timeout_from_secs(secs: u64) -> Option<Duration> {
    (secs > 0).then(|| Duration::from_secs(secs))
}

impl ServiceConfig {
    pub fn results_dir(&self) -> PathBuf {
        self.data_dir.join("results")
    }
}
