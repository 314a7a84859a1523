//! What every handler can reach: the store, the results, limits, and the drain switch.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use metrics_exporter_prometheus::PrometheusHandle;
use render_core::Limits;
use tokio_util::sync::CancellationToken;

use tokio::sync::Semaphore;

use super::auth::ApiKeys;
use super::rate_limit::ClientLimiter;
use crate::config::ServiceConfig;
use crate::results::ResultStore;
use crate::store::JobStore;
use julia_api_types::BackendsInfo;

pub type AppState = Arc<AppContext>;

pub struct AppContext {
    pub store: Arc<dyn JobStore>,
    pub results: Arc<dyn ResultStore>,
    pub config: ServiceConfig,
    pub backends: BackendsInfo,
    pub metrics: PrometheusHandle,
    /// Set once the router (and so the document) is built.
    pub openapi: OnceLock<serde_json::Value>,
    draining: AtomicBool,
    /// Fires when the HTTP server shuts down; ends open event streams.
    pub shutdown: CancellationToken,
    /// Empty when the server requires no keys.
    pub api_keys: ApiKeys,
    /// Writes per client; `None` when unlimited.
    pub rate_limiter: Option<ClientLimiter>,
    /// One permit per request being handled (`--max-requests`).
    pub request_permits: Arc<Semaphore>,
    /// One permit per open event stream (`--max-sse`).
    pub sse_permits: Arc<Semaphore>,
}

impl AppContext {
    pub fn new(
        store: Arc<dyn JobStore>,
        results: Arc<dyn ResultStore>,
        config: ServiceConfig,
        backends: BackendsInfo,
        metrics: PrometheusHandle,
    ) -> AppContext {
        let rate_limiter = ClientLimiter::new(config.access.rate_per_sec, config.access.rate_burst);
        let request_permits = Arc::new(Semaphore::new(
            config.http.max_requests.min(Semaphore::MAX_PERMITS),
        ));
        let sse_permits = Arc::new(Semaphore::new(
            config.http.max_sse.min(Semaphore::MAX_PERMITS),
        ));
        AppContext {
            store,
            results,
            config,
            backends,
            metrics,
            openapi: OnceLock::new(),
            draining: AtomicBool::new(false),
            shutdown: CancellationToken::new(),
            api_keys: ApiKeys::default(),
            rate_limiter,
            request_permits,
            sse_permits,
        }
    }

    /// Requires these keys (see [`super::auth`]).
    pub fn with_api_keys(mut self, keys: ApiKeys) -> AppContext {
        self.api_keys = keys;
        self
    }

    pub fn limits(&self) -> Limits {
        Limits {
            max_pixels: self.config.max_pixels,
            max_work: self.config.max_work,
            ..Limits::default()
        }
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }
}
