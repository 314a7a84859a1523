//! The built web UI as static files: `index.html` for client-side routes, gzip for text and wasm,
//! and caching by name: Trunk's hashed assets (`web-ui-<hash>.js`) never change, so browsers
//! keep them for a year; `index.html` names the current hashes, so it is revalidated every time.
//! Every answer carries the security headers of [`super::ui_security`].

use axum::Router;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::http::header::CACHE_CONTROL;
use axum::middleware::{self, Next};
use axum::response::Response;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};

use super::stored::IMMUTABLE;

const REVALIDATE: &str = "no-cache";

/// The UI router, or `None` when `dir` holds no built UI.
pub fn ui_router(dir: &std::path::Path) -> Option<Router> {
    let index = dir.join("index.html");
    index.is_file().then(|| {
        let policy = super::ui_security::ContentPolicy::new(index.clone());
        Router::new()
            .fallback_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
            .layer(middleware::from_fn(cache_by_name))
            .layer(middleware::from_fn_with_state(
                policy,
                super::ui_security::add_headers,
            ))
            .layer(CompressionLayer::new())
    })
}

async fn cache_by_name(request: Request, next: Next) -> Response {
    let hashed = is_hashed_asset(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() {
        let policy = if hashed { IMMUTABLE } else { REVALIDATE };
        response
            .headers_mut()
            .insert(CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// `name-<hex digits>.ext`, the shape of Trunk's content-hashed file names: a 64-bit hash in hex
/// without leading zeros, so up to 16 digits (8 or more but for one name in 4 billion).
fn is_hashed_asset(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let Some((stem, _ext)) = name.split_once('.') else {
        return false;
    };
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (8..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::is_hashed_asset;

    #[test]
    fn trunk_hashed_names_are_recognised_and_index_is_not() {
        assert!(is_hashed_asset("/web-ui-e57e7b50ac27c99e.js"));
        assert!(is_hashed_asset("/web-ui-e57e7b50ac27c99e_bg.wasm"));
        assert!(is_hashed_asset("/style-82f6a6672c3142bc.css"));
        // A hash that begins with a zero loses it.
        assert!(is_hashed_asset("/web-ui-baca555ff5b3518_bg.wasm"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/"));
        assert!(!is_hashed_asset("/some-route"));
    }
}
