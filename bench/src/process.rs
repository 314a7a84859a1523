//! Running the real `julia-server` binary from the benchmark: finding it, and the peak resident
//! memory of a child process (the kernel's own accounting, `getrusage(RUSAGE_CHILDREN)`).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};

/// `julia-server` beside this benchmark binary (both are built by `make bench`).
pub fn server_binary() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let path = exe.with_file_name("julia-server");
    if !path.exists() {
        bail!(
            "{} is missing: run `cargo build --release -p julia-server`",
            path.display()
        );
    }
    Ok(path)
}

pub struct ChildRun {
    pub seconds: f64,
    pub peak_rss_bytes: u64,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `julia-server ARGS` to completion; fails if it fails. Must be the only child waited for
/// while it runs, since RUSAGE_CHILDREN reports the largest of all waited-for children.
pub fn run_server_command(args: &[&str]) -> anyhow::Result<ChildRun> {
    let started = Instant::now();
    let output = Command::new(server_binary()?)
        .args(args)
        .output()
        .context("starting julia-server")?;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if !output.status.success() {
        bail!("julia-server {args:?} failed: {stderr}");
    }
    Ok(ChildRun {
        seconds,
        peak_rss_bytes: children_peak_rss(),
        stdout,
        stderr,
    })
}

fn children_peak_rss() -> u64 {
    // SAFETY: getrusage only writes into the struct we pass.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as u64 * 1024 // kilobytes on Linux
}
