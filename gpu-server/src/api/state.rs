//! What every handler can reach: the store, the results, limits, and the drain switch.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use metrics_exporter_prometheus::PrometheusHandle;
use render_core::Limits;
use tokio_util::sync::CancellationToken;

use crate::config::ServiceConfig;
use crate::jobs::renderer::BackendsInfo;
use crate::results::ResultStore;
use crate::store::JobStore;

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
}

impl AppContext {
    pub fn new(
        store: Arc<dyn JobStore>,
        results: Arc<dyn ResultStore>,
        config: ServiceConfig,
        backends: BackendsInfo,
        metrics: PrometheusHandle,
    ) -> AppContext {
        AppContext {
            store,
            results,
            config,
            backends,
            metrics,
            openapi: OnceLock::new(),
            draining: AtomicBool::new(false),
            shutdown: CancellationToken::new(),
        }
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
