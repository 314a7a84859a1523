//! Bounded memory per job: `julia-server render` of the widest image allowed (65536 pixels, one
//! row, supersample 4: 2^20 samples in its one band) and of a taller image of the same width stays
//! within the documented per-job bound (README, "Memory per job") above the process's own
//! baseline, measured as the child's peak RSS (`wait4`'s `ru_maxrss`).
//!
//! Build the binary first: `cargo build -p julia-server`.

use std::path::Path;
use std::process::{Command, Stdio};

use julia_tests::server_binary;

/// The documented bound on one job's buffers (README, "Memory per job").
const PER_JOB_BOUND_MIB: u64 = 64;

/// Runs `julia-server render` with `args` in `dir`; whether it succeeded and its peak RSS in KiB.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which also reports its own rusage"
)]
fn render_peak_rss_kib(dir: &Path, args: &[&str]) -> (bool, u64) {
    let child = Command::new(server_binary())
        .current_dir(dir)
        .arg("render")
        .args(["--backend", "cpu"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start julia-server render");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child, with valid pointers to locals; `child` is never waited on
    // again (dropping a std Child neither waits nor kills).
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    // Linux reports ru_maxrss in KiB.
    (ok, usage.ru_maxrss as u64)
}

#[test]
fn the_widest_supersampled_render_stays_within_the_per_job_memory_bound() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, baseline) = render_peak_rss_kib(
        dir.path(),
        &["--width", "1", "--height", "1", "--output", "tiny.png"],
    );
    assert!(ok, "the baseline render failed");
    for height in ["1", "16"] {
        let (ok, peak) = render_peak_rss_kib(
            dir.path(),
            &[
                "--width",
                "65536",
                "--height",
                height,
                "--supersample",
                "4",
                "--max-iter",
                "64",
                "--view-width",
                "3",
                "--output",
                "wide.png",
            ],
        );
        assert!(ok, "the 65536x{height} render failed");
        let above = peak.saturating_sub(baseline) / 1024;
        eprintln!(
            "65536x{height} supersample 4: peak RSS {peak} KiB, {above} MiB above a 1x1 render"
        );
        assert!(
            above < PER_JOB_BOUND_MIB,
            "65536x{height} supersample 4 used {above} MiB above the baseline ({baseline} KiB); the bound is {PER_JOB_BOUND_MIB} MiB"
        );
        let meta = std::fs::metadata(dir.path().join("wide.png")).expect("the PNG was written");
        assert!(meta.len() > 0);
    }
}
