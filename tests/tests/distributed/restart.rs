//! PostgreSQL restarted in the middle of a distributed run: API nodes and workers reconnect,
//! event streams resume, and no accepted job is lost or completed twice.

use std::time::Duration;

use crate::support::{SseClient, Worker, api_node, wait_for_sql};
use julia_tests::deep_params;
use julia_tests::pg_cluster::PgCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_restart_mid_run_loses_no_job() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let cluster = PgCluster::start();
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("shared");
    let nodes = [api_node(&cluster, &data), api_node(&cluster, &data)];
    let _workers = [
        Worker::start(&cluster, &data, "w1"),
        Worker::start(&cluster, &data, "w2"),
    ];
    let mut events = SseClient::connect(&nodes[0]).await;

    let mut ids = Vec::new();
    for seed in 0..16 {
        let (status, job) = nodes[seed as usize % 2]
            .submit(&deep_params(seed, 1500))
            .await;
        assert_eq!(status, 202, "{job}");
        ids.push(job["id"].as_str().unwrap().to_string());
    }
    wait_for_sql(
        &cluster,
        "SELECT count(*) FROM jobs WHERE status = 'done'",
        Duration::from_secs(60),
        |n| n.parse::<u32>().unwrap() >= 2,
    );
    cluster.stop();
    tokio::time::sleep(Duration::from_secs(1)).await;
    cluster.start_server();

    // Accepted after the restart, through the other node; the SSE client of node A sees it done.
    let mut late = Vec::new();
    for seed in 100..104 {
        let (status, job) = nodes[1].submit(&deep_params(seed, 1500)).await;
        assert_eq!(status, 202, "{job}");
        late.push(job["id"].clone());
    }
    let seen = events
        .until(Duration::from_secs(60), |j| {
            late.contains(&j["id"]) && j["status"] == "done"
        })
        .await;
    if let Err(n) = seen {
        panic!(
            "node A's event stream saw {n} events but no late job done; node A log:\n{}",
            nodes[0].log_text()
        );
    }
    ids.extend(late.iter().map(|id| id.as_str().unwrap().to_string()));

    for (i, id) in ids.iter().enumerate() {
        let job = nodes[i % 2]
            .wait_finished(id, Duration::from_secs(120))
            .await;
        assert_eq!(job["status"], "done", "{job}");
    }
    let counts = cluster.psql("SELECT completions FROM jobs ORDER BY seq");
    assert_eq!(counts.lines().count(), ids.len());
    assert!(
        counts.lines().all(|c| c == "1"),
        "every job completed exactly once: {counts}"
    );
}
