//! The server's colouring and PNG compression run on rayon's global pool; once the backends are
//! set up with `low_priority_cpu`, that pool's threads run at nice 19 and yield their core
//! periodically, as the CPU render pool's threads do (the API's latency under load depends on it).
//! A test binary of its own, because only a process whose global pool has not started yet can
//! set it up.

#![cfg(target_os = "linux")]

use render_gpu::render_backend::{BackendOptions, Backends, calling_thread_priority};

/// (scheduling policy, nice value, yields periodically) of the calling thread.
fn thread_manner() -> (i32, i32, bool) {
    let (policy, nice) = calling_thread_priority();
    (policy, nice, render_core::pacing::yields_periodically())
}

#[test]
fn colouring_and_encoding_run_on_yielding_nice_19_threads() {
    let _backends = Backends::detect(&BackendOptions {
        cpu_only: true,
        low_priority_cpu: true,
        cpu_threads: Some(1),
        ..BackendOptions::default()
    });
    let (tx, rx) = std::sync::mpsc::channel();
    for _ in 0..rayon::current_num_threads() {
        let tx = tx.clone();
        rayon::spawn(move || tx.send(thread_manner()).unwrap());
    }
    drop(tx);
    let manners: Vec<_> = rx.iter().collect();
    assert!(!manners.is_empty());
    assert!(
        manners.iter().all(|m| *m == (libc::SCHED_OTHER, 19, true)),
        "global pool threads: {manners:?}"
    );
    let caller = thread_manner();
    assert_eq!(caller.0, libc::SCHED_OTHER);
    assert!(caller.1 < 19, "the calling thread keeps its priority");
    assert!(!caller.2, "the calling thread does not yield");
}
