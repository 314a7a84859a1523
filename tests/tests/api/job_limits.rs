//! Admission by work and the job time limit, against the real server: oversized and over-budget
//! requests are refused with `422` naming the field before anything is allocated; a render is
//! stopped inside its (single, enormous) band by the time limit (`failed`, code `timeout`), by a
//! cancel (the worker takes the next job) and by the end of a drain's grace period.
//!
//! Build the binary first: `cargo build -p julia-server`.

use std::time::Duration;

use julia_tests::{Server, small_params};
use serde_json::{Value, json};

/// Generous bound on every wait: each of these renders would take minutes if it were not stopped.
const WAIT: Duration = Duration::from_secs(90);

/// One band of 2^20 samples, each inside the unit disk where `z² + 0` never escapes: 10^12
/// iterations, minutes on any CPU, so only a stop inside the band ends it soon.
fn one_enormous_band(seed: u32) -> Value {
    json!({
        "width": 65536, "height": 1, "supersample": 4,
        "c": {"re": 0.0, "im": 0.0},
        "center": {"re": 0.0, "im": 0.0},
        "view_width": 1.0 + f64::from(seed) * 1e-9,
        "max_iter": 1_000_000,
    })
}

async fn submit_id(server: &Server, params: &Value) -> String {
    let (status, job) = server.submit(params).await;
    assert_eq!(status, 202, "{job}");
    job["id"].as_str().expect("job id").to_string()
}

#[tokio::test]
async fn oversized_and_over_budget_requests_are_refused_with_422_naming_the_field() {
    let server = Server::start(&["--cpu-only", "--max-work", "1000000000000"]);
    let cases = [
        (
            json!({"width": 268_435_456, "height": 1, "supersample": 4}),
            "width",
        ),
        (json!({"width": 1, "height": 65537}), "height"),
        (json!({"escape_radius": 1e200}), "escape_radius"),
        (
            json!({"width": 4096, "height": 4096, "max_iter": 100_000}),
            "max_iter",
        ),
    ];
    for (params, field) in cases {
        let (status, body) = server.submit(&params).await;
        assert_eq!(status, 422, "{params}: {body}");
        assert_eq!(body["error"]["field"], field, "{params}: {body}");
    }
    let (_, body) = server
        .submit(&json!({"width": 4096, "height": 4096, "max_iter": 100_000}))
        .await;
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("1.00e12") && message.contains("max_iter may be at most 59604"),
        "the budget and what would fit: {message}"
    );
    let (_, info) = server.get_json("/api/info").await;
    assert_eq!(info["limits"]["max_work"], 1_000_000_000_000u64, "{info}");
    assert_eq!(info["limits"]["max_dimension"], 65536, "{info}");
    assert_eq!(info["limits"]["job_timeout_secs"], 3600, "{info}");
}

#[tokio::test]
async fn a_render_over_its_time_limit_fails_with_code_timeout_and_the_worker_goes_on() {
    // 3 s: the enormous band needs minutes, and the small job after it must not time out on a
    // loaded machine (render threads are SCHED_IDLE; 1 s failed under parallel builds).
    let server = Server::start(&["--cpu-only", "--cpu-threads", "2", "--job-timeout", "3"]);
    let id = submit_id(&server, &one_enormous_band(1)).await;
    let job = server.wait_finished(&id, WAIT).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["error"]["code"], "timeout", "{job}");
    // Failed for good: not re-queued.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, again) = server.get_json(&format!("/api/jobs/{id}")).await;
    assert_eq!(again["status"], "failed", "{again}");

    let next = submit_id(&server, &small_params(1)).await;
    let next = server.wait_finished(&next, WAIT).await;
    assert_eq!(next["status"], "done", "{next}");
}

#[tokio::test]
async fn a_canceled_render_stops_inside_its_band_and_the_worker_takes_the_next_job() {
    let server = Server::start(&["--cpu-only", "--cpu-threads", "2"]);
    let id = submit_id(&server, &one_enormous_band(2)).await;
    server.wait_status(&id, "running", WAIT).await;
    let resp = server
        .client
        .post(server.url(&format!("/api/jobs/{id}/cancel")))
        .send()
        .await
        .expect("cancel");
    assert_eq!(resp.status(), 200);

    let next = submit_id(&server, &small_params(2)).await;
    let next = server.wait_finished(&next, WAIT).await;
    assert_eq!(next["status"], "done", "{next}");
    let (_, job) = server.get_json(&format!("/api/jobs/{id}")).await;
    assert_eq!(job["status"], "canceled", "{job}");
}

#[tokio::test]
async fn the_end_of_the_drain_grace_stops_a_render_inside_its_band_and_requeues_it() {
    let mut server = Server::start(&[
        "--cpu-only",
        "--cpu-threads",
        "2",
        "--drain-grace-secs",
        "1",
    ]);
    let id = submit_id(&server, &one_enormous_band(3)).await;
    server.wait_status(&id, "running", WAIT).await;
    server.terminate();
    let status = server.wait_exit(WAIT);
    assert!(
        status.is_some_and(|s| s.success()),
        "the drain must end once the grace period stops the render: {status:?}\n{}",
        server.log_text()
    );
    assert!(
        server.log_text().contains("goes back to the queue"),
        "{}",
        server.log_text()
    );
}

#[tokio::test]
async fn a_queued_job_over_a_lowered_budget_fails_with_code_over_budget_instead_of_rendering() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("data");
    let mut api_only = Server::start_in(&data, &["--cpu-only", "--no-workers"]);
    let id = submit_id(&api_only, &small_params(4)).await;
    api_only.kill_hard();
    drop(api_only);

    // 64×64 × 200 iterations is 819200 sample-iterations: over a budget of 1000.
    let server = Server::start_in(&data, &["--cpu-only", "--max-work", "1000"]);
    let job = server.wait_finished(&id, WAIT).await;
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["error"]["code"], "over_budget", "{job}");
}
