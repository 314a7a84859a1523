//! The server's workers where the only adapter is a software one (lavapipe in CI): an idle
//! server renders on its CPU worker, not on the slower adapter that runs on the same cores.

use std::time::Duration;

use julia_tests::{Server, small_params};

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_server_renders_on_the_cpu_before_a_software_adapter() {
    let server = Server::start(&[]);
    let (status, info) = server.get_json("/api/info").await;
    assert_eq!(status, 200, "{info}");
    let gpus = info["backends"]["gpus"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if gpus.is_empty() {
        assert!(
            std::env::var("RENDER_REQUIRE_GPU").as_deref() != Ok("1"),
            "RENDER_REQUIRE_GPU=1 but the server found no adapter (install mesa-vulkan-drivers)"
        );
        eprintln!("notice: no GPU adapter found; software-adapter worker test skipped");
        return;
    }
    if gpus.iter().any(|gpu| gpu["device_type"] != "cpu") {
        eprintln!("notice: a hardware adapter takes jobs as soon as the CPU; nothing to check");
        return;
    }
    // One job at a time, each queued while both workers are idle.
    for seed in 0..6 {
        let (status, job) = server.submit(&small_params(7100 + seed)).await;
        assert_eq!(status, 202, "{job}");
        let id = job["id"].as_str().expect("job id");
        let done = server.wait_finished(id, Duration::from_secs(60)).await;
        assert_eq!(done["status"], "done", "{done}");
        assert_eq!(
            done["backend"], "cpu",
            "job {seed} ran on {} with the CPU worker idle",
            done["device"]
        );
    }
}
