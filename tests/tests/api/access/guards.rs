//! Abuse guards: the per-client rate limit (`429` + `Retry-After`), JSON-only submissions
//! (`415`: a cross-site form cannot queue jobs), and the allowed-hosts check (`421`).

use julia_tests::{Server, small_params};
use serde_json::Value;

use super::raw::{authority, exchange};

#[tokio::test]
async fn writes_beyond_the_burst_get_429_with_retry_after_and_reads_still_pass() {
    let server = Server::start(&["--no-workers", "--rate-limit", "1", "--rate-burst", "3"]);
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for seed in 0..4 {
        let resp = server
            .client
            .post(server.url("/api/jobs"))
            .json(&small_params(seed))
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
        if resp.status() == 429 {
            retry_after = resp
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let body: Value = resp.json().await.unwrap();
            assert_eq!(body["error"]["code"], "rate_limited", "{body}");
        }
    }
    assert_eq!(statuses, [202, 202, 202, 429]);
    let secs: u32 = retry_after.expect("Retry-After").parse().unwrap();
    assert!(secs >= 1);
    let (status, list) = server.get_json("/api/jobs").await;
    assert_eq!(status, 200);
    assert_eq!(
        list.as_array().unwrap().len(),
        3,
        "the refused write queued nothing"
    );
}

#[tokio::test]
async fn a_submission_that_is_not_declared_json_is_415_and_queues_nothing() {
    let server = Server::start(&["--no-workers"]);
    let body = small_params(1).to_string();
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut request = server
            .client
            .post(server.url("/api/jobs"))
            .body(body.clone());
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let resp = request.send().await.unwrap();
        assert_eq!(resp.status(), 415, "{content_type:?}");
        let answer: Value = resp.json().await.unwrap();
        assert_eq!(answer["error"]["code"], "unsupported_media_type");
    }
    let (_, list) = server.get_json("/api/jobs").await;
    assert_eq!(list.as_array().unwrap().len(), 0);
    let resp = server
        .client
        .post(server.url("/api/jobs"))
        .header("content-type", "application/json; charset=utf-8")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 202);
}

#[tokio::test]
async fn a_foreign_host_is_421_and_a_listed_one_is_served() {
    let server = Server::start(&["--no-workers", "--allowed-hosts", "localhost,julia.test"]);
    let get = |host: &str, path: &str| {
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n")
    };
    let (status, answer) = exchange(&server.base, &get("rebound.example", "/api/jobs")).await;
    assert_eq!(status, 421, "{answer}");
    assert!(answer.contains("unknown_host"), "{answer}");
    let port = authority(&server.base)
        .rsplit(':')
        .next()
        .unwrap()
        .to_string();
    for host in [format!("localhost:{port}"), "julia.test".to_string()] {
        let (status, answer) = exchange(&server.base, &get(&host, "/api/jobs")).await;
        assert_eq!(status, 200, "{host}: {answer}");
    }
    // Load balancers probe by address.
    let (status, _) = exchange(&server.base, &get("10.0.0.7", "/healthz")).await;
    assert_eq!(status, 200);
}
