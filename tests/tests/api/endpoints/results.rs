//! Reading jobs back: a job's lifecycle up to its cacheable PNG download, npy results, the
//! 409/404 answers before a result exists, re-rendering an evicted result, and the job list.

use julia_tests::{Server, small_params};
use serde_json::{Value, json};

use super::DONE_TIMEOUT;

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
    let (_, most) = server.get_json("/api/jobs?limit=100").await;
    assert_eq!(listed(&most).len(), 12);
    for bad in ["ten", "0", "101", "-1"] {
        let (status, body) = server.get_json(&format!("/api/jobs?limit={bad}")).await;
        assert_eq!(status, 400, "limit={bad}");
        assert_eq!(body["error"]["field"], "limit");
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
