//! Distributed mode under failure: two API nodes and three worker processes on one PostgreSQL,
//! fifty jobs, one worker killed with `kill -9` in the middle of a render. Every job ends done
//! exactly once and every result equals the single-node render.

use std::time::Duration;

use crate::support::{Worker, api_node, fresh_render, kill_while_holding_a_job};
use julia_tests::deep_params;
use julia_tests::pg_cluster::PgCluster;

const JOBS: u32 = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_jobs_survive_a_killed_worker_done_exactly_once_and_byte_equal() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let cluster = PgCluster::start();
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("shared");
    let nodes = [api_node(&cluster, &data), api_node(&cluster, &data)];
    let mut workers: Vec<Worker> = ["w1", "w2", "w3"]
        .iter()
        .map(|id| Worker::start(&cluster, &data, id))
        .collect();

    let params: Vec<_> = (0..JOBS).map(|seed| deep_params(seed, 1500)).collect();
    let mut ids = Vec::new();
    for (i, p) in params.iter().enumerate() {
        let (status, job) = nodes[i % 2].submit(p).await;
        assert_eq!(status, 202, "{job}");
        ids.push(job["id"].as_str().unwrap().to_string());
    }

    let held = kill_while_holding_a_job(&cluster, &mut workers[1]);

    for (i, id) in ids.iter().enumerate() {
        let job = nodes[i % 2]
            .wait_finished(id, Duration::from_secs(120))
            .await;
        assert_eq!(job["status"], "done", "{job}");
    }
    let counts = cluster.psql("SELECT completions FROM jobs ORDER BY seq");
    let counts: Vec<&str> = counts.lines().collect();
    assert_eq!(counts.len(), JOBS as usize, "one row per job: {counts:?}");
    assert!(
        counts.iter().all(|c| *c == "1"),
        "every job completed exactly once: {counts:?}"
    );
    let attempts = cluster.psql(&format!("SELECT attempt FROM jobs WHERE id = '{held}'"));
    assert!(
        attempts.parse::<i64>().unwrap() >= 2,
        "the killed worker's job was claimed again"
    );

    for (i, (id, p)) in ids.iter().zip(&params).enumerate() {
        // Read each result through the other node than the one it was submitted to.
        let bytes = nodes[(i + 1) % 2].result_bytes(id).await;
        assert!(
            bytes == fresh_render(p),
            "result of job {i} differs from the single-node render"
        );
    }
    drop(workers);
}
