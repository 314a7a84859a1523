//! Animations through the job API (issue 16): a spec in, its frames rendered as ordinary jobs, a
//! video out that ffprobe reads frame by frame; the same spec twice is one animation; bad specs
//! and formats name the field; a server killed mid-animation keeps the frames it had rendered and
//! finishes the rest after a restart.
//!
//! Needs Debian's `ffmpeg` (with `ffprobe`), which scripts/setup.sh installs.

use std::collections::BTreeMap;
use std::time::Duration;

use julia_tests::Server;
use julia_tests::video::{probe, zoom_spec};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(180);

#[tokio::test(flavor = "multi_thread")]
async fn an_animation_renders_as_frame_jobs_and_serves_one_video() {
    let server = Server::start(&["--cpu-only"]);
    let spec = zoom_spec(64, 36, 8, 1, 150);
    let (status, animation) = server.post_json("/api/animations", &spec).await;
    assert_eq!(status, 202, "{animation}");
    assert_eq!(animation["frames"], 8);
    assert_eq!(animation["format"], "mp4");
    let id = animation["id"].as_str().unwrap().to_string();

    let (status, again) = server.post_json("/api/animations", &spec).await;
    assert_eq!(status, 200, "{again}");
    assert_eq!(
        (&again["id"], &again["deduplicated"]),
        (&animation["id"], &Value::from(true))
    );

    let done = server.wait_animation(&id, WAIT).await;
    assert_eq!(done["status"], "done", "{done}");
    assert_eq!(
        (&done["frames_done"], &done["progress"]),
        (&Value::from(8), &Value::from(1.0))
    );
    let url = done["video_url"].as_str().expect("a video url");
    let (status, kind, video) = server.get_bytes(url).await;
    assert_eq!((status, kind.as_str()), (200, "video/mp4"));
    assert_eq!(done["video_bytes"], video.len());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("zoom.mp4");
    std::fs::write(&path, &video).unwrap();
    let (frames, duration) = probe(&path);
    assert_eq!(frames, 8);
    assert!((duration - 1.0).abs() < 0.01, "duration {duration}");

    // Done: submitting it again is the same video, and it can no longer be canceled.
    let (status, third) = server.post_json("/api/animations", &spec).await;
    assert_eq!((status, &third["id"]), (200, &animation["id"]));
    let (status, body) = server
        .post_json(&format!("/api/animations/{id}/cancel"), &Value::Null)
        .await;
    assert_eq!(status, 409, "{body}");

    // Each frame is an ordinary job: its result is a PNG any client can fetch.
    let (_, jobs) = server.get_json("/api/jobs?limit=100").await;
    let frames = jobs.as_array().unwrap();
    assert_eq!(frames.len(), 8, "one job per frame");
    assert!(
        frames
            .iter()
            .all(|j| j["status"] == "done" && j["params"]["width"] == 64)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_animations_name_the_field_and_a_webm_is_vp9() {
    let server = Server::start(&["--cpu-only"]);
    let mut spec = zoom_spec(64, 36, 8, 1, 150);
    spec["keyframes"][1]["t"] = 0.into();
    let (status, body) = server.post_json("/api/animations", &spec).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["field"], "keyframes[1].t");
    let mut spec = zoom_spec(64, 36, 8, 1, 150);
    spec["keyframes"][0]["view"]["view_width"] = (-1).into();
    let (status, body) = server.post_json("/api/animations", &spec).await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (422, &Value::from("keyframes[0].view.view_width"))
    );
    let (status, body) = server
        .post_json("/api/animations?format=avi", &zoom_spec(64, 36, 8, 1, 150))
        .await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (400, &Value::from("format"))
    );
    // More frames than one request may queue.
    let (status, body) = server
        .post_json("/api/animations", &zoom_spec(64, 36, 120, 31, 150))
        .await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (422, &Value::from("keyframes[1].t")),
        "{body}"
    );
    let (status, _) = server.get_json("/api/animations/not-an-id").await;
    assert_eq!(status, 404);

    let (status, webm) = server
        .post_json("/api/animations?format=webm", &zoom_spec(64, 36, 6, 1, 100))
        .await;
    assert_eq!(status, 202, "{webm}");
    let done = server
        .wait_animation(webm["id"].as_str().unwrap(), WAIT)
        .await;
    assert_eq!(done["status"], "done", "{done}");
    let (status, kind, video) = server.get_bytes(done["video_url"].as_str().unwrap()).await;
    assert_eq!((status, kind.as_str()), (200, "video/webm"));
    assert_eq!(&video[..4], b"\x1a\x45\xdf\xa3", "an EBML (WebM) header");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_server_keeps_its_rendered_frames_and_finishes_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    // One render thread and heavy frames, so the kill lands while frames remain.
    let args = ["--cpu-only", "--cpu-threads", "1"];
    let mut server = Server::start_in(dir.path(), &args);
    let spec = zoom_spec(240, 136, 8, 2, 6000);
    let (status, animation) = server.post_json("/api/animations", &spec).await;
    assert_eq!(status, 202, "{animation}");
    let id = animation["id"].as_str().unwrap().to_string();
    let path = format!("/api/animations/{id}");
    let before = loop {
        let (_, now) = server.get_json(&path).await;
        if now["frames_done"].as_u64().unwrap() >= 2 {
            break now;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let done_before = done_frames(&server).await;
    server.kill_hard();
    assert!(
        before["frames_done"].as_u64().unwrap() < 16,
        "the kill came before the last frame: {before}"
    );

    let server = Server::start_in(dir.path(), &args);
    let done = server.wait_animation(&id, WAIT).await;
    assert_eq!(done["status"], "done", "{done}");
    let after = done_frames(&server).await;
    assert_eq!(after.len(), 16);
    for (job, finished) in &done_before {
        assert_eq!(
            after.get(job),
            Some(finished),
            "frame job {job} was not rendered again"
        );
    }
    let (_, _, video) = server.get_bytes(done["video_url"].as_str().unwrap()).await;
    let file = dir.path().join("zoom.mp4");
    std::fs::write(&file, &video).unwrap();
    assert_eq!(probe(&file).0, 16, "every frame once");
}

/// Done jobs by id, with when they finished.
async fn done_frames(server: &Server) -> BTreeMap<String, String> {
    let (_, jobs) = server.get_json("/api/jobs?limit=100").await;
    jobs.as_array()
        .unwrap()
        .iter()
        .filter(|j| j["status"] == "done")
        .map(|j| {
            (
                j["id"].as_str().unwrap().into(),
                j["finished_at"].to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn cancel_stops_every_frame_still_to_render() {
    let server = Server::start(&["--cpu-only", "--cpu-threads", "1"]);
    let spec = zoom_spec(320, 180, 8, 4, 20000);
    let (status, animation) = server.post_json("/api/animations", &spec).await;
    assert_eq!(status, 202, "{animation}");
    let id = animation["id"].as_str().unwrap();
    let (status, canceled) = server
        .post_json(&format!("/api/animations/{id}/cancel"), &Value::Null)
        .await;
    assert_eq!(status, 200, "{canceled}");
    assert_eq!(canceled["status"], "canceled");
    let (_, jobs) = server.get_json("/api/jobs?limit=100").await;
    let jobs = jobs.as_array().unwrap();
    assert_eq!(jobs.len(), 32);
    for job in jobs {
        let id = job["id"].as_str().unwrap();
        let finished = server.wait_finished(id, WAIT).await;
        assert!(
            matches!(finished["status"].as_str(), Some("canceled" | "done")),
            "{finished}"
        );
    }
    assert!(jobs.iter().any(|j| j["status"] == "canceled"));
    let (_, after) = server.get_json(&format!("/api/animations/{id}")).await;
    assert_eq!(after["status"], "canceled", "{after}");
    let (status, _, _) = server
        .get_bytes(&format!("/api/animations/{id}/video"))
        .await;
    assert_eq!(status, 409);
}
