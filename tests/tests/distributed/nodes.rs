//! Several API nodes on one PostgreSQL store: equal submissions to both nodes make one job, the
//! queue depth (the autoscaling signal) is the same on every node, and an SSE client on node A
//! sees the progress of a job submitted on node B and rendered by a separate worker process.

use std::time::Duration;

use crate::support::{SseClient, Worker, api_node};
use julia_tests::pg_cluster::PgCluster;
use julia_tests::{Server, deep_params, small_params};

async fn queue_depth(node: &Server) -> f64 {
    let text = node
        .client
        .get(node.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("julia_queue_depth "))
        .unwrap_or_else(|| panic!("no julia_queue_depth in:\n{text}"))
        .trim()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_api_nodes_share_dedup_queue_metrics_and_events() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let cluster = PgCluster::start();
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("shared");
    let a = api_node(&cluster, &data);
    let b = api_node(&cluster, &data);

    // Equal params sent to both nodes at the same moment: one job.
    let params = small_params(42);
    let posts = (0..24).map(|i| {
        let node = if i % 2 == 0 { &a } else { &b };
        node.submit(&params)
    });
    let answers = futures::future::join_all(posts).await;
    let created = answers.iter().filter(|(s, _)| *s == 202).count();
    assert_eq!(created, 1, "{answers:?}");
    assert!(
        answers
            .iter()
            .all(|(s, j)| (*s == 202 || *s == 200) && j["id"] == answers[0].1["id"])
    );
    assert_eq!(cluster.psql("SELECT count(*) FROM jobs"), "1");

    // The autoscaling signal: jobs queued through node A count on node B too.
    for seed in 0..2 {
        assert_eq!(a.submit(&small_params(seed)).await.0, 202);
    }
    assert_eq!(queue_depth(&b).await, 3.0);
    assert_eq!(queue_depth(&a).await, 3.0);

    // Live progress across nodes: watch on A a job submitted on B, rendered by a worker process.
    let mut events = SseClient::connect(&a).await;
    let (status, job) = b.submit(&deep_params(7, 6000)).await;
    assert_eq!(status, 202, "{job}");
    let id = job["id"].clone();
    let worker = Worker::start(&cluster, &data, "w1");
    let seen = events
        .until(Duration::from_secs(120), |j| {
            j["id"] == id && j["status"] == "done"
        })
        .await
        .unwrap_or_else(|n| {
            panic!(
                "node A saw {n} events, not the job done; log:\n{}",
                a.log_text()
            )
        });
    let progress: Vec<f64> = seen
        .iter()
        .filter(|j| j["id"] == id && j["status"] == "running")
        .filter_map(|j| j["progress"].as_f64())
        .collect();
    assert!(
        progress.iter().any(|p| *p > 0.0 && *p < 1.0),
        "no progress event on node A: {progress:?}"
    );
    for node in [&a, &b] {
        let finished = node
            .wait_finished(id.as_str().unwrap(), Duration::from_secs(60))
            .await;
        assert_eq!(finished["status"], "done");
    }
    assert_eq!(queue_depth(&b).await, 0.0);
    drop(worker);
}
