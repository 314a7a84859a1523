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
