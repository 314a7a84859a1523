//! `julia-server animate` as a user runs it (docs/DESIGN.md §8): an MP4 and a WebM whose frame
//! count and duration ffprobe confirms, a folder of PNG frames, and bad specs answered with the
//! field and exit code 2; and with `--server`, the same spec rendered by a running server.
//!
//! Needs Debian's `ffmpeg` (with `ffprobe`), which scripts/setup.sh installs.

use std::path::Path;
use std::process::{Command, Output};

use julia_tests::server_binary;
use julia_tests::video::probe;
use serde_json::{Value, json};

fn animate(dir: &Path, spec: &Value, output: &str, extra: &[&str]) -> Output {
    std::fs::write(dir.join("anim.json"), spec.to_string()).unwrap();
    Command::new(server_binary())
        .current_dir(dir)
        .args([
            "animate",
            "--spec",
            "anim.json",
            "--output",
            output,
            "--backend",
            "cpu",
        ])
        .args(extra)
        .output()
        .expect("run julia-server animate")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A 2-second 12 fps zoom (24 frames) of 96×54.
fn zoom_spec() -> Value {
    julia_tests::video::zoom_spec(96, 54, 12, 2, 150)
}

#[test]
fn animate_writes_an_mp4_with_every_frame_and_the_duration() {
    let dir = tempfile::tempdir().unwrap();
    let out = animate(dir.path(), &zoom_spec(), "zoom.mp4", &[]);
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("24 frames 96x54 at 12 fps"), "{summary}");
    assert!(summary.contains("exponential-map strips"), "{summary}");
    let (frames, duration) = probe(&dir.path().join("zoom.mp4"));
    assert_eq!(frames, 24);
    assert!((duration - 2.0).abs() < 0.01, "duration {duration}");
    // Only the finished video is left: no partial file.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "anim.json")
        .collect();
    assert_eq!(names, ["zoom.mp4"]);
}

#[test]
fn animate_writes_a_webm_frame_by_frame() {
    let dir = tempfile::tempdir().unwrap();
    let out = animate(dir.path(), &zoom_spec(), "zoom.webm", &["--frame-by-frame"]);
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("rendered frame by frame"));
    let (frames, duration) = probe(&dir.path().join("zoom.webm"));
    assert_eq!(frames, 24);
    assert!((duration - 2.0).abs() < 0.1, "duration {duration}");
}

#[test]
fn animate_writes_png_frames_to_a_folder_with_their_params() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = zoom_spec();
    // A morph (c moves), so every frame is rendered and carries its own parameters.
    spec["keyframes"][1]["view"]["c"] = json!({"re": -0.7, "im": 0.3});
    let out = animate(dir.path(), &spec, "frames/", &[]);
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let mut names: Vec<_> = std::fs::read_dir(dir.path().join("frames"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 24);
    assert_eq!(names[0], "frame-000000.png");
    let last = dir.path().join("frames").join(&names[23]);
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(last).unwrap()));
    let reader = decoder.read_info().unwrap();
    let text = &reader.info().uncompressed_latin1_text;
    let params: Value = serde_json::from_str(&text[0].text).unwrap();
    assert_eq!(params["c"], json!({"re": -0.7, "im": 0.3}));
    assert_eq!(params["view_width"], json!(0.001));
}

#[test]
fn animate_bad_specs_name_the_field_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = zoom_spec();
    spec["keyframes"][1]["view"]["view_width"] = json!(-1);
    let out = animate(dir.path(), &spec, "zoom.mp4", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("keyframes[1].view.view_width"),
        "{}",
        stderr(&out)
    );
    let out = animate(dir.path(), &zoom_spec(), "zoom.gif", &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("output"), "{}", stderr(&out));
    assert!(!dir.path().join("zoom.mp4").exists());
}

#[test]
fn animate_on_a_server_downloads_its_video_and_reuses_it_when_asked_again() {
    let server = julia_tests::Server::start(&["--cpu-only"]);
    let dir = tempfile::tempdir().unwrap();
    let remote = ["--server", server.base.as_str()];
    let out = animate(dir.path(), &zoom_spec(), "zoom.mp4", &remote);
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("24 frames 96x54 at 12 fps on http://"),
        "{summary}"
    );
    assert_eq!(probe(&dir.path().join("zoom.mp4")).0, 24);
    let again = animate(dir.path(), &zoom_spec(), "again.mp4", &remote);
    assert!(again.status.success(), "stderr: {}", stderr(&again));
    assert!(String::from_utf8_lossy(&again.stdout).contains("an existing animation"));
    assert_eq!(
        std::fs::read(dir.path().join("again.mp4")).unwrap(),
        std::fs::read(dir.path().join("zoom.mp4")).unwrap()
    );

    // The server's own limits: more frames than one request may queue is bad input, exit 2.
    let mut long = zoom_spec();
    long["fps"] = 120.into();
    long["keyframes"][1]["t"] = 31.into();
    let refused = animate(dir.path(), &long, "long.mp4", &remote);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "stderr: {}",
        stderr(&refused)
    );
    assert!(
        stderr(&refused).contains("keyframes[1].t"),
        "{}",
        stderr(&refused)
    );
    let folder = animate(dir.path(), &zoom_spec(), "frames/", &remote);
    assert_eq!(folder.status.code(), Some(2), "stderr: {}", stderr(&folder));
    assert!(!dir.path().join("long.mp4").exists());
}
