//! Fencing in distributed mode: a worker paused (SIGSTOP) past its lease loses the job to another
//! worker, and once resumed (SIGCONT) it cannot complete the job it lost.

use std::time::{Duration, Instant};

use crate::support::{Worker, api_node, fresh_render, wait_for_sql};
use julia_tests::deep_params;
use julia_tests::pg_cluster::PgCluster;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paused_worker_cannot_complete_the_job_it_lost() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let cluster = PgCluster::start();
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("shared");
    let node = api_node(&cluster, &data);
    let stale = Worker::start(&cluster, &data, "stale");

    let params = deep_params(1, 8000);
    let (status, job) = node.submit(&params).await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].as_str().unwrap().to_string();
    let owned_by = |owner: String| {
        format!(
            "SELECT count(*) FROM jobs WHERE id = '{id}' AND status = 'running' AND lease_owner = '{owner}' AND progress > 0"
        )
    };
    wait_for_sql(
        &cluster,
        &owned_by(stale.lease_owner()),
        Duration::from_secs(60),
        |n| n == "1",
    );
    stale.pause();

    // The lease runs out and the API node's sweep puts the job back in the queue.
    let state = format!("SELECT status FROM jobs WHERE id = '{id}'");
    wait_for_sql(&cluster, &state, Duration::from_secs(30), |s| s == "queued");
    let fresh = Worker::start(&cluster, &data, "fresh");
    let done = node.wait_finished(&id, Duration::from_secs(120)).await;
    assert_eq!(done["status"], "done", "{done}");

    stale.resume();
    let deadline = Instant::now() + Duration::from_secs(30);
    let gave_up = ["lost the claim", "render canceled", "canceled or reclaimed"];
    while !gave_up.iter().any(|line| stale.log_text().contains(line)) {
        assert!(
            Instant::now() < deadline,
            "the resumed worker never noticed:\n{}",
            stale.log_text()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let row = cluster.psql(&format!(
        "SELECT status, completions, attempt FROM jobs WHERE id = '{id}'"
    ));
    assert_eq!(row, "done|1|2", "done once, by the second claim");
    assert!(node.result_bytes(&id).await == fresh_render(&params));
    drop(fresh);
}
