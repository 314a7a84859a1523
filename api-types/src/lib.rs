//! The JSON bodies of the HTTP API (docs/DESIGN.md §4), written once for the server that sends them and the
//! web UI that reads them. Serde only; with the `openapi` feature every type also derives utoipa's
//! `ToSchema`, which the server's OpenAPI document is built from.

mod animation;
mod error;
mod info;
mod job;

pub use animation::{Animation, AnimationStatus, VideoFormat};
pub use error::{ErrorBody, ErrorDetail};
pub use info::{AuthInfo, BackendsInfo, GpuSummary, LimitsInfo, ServerInfo};
pub use job::{Job, JobError, JobStatus};
