//! `GET /api/info`: what this server is and can do.

use axum::Json;
use axum::extract::State;
use julia_api_types::{AuthInfo, LimitsInfo, ServerInfo};
use render_core::Palette;
use render_core::validate::{MAX_ESCAPE_RADIUS, MAX_ITER_LIMIT, MAX_SUPERSAMPLE};

use super::state::AppState;
use crate::config::BODY_LIMIT_BYTES;

/// Version, render backends, limits and palettes.
#[utoipa::path(get, path = "/api/info", tag = "service", responses((status = 200, body = ServerInfo)))]
pub async fn server_info(State(app): State<AppState>) -> Json<ServerInfo> {
    Json(ServerInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        backends: app.backends.clone(),
        limits: LimitsInfo {
            max_pixels: app.config.max_pixels,
            max_iter: MAX_ITER_LIMIT,
            max_supersample: MAX_SUPERSAMPLE,
            queue_capacity: app.config.queue_capacity,
            body_limit_bytes: BODY_LIMIT_BYTES,
            max_dimension: app.limits().max_dimension,
            max_work: app.config.max_work,
            max_escape_radius: MAX_ESCAPE_RADIUS,
            job_timeout_secs: app.config.job_timeout.map(|t| t.as_secs()),
        },
        palettes: Palette::ALL.iter().map(|p| p.name().to_string()).collect(),
        auth: AuthInfo {
            keys_required: app.api_keys.is_enabled(),
            keys_for_reads: app.api_keys.is_enabled() && app.config.access.keys_for_reads,
        },
    })
}
