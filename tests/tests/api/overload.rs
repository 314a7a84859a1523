//! Backpressure and drain: a full queue answers `503` + `Retry-After` and drops no accepted job;
//! SIGTERM turns readiness off, refuses new jobs, and keeps unfinished jobs for the next start.

use std::time::Duration;

use futures::future::join_all;
use julia_tests::{Server, deep_params, small_params};

#[tokio::test]
async fn a_full_queue_answers_503_with_retry_after_and_every_accepted_job_finishes() {
    let server = Server::start(&["--cpu-only", "--queue-capacity", "3"]);
    // Keep the only worker busy so the queue really fills (tens of seconds of work).
    let (_, blocker) = server.submit(&deep_params(900, 1_000_000)).await;
    let blocker = blocker["id"].as_str().unwrap().to_string();
    server
        .wait_status(&blocker, "running", Duration::from_secs(30))
        .await;
    let server = &server;
    let submissions = (0..40).map(|seed| async move {
        let resp = server
            .client
            .post(server.url("/api/jobs"))
            .json(&small_params(1000 + seed))
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .map(|v| v.to_str().unwrap().to_string());
        let body: serde_json::Value = resp.json().await.unwrap();
        (status, retry_after, body)
    });
    let answers = join_all(submissions).await;
    let mut accepted = Vec::new();
    let mut refused = 0;
    for (status, retry_after, body) in &answers {
        match status {
            202 => accepted.push(body["id"].as_str().unwrap().to_string()),
            503 => {
                refused += 1;
                assert!(
                    retry_after
                        .as_deref()
                        .is_some_and(|s| s.parse::<u32>().is_ok()),
                    "{body}"
                );
                assert_eq!(body["error"]["code"], "queue_full");
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert_eq!(
        (accepted.len(), refused),
        (3, 37),
        "a queue of 3 takes exactly 3"
    );
    let resp = server
        .client
        .post(server.url(&format!("/api/jobs/{blocker}/cancel")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    for id in &accepted {
        let job = server.wait_finished(id, Duration::from_secs(60)).await;
        assert_eq!(job["status"], "done", "{job}");
    }
}

#[tokio::test]
async fn sigterm_drains_and_unfinished_jobs_survive_to_the_next_start() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let mut server = Server::start_in(&data, &["--cpu-only", "--drain-grace-secs", "1"]);
    let mut ids = Vec::new();
    for seed in 0..3 {
        // Far longer than the grace period.
        let (_, job) = server.submit(&deep_params(50 + seed, 1_000_000)).await;
        ids.push(job["id"].as_str().unwrap().to_string());
    }
    server
        .wait_status(&ids[0], "running", Duration::from_secs(30))
        .await;
    server.terminate();

    // The signal is handled asynchronously: wait for readiness to turn off.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let (status, ready) = server.get_json("/readyz").await;
        if status == 503 {
            assert_eq!(ready["ready"], false);
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "readyz stayed {status}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let resp = server
        .client
        .post(server.url("/api/jobs"))
        .json(&small_params(60))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 503);
    assert!(resp.headers().contains_key("retry-after"));
    let exit = server
        .wait_exit(Duration::from_secs(30))
        .expect("the server exits after the grace period");
    assert!(exit.success(), "{exit:?}\n{}", server.log_text());

    let server = Server::start_in(&data, &["--no-workers"]);
    for id in &ids {
        let (status, job) = server.get_json(&format!("/api/jobs/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(
            job["status"], "queued",
            "unfinished jobs wait for the next start: {job}"
        );
    }
}
