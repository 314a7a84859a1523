//! Canceling jobs (queued or running, `POST /api/jobs/{id}/cancel`), deleting them with their
//! results (`DELETE /api/jobs/{id}`) and replacing a job with `?replaces=`: status codes, freed
//! params and removed partial output.

use julia_tests::{Server, deep_params, small_params};
use serde_json::Value;

use super::DONE_TIMEOUT;

/// `POST /api/jobs/{id}/cancel`.
async fn cancel(server: &Server, id: &str) -> reqwest::Response {
    server
        .client
        .post(server.url(&format!("/api/jobs/{id}/cancel")))
        .send()
        .await
        .unwrap()
}

/// `DELETE /api/jobs/{id}`.
async fn delete(server: &Server, id: &str) -> reqwest::Response {
    server
        .client
        .delete(server.url(&format!("/api/jobs/{id}")))
        .send()
        .await
        .unwrap()
}

/// The results directory's files, without the escape data: that is a cache keyed by the render's
/// geometry (shared by jobs that differ only in colour), published only when a render finishes and
/// bounded by the disk budget, so a finished job's stays when the job is deleted.
fn result_files(server: &Server) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(server.data_dir.join("results"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| !name.ends_with(".escapes.npy.gz"))
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn a_canceled_job_frees_its_params_for_a_new_job() {
    let server = Server::start(&["--no-workers"]);
    let (_, first) = server.submit(&small_params(4)).await;
    let id = first["id"].as_str().unwrap();
    let resp = cancel(&server, id).await;
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
    let id = job["id"].as_str().unwrap();
    assert_eq!(cancel(&server, id).await.status(), 200);
    let resp = cancel(&server, id).await;
    assert_eq!(resp.status(), 409);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "wrong_state");
    for id in [
        "6f1c7b4e-0000-4000-8000-000000000000",
        "not-a-uuid",
        "%2e%2e",
    ] {
        let resp = cancel(&server, id).await;
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

    let resp = cancel(&server, &id).await;
    assert_eq!(resp.status(), 200);
    let canceled: Value = resp.json().await.unwrap();
    assert_eq!(canceled["status"], "canceled");

    // The worker is free again only once the canceled render has stopped.
    let (_, next) = server.submit(&small_params(6)).await;
    let next = server
        .wait_finished(next["id"].as_str().unwrap(), DONE_TIMEOUT)
        .await;
    assert_eq!(next["status"], "done");
    let names = result_files(&server);
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
async fn delete_removes_the_job_and_its_result_and_answers_404_afterwards() {
    let server = Server::start(&["--cpu-only"]);
    let (_, job) = server.submit(&small_params(20)).await;
    let id = job["id"].as_str().unwrap();
    let job = server.wait_finished(id, DONE_TIMEOUT).await;
    assert_eq!(job["status"], "done");
    assert_eq!(result_files(&server).len(), 1);

    let resp = delete(&server, id).await;
    assert_eq!(resp.status(), 204);
    assert!(resp.bytes().await.unwrap().is_empty());
    assert_eq!(server.get_json(&format!("/api/jobs/{id}")).await.0, 404);
    assert_eq!(
        server.get_json(&format!("/api/jobs/{id}/result")).await.0,
        404
    );
    assert_eq!(result_files(&server), Vec::<String>::new());
    let (_, list) = server.get_json("/api/jobs").await;
    assert!(list.as_array().unwrap().is_empty(), "{list}");

    let resp = delete(&server, id).await;
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(delete(&server, "not-a-uuid").await.status(), 404);
}

#[tokio::test]
async fn deleting_a_running_job_stops_its_render_first() {
    let server = Server::start(&["--cpu-only"]);
    let (_, job) = server.submit(&deep_params(21, 100_000)).await;
    let id = job["id"].as_str().unwrap().to_string();
    server.wait_status(&id, "running", DONE_TIMEOUT).await;
    assert_eq!(delete(&server, &id).await.status(), 204);
    assert_eq!(server.get_json(&format!("/api/jobs/{id}")).await.0, 404);

    // The one worker takes the next job only once the deleted render has stopped.
    let (_, next) = server.submit(&small_params(21)).await;
    let next = server
        .wait_finished(next["id"].as_str().unwrap(), DONE_TIMEOUT)
        .await;
    assert_eq!(next["status"], "done");
    assert_eq!(
        result_files(&server),
        vec![format!("{}.png", next["hash"].as_str().unwrap())],
        "nothing of the deleted render remains"
    );
}

#[tokio::test]
async fn a_result_another_job_still_names_survives_the_deletion() {
    let server = Server::start(&["--cpu-only"]);
    // A canceled job and a later done job of the same parameters share one hash; a long render
    // holds the one worker meanwhile, so the first stays queued until it is canceled.
    let (_, blocker) = server.submit(&deep_params(22, 100_000)).await;
    let blocker_id = blocker["id"].as_str().unwrap().to_string();
    server
        .wait_status(&blocker_id, "running", DONE_TIMEOUT)
        .await;
    let params = small_params(22);
    let (_, first) = server.submit(&params).await;
    let first_id = first["id"].as_str().unwrap().to_string();
    assert_eq!(cancel(&server, &first_id).await.status(), 200);
    let (_, second) = server.submit(&params).await;
    let second_id = second["id"].as_str().unwrap().to_string();
    assert_ne!(first_id, second_id);
    assert_eq!(cancel(&server, &blocker_id).await.status(), 200);
    server.wait_finished(&second_id, DONE_TIMEOUT).await;
    let file = format!("{}.png", second["hash"].as_str().unwrap());
    assert!(result_files(&server).contains(&file));

    assert_eq!(delete(&server, &first_id).await.status(), 204);
    assert!(
        result_files(&server).contains(&file),
        "the done job of the same hash still needs its file"
    );
    assert!(!server.result_bytes(&second_id).await.is_empty());
    assert_eq!(delete(&server, &second_id).await.status(), 204);
    assert!(!result_files(&server).contains(&file));
}
