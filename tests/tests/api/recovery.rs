//! Restart recovery: `kill -9` during renders, restart on the same data directory, and every
//! accepted job finishes with a result byte-equal to a fresh render of its parameters; a job
//! killed on its last try fails with `too_many_attempts`; a second server on the same data
//! directory refuses to start and leaves the first one's running job alone.

use std::time::Duration;

use julia_tests::{Server, deep_params, small_params};
use render_core::{CpuSource, Flow, Limits, render_to_writer};
use serde_json::Value;

fn fresh_render(params: &Value) -> Vec<u8> {
    let params = render_core::parse_params(&params.to_string(), &Limits::default()).unwrap();
    let mut out = Vec::new();
    render_to_writer(
        &params,
        &mut CpuSource::new(),
        &mut out,
        &render_core::StopFlag::new(),
        &mut |_| Flow::Continue,
    )
    .unwrap();
    out
}

#[tokio::test]
async fn kill_9_during_renders_loses_no_job_and_leaves_no_corrupt_result() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let mut submitted: Vec<(String, Value)> = Vec::new();

    let mut server = Server::start_in(&data, &["--cpu-only"]);
    for seed in 0..4 {
        let params = deep_params(seed, 30_000);
        let (status, job) = server.submit(&params).await;
        assert_eq!(status, 202);
        submitted.push((job["id"].as_str().unwrap().to_string(), params));
    }
    for seed in 0..4 {
        let params = small_params(seed);
        let (_, job) = server.submit(&params).await;
        submitted.push((job["id"].as_str().unwrap().to_string(), params));
    }
    // Kill mid-render, right after the first job has started writing.
    server
        .wait_status(&submitted[0].0, "running", Duration::from_secs(60))
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill_hard();

    // A second crash, once some jobs are done and others running.
    let mut server = Server::start_in(&data, &["--cpu-only"]);
    server
        .wait_finished(&submitted[1].0, Duration::from_secs(120))
        .await;
    server.kill_hard();

    let server = Server::start_in(&data, &["--cpu-only"]);
    let (_, list) = server.get_json("/api/jobs?limit=100").await;
    assert_eq!(
        list.as_array().unwrap().len(),
        submitted.len(),
        "no accepted job was lost"
    );
    for (id, params) in &submitted {
        let job = server.wait_finished(id, Duration::from_secs(180)).await;
        assert_eq!(job["status"], "done", "{job}");
        let served = server.result_bytes(id).await;
        assert!(
            served == fresh_render(params),
            "result of {id} differs from a fresh render"
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(data.join("results"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The arguments of a restartable server that gives each job a single try.
const ONE_TRY: [&str; 3] = ["--cpu-only", "--max-attempts", "1"];

#[tokio::test]
async fn a_job_running_when_its_last_try_is_killed_fails_with_too_many_attempts() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let mut server = Server::start_in(&data, &ONE_TRY);
    let (status, job) = server.submit(&deep_params(7, 200_000)).await;
    assert_eq!(status, 202);
    let id = job["id"].as_str().unwrap().to_string();
    server
        .wait_status(&id, "running", Duration::from_secs(60))
        .await;
    server.kill_hard();

    let server = Server::start_in(&data, &ONE_TRY);
    let (status, job) = server.get_json(&format!("/api/jobs/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(job["status"], "failed", "{job}");
    assert_eq!(job["error"]["code"], "too_many_attempts", "{job}");
    let message = job["error"]["message"].as_str().unwrap();
    assert!(message.contains("claimed 1 times"), "{message}");
}

#[tokio::test]
async fn a_second_server_on_the_same_data_directory_refuses_to_start() {
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("data");
    let first = Server::start_in(&data, &["--cpu-only"]);
    let (_, job) = first.submit(&deep_params(3, 100_000)).await;
    let id = job["id"].as_str().unwrap().to_string();
    let running = first
        .wait_status(&id, "running", Duration::from_secs(60))
        .await;

    let stderr_path = temp.path().join("second.log");
    let mut second = std::process::Command::new(julia_tests::server_binary())
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--cpu-only",
            "--ui-dir",
            "/nonexistent-ui",
        ])
        .arg("--data-dir")
        .arg(&data)
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(exit) = second.try_wait().unwrap() {
            break exit;
        }
        if std::time::Instant::now() > deadline {
            let _ = second.kill();
            panic!("the second server kept running on a data directory in use");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let stderr = std::fs::read_to_string(&stderr_path).unwrap();
    assert!(!exit.success(), "{stderr}");
    assert!(
        stderr.contains("in use by another julia-server"),
        "{stderr}"
    );
    assert!(stderr.contains(&data.display().to_string()), "{stderr}");
    assert!(stderr.contains(&format!("pid {}", first.pid())), "{stderr}");

    // Had the second process opened the store, it would have re-queued the running job (a new
    // claim, a new start time) and left the first one's render fenced out.
    let job = first.wait_finished(&id, Duration::from_secs(180)).await;
    assert_eq!(job["status"], "done", "{job}");
    assert_eq!(
        job["started_at"], running["started_at"],
        "one claim, never re-queued"
    );
}
