//! `julia-server render` as a user runs it: the real binary, its exit codes, its messages and
//! the files it writes (docs/DESIGN.md §3b).
//!
//! The binary is found next to this test's `deps/` directory, so build it first:
//! `cargo build -p julia-server` (the Makefile's test target does).

use std::path::Path;
use std::process::{Command, Output};

use julia_tests::server_binary;

fn render(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(server_binary());
    cmd.current_dir(dir).arg("render").args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run julia-server")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Files in `dir`, sorted: proves nothing half-written or temporary is left behind.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn png_render_exits_0_and_writes_a_decodable_png_with_its_params() {
    let dir = tempfile::tempdir().unwrap();
    let out = render(
        dir.path(),
        &[
            "--width",
            "64",
            "--height",
            "48",
            "--c-re",
            "-0.7",
            "--output",
            "julia.png",
        ],
        &[],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.contains("64x48 png") && summary.contains("escape-iterations/s"),
        "{summary}"
    );
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(dir.path().join("julia.png")).unwrap(),
    ));
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    assert_eq!((info.width, info.height), (64, 48));
    let text = info
        .uncompressed_latin1_text
        .iter()
        .find(|t| t.keyword == "julia-params")
        .expect("julia-params tEXt chunk");
    let params: serde_json::Value = serde_json::from_str(&text.text).unwrap();
    assert_eq!(params["c"]["re"], -0.7, "the flag overrides c.re: {params}");
    assert_eq!(files(dir.path()), ["julia.png"]);
}

#[test]
fn npy_render_on_the_cpu_writes_counts_of_the_requested_shape() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.json"),
        r#"{"width": 40, "height": 30, "max_iter": 100}"#,
    )
    .unwrap();
    let out = render(
        dir.path(),
        &[
            "--params",
            "p.json",
            "--width",
            "50",
            "--backend",
            "cpu",
            "--output",
            "counts.npy",
        ],
        &[],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    let bytes = std::fs::read(dir.path().join("counts.npy")).unwrap();
    assert!(bytes.starts_with(b"\x93NUMPY\x01\x00"));
    let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
    let header = String::from_utf8_lossy(&bytes[10..10 + header_len]);
    assert!(
        header.contains("'shape': (30, 50)"),
        "flag overrides the file: {header}"
    );
    assert_eq!(bytes.len(), 10 + header_len + 50 * 30 * 4);
    let counts: Vec<u32> = bytes[10 + header_len..]
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert!(counts.iter().all(|&c| c <= 100));
    assert!(counts.contains(&100) && counts.iter().any(|&c| c < 100));
}

fn assert_bad_input(out: &Output, must_mention: &str, dir: &Path) {
    assert_eq!(out.status.code(), Some(2), "stderr: {}", stderr(out));
    let err = stderr(out);
    assert!(
        err.contains(must_mention),
        "stderr does not mention {must_mention}: {err}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "one clear line: {err}");
    assert!(
        files(dir).iter().all(|f| f.ends_with(".json")),
        "no output for bad input: {:?}",
        files(dir)
    );
}

#[test]
fn zero_width_exits_2_naming_width() {
    let dir = tempfile::tempdir().unwrap();
    let out = render(dir.path(), &["--width", "0", "--output", "a.png"], &[]);
    assert_bad_input(&out, "`width`", dir.path());
}

#[test]
fn unknown_field_in_params_file_exits_2_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("p.json"),
        r#"{"width": 10, "max_iters": 5}"#,
    )
    .unwrap();
    let out = render(
        dir.path(),
        &["--params", "p.json", "--output", "a.png"],
        &[],
    );
    assert_bad_input(&out, "`max_iters`", dir.path());
}

#[test]
fn malformed_params_file_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("p.json"), r#"{"width": 10,"#).unwrap();
    let out = render(
        dir.path(),
        &["--params", "p.json", "--output", "a.png"],
        &[],
    );
    assert_bad_input(&out, "malformed JSON in p.json", dir.path());
}

#[test]
fn unknown_output_extension_exits_2_naming_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = render(dir.path(), &["--output", "a.jpg"], &[]);
    assert_bad_input(&out, "`output`", dir.path());
}

#[test]
fn a_width_over_the_per_side_limit_exits_2_naming_width_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let out = render(
        dir.path(),
        &[
            "--width",
            "268435456",
            "--height",
            "1",
            "--supersample",
            "4",
            "--output",
            "a.png",
        ],
        &[],
    );
    assert_bad_input(&out, "`width`", dir.path());
    assert!(stderr(&out).contains("65536"), "{}", stderr(&out));
}

#[test]
fn format_that_contradicts_the_extension_exits_2_naming_format() {
    let dir = tempfile::tempdir().unwrap();
    let out = render(dir.path(), &["--format", "npy", "--output", "a.png"], &[]);
    assert_bad_input(&out, "`format`", dir.path());
}

#[test]
fn backend_gpu_without_an_adapter_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = render(
        dir.path(),
        &[
            "--backend",
            "gpu",
            "--width",
            "8",
            "--height",
            "8",
            "--output",
            "a.png",
        ],
        &[("JULIA_DISABLE_GPU", "1")],
    );
    assert_eq!(out.status.code(), Some(1), "stderr: {}", stderr(&out));
    assert!(
        stderr(&out).contains("no usable GPU adapter"),
        "{}",
        stderr(&out)
    );
    assert!(files(dir.path()).is_empty());
}

#[test]
fn backend_auto_without_an_adapter_renders_on_the_cpu() {
    let dir = tempfile::tempdir().unwrap();
    let out = render(
        dir.path(),
        &["--width", "8", "--height", "8", "--output", "a.npy"],
        &[("JULIA_DISABLE_GPU", "1")],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("on cpu"));
}

#[test]
fn piped_stderr_carries_no_progress_bar_escape_codes() {
    let dir = tempfile::tempdir().unwrap();
    let out = render(
        dir.path(),
        &["--width", "400", "--height", "300", "--output", "a.png"],
        &[],
    );
    assert!(out.status.success(), "stderr: {}", stderr(&out));
    assert!(
        !out.stderr.contains(&0x1b),
        "escape codes on piped stderr: {:?}",
        stderr(&out)
    );
    assert!(
        !out.stderr.contains(&b'\r'),
        "carriage returns on piped stderr"
    );
}
