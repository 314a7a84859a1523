//! The service around the job API: unknown routes and wrong methods, health, readiness, info and
//! metrics, the OpenAPI document against the routes docs/DESIGN.md §4 promises, and CORS.

use std::collections::BTreeSet;

use julia_tests::{Server, small_params};
use serde_json::Value;

use super::DONE_TIMEOUT;

#[tokio::test]
async fn unknown_routes_are_json_404_and_wrong_methods_json_405() {
    let server = Server::start(&["--no-workers"]);
    for path in ["/api/nope", "/api", "/api/jobs/x/y/z", "/nothing-here"] {
        let (status, body) = server.get_json(path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["error"]["code"], "not_found");
    }
    let resp = server
        .client
        .put(server.url("/api/jobs"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 405);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

#[tokio::test]
async fn health_readiness_info_and_metrics_answer() {
    let server = Server::start(&["--cpu-only", "--queue-capacity", "77"]);
    let (status, health) = server.get_json("/healthz").await;
    assert_eq!((status, health["status"].as_str()), (200, Some("ok")));
    let (status, ready) = server.get_json("/readyz").await;
    assert_eq!((status, ready["ready"].as_bool()), (200, Some(true)));

    // Every answer carries a request id (generated, or the caller's own) that the logs also show.
    let resp = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"].to_str().unwrap().len(), 36);
    let resp = server
        .client
        .get(server.url("/healthz"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "trace-me-42");

    let (status, info) = server.get_json("/api/info").await;
    assert_eq!(status, 200);
    assert!(info["version"].is_string());
    assert_eq!(info["limits"]["queue_capacity"], 77);
    assert_eq!(info["limits"]["max_iter"], 1_000_000);
    assert!(info["backends"]["cpu_threads"].as_u64().unwrap() >= 1);
    let palettes: Vec<_> = info["palettes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    let expected: Vec<_> = render_core::Palette::ALL.iter().map(|p| p.name()).collect();
    assert_eq!(palettes, expected);

    let (_, job) = server.submit(&small_params(11)).await;
    server
        .wait_finished(job["id"].as_str().unwrap(), DONE_TIMEOUT)
        .await;
    server.submit(&small_params(11)).await;
    let text = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "julia_queue_depth 0",
        "julia_queue_oldest_age_seconds",
        "julia_jobs{status=\"done\"} 1",
        "julia_render_duration_seconds_bucket{backend=\"cpu\"",
        "julia_gpu_fallbacks_total",
        "julia_dedup_hits_total 1",
        "route=\"/api/jobs/{id}\"",
    ] {
        assert!(text.contains(needle), "metrics lack `{needle}`:\n{text}");
    }
}

/// The routes docs/DESIGN.md §4 and §8.5 promise, as (method, OpenAPI path).
const DESIGN_ROUTES: &[(&str, &str)] = &[
    ("post", "/api/jobs"),
    ("get", "/api/jobs"),
    ("get", "/api/jobs/{id}"),
    ("delete", "/api/jobs/{id}"),
    ("post", "/api/jobs/{id}/cancel"),
    ("get", "/api/jobs/{id}/result"),
    ("get", "/api/jobs/{id}/thumbnail"),
    ("get", "/api/jobs/{id}/escapes"),
    ("post", "/api/animations"),
    ("get", "/api/animations/{id}"),
    ("post", "/api/animations/{id}/cancel"),
    ("get", "/api/animations/{id}/video"),
    ("get", "/api/events"),
    ("get", "/api/info"),
    ("get", "/api/openapi.json"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
];

#[tokio::test]
async fn the_openapi_document_describes_every_route_the_server_has() {
    let server = Server::start(&["--no-workers"]);
    let (status, doc) = server.get_json("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| k.as_str() != "parameters")
        {
            documented.insert((method.clone(), path.clone()));
        }
    }
    let promised: BTreeSet<_> = DESIGN_ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, promised);
    assert!(doc["components"]["schemas"]["RenderParams"]["properties"]["max_iter"].is_object());
    assert!(doc["components"]["schemas"]["Job"]["properties"]["result_url"].is_object());

    // Every documented route is really served: no "no such route" answer for any of them.
    let (_, job) = server.submit(&small_params(12)).await;
    let id = job["id"].as_str().unwrap();
    for (method, path) in DESIGN_ROUTES.iter().filter(|(_, p)| *p != "/api/events") {
        let url = server.url(&path.replace("{id}", id));
        let request = match *method {
            "get" => server.client.get(url),
            "post" => server.client.post(url).json(&small_params(13)),
            "delete" => server.client.delete(url),
            other => panic!("unexpected method {other}"),
        };
        let resp = request.send().await.unwrap();
        let status = resp.status().as_u16();
        let body = resp.text().await.unwrap();
        assert!(
            !body.contains("no such route") && status != 405,
            "{method} {path}: {status} {body}"
        );
    }
}

#[tokio::test]
async fn cors_allows_the_configured_origin_only() {
    let server = Server::start(&["--no-workers", "--cors-origin", "http://ui.example"]);
    let preflight = |origin: &'static str| {
        server
            .client
            .request(reqwest::Method::OPTIONS, server.url("/api/jobs"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .send()
    };
    let allowed = preflight("http://ui.example").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "http://ui.example"
    );
    let other = preflight("http://evil.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}
