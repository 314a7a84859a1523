//! An animation in distributed mode (issue 16): one API node and two worker processes on one
//! PostgreSQL; the frames are jobs both workers claim, one worker is killed with `kill -9` while
//! it renders a frame, and the video still has every frame exactly once: each frame job completed
//! once, the killed worker's frame claimed again, and ffprobe counts the frames.

use std::time::Duration;

use crate::support::{Worker, api_node, kill_while_holding_a_job};
use julia_tests::pg_cluster::PgCluster;
use julia_tests::video::{probe, zoom_spec};

/// 3 seconds at 8 fps.
const FRAMES: usize = 24;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_animation_survives_a_killed_worker_with_every_frame_rendered_once() {
    let _alone = crate::ONE_AT_A_TIME.lock().await;
    let cluster = PgCluster::start();
    let temp = tempfile::tempdir().unwrap();
    let data = temp.path().join("shared");
    let node = api_node(&cluster, &data);
    let mut workers: Vec<Worker> = ["w1", "w2"]
        .iter()
        .map(|id| Worker::start(&cluster, &data, id))
        .collect();

    let (status, animation) = node
        .post_json("/api/animations", &zoom_spec(240, 136, 8, 3, 6000))
        .await;
    assert_eq!(status, 202, "{animation}");
    assert_eq!(animation["frames"], FRAMES);

    let held = kill_while_holding_a_job(&cluster, &mut workers[1]);

    let id = animation["id"].as_str().unwrap();
    let done = node.wait_animation(id, Duration::from_secs(180)).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(done["frames_done"], FRAMES);

    let counts = cluster.psql("SELECT completions FROM jobs ORDER BY seq");
    let counts: Vec<&str> = counts.lines().collect();
    assert_eq!(counts.len(), FRAMES, "one job per frame: {counts:?}");
    assert!(
        counts.iter().all(|c| *c == "1"),
        "every frame rendered exactly once: {counts:?}"
    );
    let attempts = cluster.psql(&format!("SELECT attempt FROM jobs WHERE id = '{held}'"));
    assert!(
        attempts.parse::<i64>().unwrap() >= 2,
        "the killed worker's frame was claimed again"
    );
    let encoders = cluster.psql("SELECT attempt FROM animations");
    assert_eq!(encoders, "1", "one encode");

    let (status, _, video) = node.get_bytes(done["video_url"].as_str().unwrap()).await;
    assert_eq!(status, 200);
    let file = temp.path().join("zoom.mp4");
    std::fs::write(&file, &video).unwrap();
    assert_eq!(
        probe(&file).0,
        FRAMES as u64,
        "every frame once, in the video"
    );
    drop(workers);
}
