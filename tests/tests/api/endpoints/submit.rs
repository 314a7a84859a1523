//! Submitting jobs: equal params (spelled differently, sent concurrently) share one job, and
//! invalid params, malformed JSON and oversized bodies are refused with JSON errors.

use std::collections::BTreeSet;

use futures::future::join_all;
use julia_tests::{Server, small_params};
use serde_json::{Value, json};

use super::DONE_TIMEOUT;

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
            .header("content-type", "application/json")
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
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "body_too_large");
}
