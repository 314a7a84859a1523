//! Every endpoint of DESIGN §4 and its status codes, against the real binary over HTTP.

use std::collections::BTreeSet;
use std::time::Duration;

use futures::future::join_all;
use julia_tests::{Server, deep_params, small_params};
use serde_json::{Value, json};

const DONE_TIMEOUT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn a_new_job_is_accepted_then_done_and_its_result_is_a_cacheable_download() {
    let server = Server::start(&["--cpu-only"]);
    let resp = server
        .client
        .post(server.url("/api/jobs"))
        .json(&small_params(1))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    let job: Value = resp.json().await.unwrap();
    let id = job["id"].as_str().unwrap();
    assert_eq!(location, format!("/api/jobs/{id}"));
    assert_eq!(job["status"], "queued");
    assert_eq!(job["deduplicated"], false);
    assert_eq!(job["hash"].as_str().unwrap().len(), 32);
    assert_eq!(job["params"]["width"], 64);
    assert!(job["result_url"].is_null());

    let done = server.wait_finished(id, DONE_TIMEOUT).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["progress"], 1.0);
    assert_eq!(done["backend"], "cpu");
    assert!(done["device"].is_string() && done["duration_ms"].is_u64());
    for field in ["created_at", "started_at", "finished_at"] {
        assert!(
            done[field].as_str().unwrap().contains('T'),
            "{field} is RFC 3339: {done}"
        );
    }
    let result_url = done["result_url"].as_str().unwrap();
    assert_eq!(result_url, format!("/api/jobs/{id}/result"));

    let resp = server
        .client
        .get(server.url(result_url))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let headers = resp.headers().clone();
    assert_eq!(headers["content-type"], "image/png");
    assert_eq!(
        headers["etag"].to_str().unwrap(),
        format!("\"{}\"", done["hash"].as_str().unwrap())
    );
    assert!(
        headers["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable")
    );
    let length: usize = headers["content-length"].to_str().unwrap().parse().unwrap();
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(bytes.len(), length);
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");

    let resp = server
        .client
        .get(server.url(result_url))
        .header("if-none-match", headers["etag"].clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 304);
}

