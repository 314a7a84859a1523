//! Liveness, readiness, Prometheus metrics and the OpenAPI document.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use julia_api_types::ErrorBody;

use super::error::ApiError;
use super::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    pub ready: bool,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "service", responses((status = 200, body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok".to_string(),
    })
}

/// Readiness: false (503) while draining, so load balancers stop sending work.
#[utoipa::path(get, path = "/readyz", tag = "service",
    responses((status = 200, body = Readiness), (status = 503, description = "draining", body = Readiness)))]
pub async fn readyz(State(app): State<AppState>) -> Response {
    if app.is_draining() {
        let mut response = (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Readiness { ready: false }),
        )
            .into_response();
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(5u32));
        response
    } else {
        Json(Readiness { ready: true }).into_response()
    }
}

/// Prometheus text exposition; queue gauges are refreshed from the store on every scrape. With
/// `--metrics-addr` it is served on that address only (`404` here).
#[utoipa::path(get, path = "/metrics", tag = "service",
    responses((status = 200, content_type = "text/plain", body = String),
        (status = 404, description = "metrics are served on the separate metrics address", body = ErrorBody),
        (status = 503, body = ErrorBody)))]
pub async fn prometheus_metrics(State(app): State<AppState>) -> Response {
    if app.config.access.metrics_addr.is_some() {
        return ApiError::not_found("route here: metrics are on the metrics address")
            .into_response();
    }
    metrics_text(State(app)).await
}

/// The metrics text, for either listener.
pub async fn metrics_text(State(app): State<AppState>) -> Response {
    match app.store.stats().await {
        Ok(stats) => crate::metrics::record_queue(&stats),
        Err(err) => tracing::warn!(%err, "queue statistics unavailable for this scrape"),
    }
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4"),
        )],
        app.metrics.render(),
    )
        .into_response()
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "service",
    responses((status = 200, description = "the OpenAPI 3.1 document", body = Object)))]
pub async fn openapi_document(State(app): State<AppState>) -> Json<serde_json::Value> {
    Json(
        app.openapi
            .get()
            .cloned()
            .unwrap_or(serde_json::Value::Null),
    )
}
