//! The answer of `GET /api/info`: what a server is and can do.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServerInfo {
    pub version: String,
    pub backends: BackendsInfo,
    pub limits: LimitsInfo,
    /// Palette names accepted in `palette`.
    pub palettes: Vec<String>,
    pub auth: AuthInfo,
}

/// What needs an API key (`Authorization: Bearer <key>`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthInfo {
    /// Submitting, canceling and `replaces=` need a key.
    pub keys_required: bool,
    /// Reading jobs, results and events needs a key too.
    pub keys_for_reads: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LimitsInfo {
    pub max_pixels: u64,
    pub max_iter: u32,
    pub max_supersample: u32,
    pub queue_capacity: u64,
    pub body_limit_bytes: usize,
    /// Largest `width` and largest `height`.
    pub max_dimension: u32,
    /// Largest `width * height * supersample² * max_iter`.
    pub max_work: u64,
    pub max_escape_radius: f64,
    /// Seconds a render may run before its job fails with code `timeout`; absent: no limit.
    pub job_timeout_secs: Option<u64>,
}

/// The render backends as `GET /api/info` reports them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BackendsInfo {
    /// GPU adapters the server renders on (empty: CPU only).
    pub gpus: Vec<GpuSummary>,
    pub cpu_threads: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GpuSummary {
    pub name: String,
    /// The graphics API (`vulkan`, `metal`, `dx12`, `gl`).
    pub api: String,
    /// `discrete`, `integrated`, `virtual`, `cpu` (software) or `other`.
    pub device_type: String,
    /// Whether f64 renders run on the GPU.
    pub f64: bool,
}