#[tokio::test]
async fn npy_results_are_served_as_octet_stream() {
    let server = Server::start(&["--cpu-only"]);
    let (status, job) = server
        .submit(&json!({"width": 16, "height": 8, "format": "npy"}))
        .await;
    assert_eq!(status, 202);
    let id = job["id"].as_str().unwrap();
    server.wait_finished(id, DONE_TIMEOUT).await;
    let resp = server
        .client
        .get(server.url(&format!("/api/jobs/{id}/result")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "application/octet-stream");
    let bytes = resp.bytes().await.unwrap();
    assert_eq!(&bytes[..6], b"\x93NUMPY");
}

#[tokio::test]
async fn equal_params_while_queued_or_done_return_the_existing_job() {
    let server = Server::start(&["--cpu-only"]);
    let (status, first) = server.submit(&small_params(2)).await;
    assert_eq!(status, 202);
    // Spelled differently but equal once normalised: same job.
    let mut same = small_params(2);
    same["precision"] = json!("auto");
    same["center"] = json!({"re": -0.0, "im": 0.0});
    let (status, again) = server.submit(&same).await;
    assert_eq!(status, 200);
    assert_eq!(again["id"], first["id"]);
    assert_eq!(again["deduplicated"], true);

    server
        .wait_finished(first["id"].as_str().unwrap(), DONE_TIMEOUT)
        .await;
    let (status, after_done) = server.submit(&small_params(2)).await;
    assert_eq!(status, 200);
    assert_eq!(after_done["id"], first["id"]);
    assert_eq!(after_done["status"], "done");
    assert_eq!(after_done["deduplicated"], true);
}

#[tokio::test]
async fn thirty_two_concurrent_equal_submissions_make_exactly_one_job() {
    let server = Server::start(&["--no-workers"]);
    let params = small_params(3);
    let answers = join_all((0..32).map(|_| server.submit(&params))).await;
    let created = answers.iter().filter(|(status, _)| *status == 202).count();
    let deduplicated = answers
        .iter()
        .filter(|(status, job)| *status == 200 && job["deduplicated"] == true)
        .count();
    assert_eq!((created, deduplicated), (1, 31), "{answers:?}");
    let ids: BTreeSet<_> = answers
        .iter()
        .map(|(_, job)| job["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 1);
    let (_, list) = server.get_json("/api/jobs?limit=100").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_canceled_job_frees_its_params_for_a_new_job() {
    let server = Server::start(&["--no-workers"]);
    let (_, first) = server.submit(&small_params(4)).await;
    let id = first["id"].as_str().unwrap();
    let resp = server
        .client
        .delete(server.url(&format!("/api/jobs/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let canceled: Value = resp.json().await.unwrap();
    assert_eq!(canceled["status"], "canceled");
    assert_eq!(canceled["error"]["code"], "canceled");
    let (status, second) = server.submit(&small_params(4)).await;
    assert_eq!(status, 202);
    assert_ne!(second["id"], first["id"]);
}

#[tokio::test]
async fn cancel_answers_200_then_409_and_404_for_unknown_or_malformed_ids() {
    let server = Server::start(&["--no-workers"]);
    let (_, job) = server.submit(&small_params(5)).await;
    let url = server.url(&format!("/api/jobs/{}", job["id"].as_str().unwrap()));
    assert_eq!(
        server.client.delete(&url).send().await.unwrap().status(),
        200
    );
    let resp = server.client.delete(&url).send().await.unwrap();
    assert_eq!(resp.status(), 409);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "wrong_state");
    for id in [
        "6f1c7b4e-0000-4000-8000-000000000000",
        "not-a-uuid",
        "%2e%2e",
    ] {
        let resp = server
            .client
            .delete(server.url(&format!("/api/jobs/{id}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "{id}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["error"]["code"], "not_found");
    }
}

#[tokio::test]
async fn canceling_a_running_job_stops_it_and_removes_its_partial_output() {
    let server = Server::start(&["--cpu-only"]);
    // Tens of seconds of work if it were not stopped; one band is a fraction of a second.
    let (_, job) = server.submit(&deep_params(6, 100_000)).await;
    let id = job["id"].as_str().unwrap().to_string();
    server.wait_status(&id, "running", DONE_TIMEOUT).await;
    let results = server.data_dir.join("results");
    let partial_exists = || std::fs::read_dir(&results).unwrap().count() > 0;
    assert!(partial_exists(), "a running render writes its partial file");

    let resp = server
        .client
        .delete(server.url(&format!("/api/jobs/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let canceled: Value = resp.json().await.unwrap();
    assert_eq!(canceled["status"], "canceled");

    // The worker is free again only once the canceled render has stopped.
    let (_, next) = server.submit(&small_params(6)).await;
    let next = server
        .wait_finished(next["id"].as_str().unwrap(), DONE_TIMEOUT)
        .await;
    assert_eq!(next["status"], "done");
    let names: Vec<_> = std::fs::read_dir(&results)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![format!("{}.png", next["hash"].as_str().unwrap())],
        "only the finished result remains"
    );
    let (_, job) = server.get_json(&format!("/api/jobs/{id}")).await;
    assert_eq!(job["status"], "canceled");
}

#[tokio::test]
async fn replaces_cancels_the_superseded_job_and_rejects_a_malformed_id() {
    let server = Server::start(&["--no-workers"]);
    let (_, old) = server.submit(&small_params(7)).await;
    let old_id = old["id"].as_str().unwrap();
    let resp = server
        .client
        .post(server.url(&format!("/api/jobs?replaces={old_id}")))
        .json(&small_params(8))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
    let (_, old) = server.get_json(&format!("/api/jobs/{old_id}")).await;
    assert_eq!(old["status"], "canceled");

    let resp = server
        .client
        .post(server.url("/api/jobs?replaces=nonsense"))
        .json(&small_params(9))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["field"], "replaces");
}

#[tokio::test]
async fn result_is_409_until_done_and_404_for_an_unknown_job() {
    let server = Server::start(&["--no-workers"]);
    let (_, job) = server.submit(&small_params(10)).await;
    let (status, body) = server
        .get_json(&format!("/api/jobs/{}/result", job["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 409);
    assert_eq!(body["error"]["code"], "not_done");
    let (status, _) = server
        .get_json("/api/jobs/6f1c7b4e-0000-4000-8000-000000000000/result")
        .await;
    assert_eq!(status, 404);
    let (status, _) = server
        .get_json("/api/jobs/6f1c7b4e-0000-4000-8000-000000000000")
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn the_list_is_newest_first_limited_and_validated() {
    let server = Server::start(&["--no-workers"]);
    let mut ids = Vec::new();
    for seed in 0..12 {
        let (_, job) = server.submit(&small_params(100 + seed)).await;
        ids.push(job["id"].as_str().unwrap().to_string());
    }
    let listed = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|j| j["id"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, latest) = server.get_json("/api/jobs?limit=3").await;
    assert_eq!(
        listed(&latest),
        vec![ids[11].clone(), ids[10].clone(), ids[9].clone()]
    );
    let (_, default) = server.get_json("/api/jobs").await;
    assert_eq!(listed(&default).len(), 10);
    let (_, capped) = server.get_json("/api/jobs?limit=100000").await;
    assert_eq!(listed(&capped).len(), 12);
    let (status, body) = server.get_json("/api/jobs?limit=ten").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["field"], "limit");
}

#[tokio::test]
async fn invalid_params_are_422_naming_the_field_and_malformed_json_is_400() {
    let server = Server::start(&["--no-workers", "--max-pixels", "1000000"]);
    let cases = [
        (json!({"width": 0}), "width"),
        (json!({"width": 2000, "height": 2000}), "width"),
        (json!({"c": {"re": "x", "im": 0}}), "c.re"),
        (json!({"max_iter": 0}), "max_iter"),
        (json!({"escape_radius": 1.5}), "escape_radius"),
        (json!({"palette": "rainbow"}), "palette"),
        (json!({"supersample": 5}), "supersample"),
        (json!({"view_width": -1}), "view_width"),
        (json!({"max_iters": 5}), "max_iters"),
    ];
    for (params, field) in cases {
        let (status, body) = server.submit(&params).await;
        assert_eq!(status, 422, "{params}");
        assert_eq!(body["error"]["code"], "invalid_params");
        assert_eq!(body["error"]["field"], field, "{params}: {body}");
    }
    for raw in ["{", "not json", "{\"width\": 64,}", ""] {
        let resp = server
            .client
            .post(server.url("/api/jobs"))
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "{raw:?}");
        let body: Value = resp.json().await.unwrap();
        assert!(body["error"]["message"].is_string());
    }
}

#[tokio::test]
async fn an_oversized_body_is_413_with_a_json_error() {
    let server = Server::start(&["--no-workers"]);
    let huge = format!("{{\"palette\": \"{}\"}}", "a".repeat(1 << 20));
    let resp = server
        .client
        .post(server.url("/api/jobs"))
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "body_too_large");
}

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

/// The routes DESIGN §4 promises, as (method, OpenAPI path).
const DESIGN_ROUTES: &[(&str, &str)] = &[
    ("post", "/api/jobs"),
    ("get", "/api/jobs"),
    ("get", "/api/jobs/{id}"),
    ("delete", "/api/jobs/{id}"),
    ("get", "/api/jobs/{id}/result"),
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
async fn an_evicted_result_is_rendered_again_when_its_params_come_back() {
    // A budget of one byte keeps only the newest result.
    let server = Server::start(&["--cpu-only", "--result-cache-bytes", "1"]);
    let (_, first) = server.submit(&small_params(14)).await;
    let first_id = first["id"].as_str().unwrap();
    server.wait_finished(first_id, DONE_TIMEOUT).await;
    let original = server.result_bytes(first_id).await;
    let (_, second) = server.submit(&small_params(15)).await;
    server
        .wait_finished(second["id"].as_str().unwrap(), DONE_TIMEOUT)
        .await;

    let (status, again) = server.submit(&small_params(14)).await;
    assert_eq!(status, 202, "evicted params render again: {again}");
    assert_eq!(again["id"], first["id"], "the job keeps its id");
    let done = server.wait_finished(first_id, DONE_TIMEOUT).await;
    assert_eq!(done["status"], "done");
    assert_eq!(server.result_bytes(first_id).await, original);
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
