//! The HTTP API of docs/DESIGN.md §4: the router, its middleware, and the static web UI.

pub mod animations;
pub mod auth;
pub mod error;
pub mod escapes;
pub mod events;
pub mod health;
pub mod info;
pub mod jobs;
pub mod limits;
pub mod rate_limit;
pub mod result;
pub mod server;
pub mod state;
mod stored;
pub mod thumbnail;
pub mod ui;
pub mod ui_security;

use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{HeaderName, HeaderValue, Method, header};
use axum::middleware::{from_fn, from_fn_with_state};
use axum::routing::{any, get};
use tower_http::cors::{AllowOrigin, Any, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use state::{AppContext, AppState};

use crate::config::BODY_LIMIT_BYTES;

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The documented routes, registered once: the router and the OpenAPI document come from this
/// one list, so they cannot disagree.
fn documented_routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(crate::openapi::base_document())
        .routes(routes!(jobs::create_job, jobs::list_jobs))
        .routes(routes!(jobs::get_job, jobs::delete_job))
        .routes(routes!(jobs::cancel_job))
        .routes(routes!(result::get_result))
        // Keyframes of deep views can outgrow the 64 KiB of a job's body.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(animations::create_animation))
                .layer(DefaultBodyLimit::max(animations::BODY_LIMIT_BYTES)),
        )
        .routes(routes!(animations::get_animation))
        .routes(routes!(animations::cancel_animation))
        .routes(routes!(animations::get_video))
        .routes(routes!(thumbnail::get_thumbnail))
        .routes(routes!(escapes::get_escapes))
        .routes(routes!(events::job_events))
        .routes(routes!(info::server_info))
        .routes(routes!(health::openapi_document))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::prometheus_metrics))
}

/// The OpenAPI document of the routes above.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    documented_routes().into_openapi()
}

/// Builds the whole application: API routes, metrics, limits, request ids, tracing, CORS and the UI.
pub fn router(app: AppState) -> Router {
    let (api, document) = documented_routes().split_for_parts();
    let document = crate::openapi::served_document(&document, &app.limits());
    app.openapi
        .set(document)
        .expect("router built once per app");

    let mut router = api
        // Unknown API routes are JSON 404s even when the UI's fallback would serve index.html.
        .route("/api", any(error::route_not_found))
        .route("/api/{*rest}", any(error::route_not_found))
        .route_layer(from_fn(crate::metrics::track_http))
        .method_not_allowed_fallback(error::method_not_allowed)
        // Inside authentication: the rate limit keys on the caller's identity when it has one.
        .layer(from_fn_with_state(app.clone(), rate_limit::limit_writes))
        .layer(from_fn_with_state(app.clone(), auth::authenticate));
    router = match ui::ui_router(&app.config.ui_dir) {
        Some(ui) => router.fallback_service(ui),
        None => router.fallback(error::route_not_found),
    };
    let router = router
        .with_state(app.clone())
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(from_fn_with_state(app.clone(), limits::limit_requests))
        .layer(from_fn_with_state(app.clone(), limits::check_host))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ));
    let router = match cors_layer(&app.config.cors_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    };
    router
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// The router of the separate metrics listener (`--metrics-addr`): `/metrics` and nothing else.
pub fn metrics_router(app: AppState) -> Router {
    Router::new()
        .route("/metrics", get(health::metrics_text))
        .fallback(error::route_not_found)
        .with_state(app)
}

fn cors_layer(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            header::CONTENT_TYPE,
            header::IF_NONE_MATCH,
            header::AUTHORIZATION,
        ])
        .expose_headers([
            header::LOCATION,
            header::ETAG,
            header::RETRY_AFTER,
            header::WWW_AUTHENTICATE,
        ])
        .max_age(Duration::from_secs(3600));
    Some(if origins.iter().any(|o| o == "*") {
        layer.allow_origin(Any)
    } else {
        let list: Vec<HeaderValue> = origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o).ok())
            .collect();
        layer.allow_origin(AllowOrigin::list(list))
    })
}
