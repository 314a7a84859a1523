//! `GET /api/events`: a client sees a job go queued → running → progress → done.

use std::time::{Duration, Instant};

use futures::StreamExt;
use julia_tests::{Server, deep_params};
use serde_json::Value;

#[tokio::test]
async fn the_event_stream_shows_queued_running_progress_and_done() {
    let server = Server::start(&["--cpu-only"]);
    let resp = server
        .client
        .get(server.url("/api/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let mut stream = resp.bytes_stream();

    // About a second of CPU work in 32 bands: several throttled progress events.
    let (status, job) = server.submit(&deep_params(1, 8000)).await;
    assert_eq!(status, 202);
    let id = job["id"].as_str().unwrap().to_string();

    let mut buffer = String::new();
    let mut seen: Vec<(String, f64)> = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    'read: while Instant::now() < deadline {
        let chunk = tokio::time::timeout(Duration::from_secs(30), stream.next())
            .await
            .expect("an event or keep-alive within 30 s")
            .expect("stream open")
            .unwrap();
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let frame: String = buffer.drain(..end + 2).collect();
            let mut name = None;
            let mut data = String::new();
            for line in frame.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = Some(v.trim().to_string());
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if name.as_deref() != Some("job") {
                continue; // keep-alive comment
            }
            let event: Value = serde_json::from_str(&data).unwrap();
            if event["id"] != id.as_str() {
                continue;
            }
            let status = event["status"].as_str().unwrap().to_string();
            seen.push((status.clone(), event["progress"].as_f64().unwrap()));
            if status == "done" {
                break 'read;
            }
        }
    }
    let statuses: Vec<&str> = seen.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(statuses.first(), Some(&"queued"), "{seen:?}");
    assert_eq!(statuses.get(1), Some(&"running"), "{seen:?}");
    assert_eq!(statuses.last(), Some(&"done"), "{seen:?}");
    let progress: Vec<f64> = seen
        .iter()
        .filter(|(s, p)| s == "running" && *p > 0.0 && *p < 1.0)
        .map(|(_, p)| *p)
        .collect();
    assert!(
        !progress.is_empty(),
        "at least one progress event: {seen:?}"
    );
    assert!(
        progress.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back: {seen:?}"
    );
    assert_eq!(seen.last().unwrap().1, 1.0);
}
