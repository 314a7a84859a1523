//! Canceling jobs (queued or running) and replacing a job with `?replaces=`: status codes, freed
//! params and removed partial output.

use julia_tests::{Server, deep_params, small_params};
use serde_json::Value;

use crate::DONE_TIMEOUT;

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
