//! API keys: writes need a key, only the submitting key may cancel or replace a job, an equal
//! job submitted by another key is shared, and reads are public unless `--keys-for-reads`.

use julia_tests::{Server, small_params};
use reqwest::StatusCode;
use serde_json::Value;

const ALICE: &str = "alice-key-0123456789";
const BOB: &str = "bob-key-0123456789abcdef";

async fn post(
    server: &Server,
    path: &str,
    key: Option<&str>,
    params: &Value,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let mut request = server.client.post(server.url(path)).json(params);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let resp = request.send().await.expect("POST");
    let status = resp.status();
    let headers = resp.headers().clone();
    (status, resp.json().await.unwrap_or(Value::Null), headers)
}

/// `POST /api/jobs/{id}/cancel`, or `DELETE /api/jobs/{id}` with `remove`.
async fn cancel_or_delete(
    server: &Server,
    id: &str,
    key: Option<&str>,
    remove: bool,
) -> (StatusCode, Value) {
    let mut request = if remove {
        server.client.delete(server.url(&format!("/api/jobs/{id}")))
    } else {
        server
            .client
            .post(server.url(&format!("/api/jobs/{id}/cancel")))
    };
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let resp = request.send().await.expect("cancel or delete");
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn writes_need_a_key_and_only_the_submitting_key_may_cancel_or_replace() {
    let keys = format!("alice:{ALICE},bob:{BOB}");
    let server = Server::start(&["--no-workers", "--api-keys", &keys]);

    let (status, body, headers) = post(&server, "/api/jobs", None, &small_params(1)).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "missing_key");
    assert!(
        headers["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    let (status, body, _) = post(
        &server,
        "/api/jobs",
        Some("not-a-key-of-this-server"),
        &small_params(1),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "invalid_key");

    let (status, alices, _) = post(&server, "/api/jobs", Some(ALICE), &small_params(1)).await;
    assert_eq!(status, 202, "{alices}");
    let alices = alices["id"].as_str().unwrap().to_string();
    assert!(alices.len() == 36);

    // Bob asks for the same picture: he gets Alice's job to watch, not to cancel.
    let (status, shared, _) = post(&server, "/api/jobs", Some(BOB), &small_params(1)).await;
    assert_eq!(status, 200, "{shared}");
    assert_eq!(shared["id"], alices.as_str());
    assert_eq!(shared["deduplicated"], true);
    assert!(
        shared.get("owner").is_none(),
        "the owner is not published: {shared}"
    );

    for remove in [false, true] {
        let (status, body) = cancel_or_delete(&server, &alices, None, remove).await;
        assert_eq!(status, 401, "{body}");
        let (status, body) = cancel_or_delete(&server, &alices, Some(BOB), remove).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "not_owner");
    }
    let path = format!("/api/jobs?replaces={alices}");
    let (status, body, _) = post(&server, &path, Some(BOB), &small_params(2)).await;
    assert_eq!(status, 403, "{body}");
    let (_, job) = server.get_json(&format!("/api/jobs/{alices}")).await;
    assert_eq!(job["status"], "queued", "Bob could not touch it: {job}");
    let (_, list) = server.get_json("/api/jobs").await;
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "the refused replacement queued nothing"
    );

    // Alice replaces her own job, then cancels the replacement.
    let (status, newer, _) = post(&server, &path, Some(ALICE), &small_params(3)).await;
    assert_eq!(status, 202, "{newer}");
    let (_, job) = server.get_json(&format!("/api/jobs/{alices}")).await;
    assert_eq!(job["status"], "canceled", "{job}");
    let newer = newer["id"].as_str().unwrap();
    let (status, body) = cancel_or_delete(&server, newer, Some(ALICE), false).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "canceled");
    let (status, body) = cancel_or_delete(&server, newer, Some(ALICE), true).await;
    assert_eq!(status, 204, "{body}");
    let (status, _) = server.get_json(&format!("/api/jobs/{newer}")).await;
    assert_eq!(status, 404, "deleted by its owner");

    // Reads stay public by default.
    let (status, _) = server.get_json("/api/jobs").await;
    assert_eq!(status, 200);
    let (status, info) = server.get_json("/api/info").await;
    assert_eq!(status, 200);
    assert_eq!(info["auth"]["keys_required"], true, "{info}");
    assert_eq!(info["auth"]["keys_for_reads"], false, "{info}");
}

#[tokio::test]
async fn keys_from_a_file_and_keyed_reads() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys");
    std::fs::write(&file, format!("# operators\n\n{ALICE}\n")).unwrap();
    let server = Server::start(&[
        "--no-workers",
        "--keys-for-reads",
        "--api-keys-file",
        file.to_str().unwrap(),
    ]);
    for path in ["/api/jobs", "/api/events"] {
        let resp = server.client.get(server.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 401, "{path}");
    }
    let (status, job, _) = post(&server, "/api/jobs", Some(ALICE), &small_params(4)).await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().unwrap();
    for path in [format!("/api/jobs/{id}"), "/api/jobs".to_string()] {
        let resp = server.client.get(server.url(&path)).send().await.unwrap();
        assert_eq!(resp.status(), 401, "{path}");
        let resp = server
            .client
            .get(server.url(&path))
            .bearer_auth(ALICE)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{path}");
    }
    // What a client needs before it has a key stays public.
    let (status, info) = server.get_json("/api/info").await;
    assert_eq!(status, 200);
    assert_eq!(info["auth"]["keys_for_reads"], true, "{info}");
    let (status, _) = server.get_json("/healthz").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_bad_keys_file_stops_the_start_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("keys");
    std::fs::write(&file, format!("alice:{ALICE}\nbob:short\n")).unwrap();
    let output = std::process::Command::new(julia_tests::server_binary())
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--no-workers",
            "--data-dir",
        ])
        .arg(dir.path().join("data"))
        .arg("--api-keys-file")
        .arg(&file)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("entry 2"), "{stderr}");
    assert!(!stderr.contains(ALICE), "keys are never printed: {stderr}");
}

#[test]
fn help_does_not_show_the_keys_of_the_environment() {
    let output = std::process::Command::new(julia_tests::server_binary())
        .args(["serve", "--help"])
        .env("JULIA_API_KEYS", format!("alice:{ALICE}"))
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("--api-keys"), "{help}");
    assert!(!help.contains(ALICE), "{help}");
}
