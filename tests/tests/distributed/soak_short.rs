//! The soak of `make soak` in miniature, in every test run: a few kills of the server (SQLite)
//! and of workers (PostgreSQL) under client load must lose no job, finish none twice and answer
//! no request with a 5xx.

use std::process::Command;

/// The `kill -9 survived` figure of each mode, from the soak's table.
fn kills_per_mode(stdout: &str) -> Vec<u64> {
    stdout
        .lines()
        .filter(|l| l.starts_with("| `kill -9` survived |"))
        .filter_map(|l| l.split('|').nth(2)?.trim().parse().ok())
        .collect()
}

#[test]
fn short_soak_loses_nothing_under_kill_9() {
    let _alone = crate::ONE_AT_A_TIME.blocking_lock();
    let out = Command::new(env!("CARGO_BIN_EXE_julia-soak"))
        .args(["--seconds", "20", "--clients", "8"])
        .args(["--kill-min", "2", "--kill-max", "5", "--modes", "both"])
        .args(["--settle-seconds", "120"])
        .arg("--server")
        .arg(julia_tests::server_binary())
        .output()
        .expect("run julia-soak");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "soak failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("soak: 0 lost, 0 finished twice, 0 5xx"),
        "{stdout}"
    );
    let kills = kills_per_mode(&stdout);
    assert_eq!(kills.len(), 2, "one figure per mode:\n{stdout}");
    assert!(
        kills.iter().all(|&k| k >= 2),
        "the chaos loop must really kill: {kills:?}"
    );
}
