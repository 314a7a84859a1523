//! Restart recovery: `kill -9` during renders, restart on the same data directory, and every
//! accepted job finishes with a result byte-equal to a fresh render of its parameters.

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
