//! Request-level guards: at most `--max-requests` handled at once (`503` + `Retry-After`
//! beyond), each answered within `--request-timeout-secs` (`408`), and, when `--allowed-hosts`
//! is set, only requests naming one of those hosts (`421`; a page on another name that resolves
//! to this server, as in DNS rebinding, gets nothing).
//!
//! The probes (`/healthz`, `/readyz`, `/metrics`) skip the request limit and the Host check:
//! they must answer while the server is saturated, and load balancers probe by address.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::state::AppState;

fn is_probe(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

/// Sheds requests beyond the concurrency limit and times out slow ones. The timeout ends when the
/// answer's headers are ready: an event stream or a result download then streams on, bounded by
/// the connection's write-stall timeout instead.
pub async fn limit_requests(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if is_probe(req.uri().path()) {
        return next.run(req).await;
    }
    let Ok(_permit) = app.request_permits.clone().try_acquire_owned() else {
        return ApiError::unavailable(
            "overloaded",
            "the server is handling as many requests as it may; try again",
            1,
        )
        .into_response();
    };
    let limit = app.config.http.request_timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!("the request was not complete within {} s", limit.as_secs()),
        )
        .into_response(),
    }
}

/// Answers `421` to a Host this server was not told to answer for.
pub async fn check_host(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let allowed = &app.config.access.allowed_hosts;
    if allowed.is_empty() || is_probe(req.uri().path()) {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    if host.is_some_and(|host| host_allowed(allowed, host)) {
        return next.run(req).await;
    }
    ApiError::new(
        StatusCode::MISDIRECTED_REQUEST,
        "unknown_host",
        "this server does not answer for that Host",
    )
    .with_field("Host")
    .into_response()
}

/// Whether `host` (`name`, `name:port`, `[v6]:port`) matches an entry; an entry without a port
/// allows any port.
fn host_allowed(allowed: &[String], host: &str) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or(v6, |(addr, _)| addr).to_string(),
        None => host
            .rsplit_once(':')
            .map_or(host.as_str(), |(n, _)| n)
            .to_string(),
    };
    allowed.iter().any(|entry| {
        let entry = entry.trim().to_ascii_lowercase();
        let entry = entry.trim_start_matches('[').replace(']', "");
        entry == host.replace(['[', ']'], "") || entry == name
    })
}

#[cfg(test)]
mod tests {
    use super::host_allowed;

    #[test]
    fn hosts_match_with_or_without_port() {
        let allowed = ["localhost".to_string(), "example.org:8443".to_string()];
        assert!(host_allowed(&allowed, "localhost"));
        assert!(host_allowed(&allowed, "LOCALHOST:8080"));
        assert!(host_allowed(&allowed, "example.org:8443"));
        assert!(!host_allowed(&allowed, "example.org:80"));
        assert!(!host_allowed(&allowed, "evil.example"));
        assert!(!host_allowed(&allowed, "localhost.evil.example"));
        let v6 = ["::1".to_string()];
        assert!(host_allowed(&v6, "[::1]:8080"));
        assert!(!host_allowed(&v6, "[::2]:8080"));
    }
}
