//! Videos in tests: ffprobe's view of a file, and animations through the HTTP API.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Server;

/// ffprobe's count of decoded frames and the container's duration in seconds.
pub fn probe(path: &Path) -> (u64, f64) {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=nb_read_frames,codec_name,pix_fmt"])
        .args(["-show_entries", "format=duration", "-of", "json"])
        .arg(path)
        .output()
        .expect("ffprobe runs (install Debian's ffmpeg)");
    assert!(
        out.status.success(),
        "ffprobe: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let info: Value = serde_json::from_slice(&out.stdout).unwrap();
    let frames = info["streams"][0]["nb_read_frames"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("a frame count");
    let duration = info["format"]["duration"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .expect("a duration");
    (frames, duration)
}

/// A zoom of `seconds` at `fps` into the β fixed point of the default c (on its Julia set), from
/// width 3 to 0.001.
pub fn zoom_spec(width: u32, height: u32, fps: u32, seconds: u32, max_iter: u32) -> Value {
    let center = json!({"re": 1.5275031186435346, "im": -0.07591217835228786});
    json!({"width": width, "height": height, "fps": fps, "keyframes": [
        {"t": 0, "view": {"center": center, "view_width": 3, "max_iter": max_iter}},
        {"t": seconds, "view": {"center": center, "view_width": 0.001, "max_iter": max_iter}}
    ]})
}

impl Server {
    /// POSTs `body` as JSON to `path`; (status, body).
    pub async fn post_json(&self, path: &str, body: &Value) -> (u16, Value) {
        let resp = self
            .client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Polls an animation until it is `done`, `failed` or `canceled`.
    pub async fn wait_animation(&self, id: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let (status, animation) = self.get_json(&format!("/api/animations/{id}")).await;
            assert_eq!(status, 200, "animation {id}: {animation}");
            if matches!(
                animation["status"].as_str(),
                Some("done" | "failed" | "canceled")
            ) {
                return animation;
            }
            assert!(
                Instant::now() < deadline,
                "animation {id} not finished in {timeout:?}: {animation}\nlog:\n{}",
                self.log_text()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// GETs `path`: status, content type and body.
    pub async fn get_bytes(&self, path: &str) -> (u16, String, Vec<u8>) {
        let resp = self.client.get(self.url(path)).send().await.expect("GET");
        let status = resp.status().as_u16();
        let kind = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        (status, kind, resp.bytes().await.expect("body").to_vec())
    }
}
