//! The server's background threads: the CPU render pool and rayon's global pool (colouring,
//! compression) run below the async runtime's threads, at a low OS priority and yielding their
//! core every tenth of a millisecond, so rendering never delays a request (docs/BENCHMARKS.md).

/// The CPU render pool: `threads` threads, background ones ([`Background::Render`]) when
/// `low_priority` (the server), ordinary ones otherwise (the CLI renders as fast as it can).
pub(super) fn build_cpu_pool(threads: usize, low_priority: bool) -> rayon::ThreadPool {
    let mut builder = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("julia-cpu-{i}"));
    if low_priority {
        builder = builder.start_handler(|_| make_background_thread(Background::Render));
    }
    builder
        .build()
        .unwrap_or_else(|err| panic!("cannot start the CPU render pool: {err}"))
}

/// Makes rayon's global pool, where colouring and PNG compression run (for GPU and CPU jobs
/// alike), a pool of background threads ([`Background::Finishing`]). Only the first call does
/// anything; if something used the global pool before, it keeps its threads, which is logged.
pub(super) fn background_global_pool() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let built = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("julia-post-{i}"))
            .start_handler(|_| make_background_thread(Background::Finishing))
            .build_global();
        if let Err(err) = built {
            tracing::warn!(%err, "colouring and encoding keep the normal priority");
        }
    });
}

/// How far below the async runtime's threads a background thread runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Background {
    /// Escape counts on the CPU pool: the `SCHED_IDLE` class, below every other thread.
    Render,
    /// Colouring and compression on rayon's global pool: nice 19. Far below the runtime (weight
    /// 15 against 1024) but above `Render` (weight 3), so a GPU job's colouring and compression,
    /// which bound its throughput, are not halved by a CPU job rendering beside it.
    Finishing,
}

/// A thread that must not delay the async runtime's threads: a low OS priority, and a yield of
/// its core every tenth of a millisecond ([`render_core::pacing`]).
fn make_background_thread(kind: Background) {
    lower_thread_priority(kind);
    render_core::pacing::yield_periodically();
}

/// Lowers the calling thread's priority (Linux applies both calls below to the calling thread
/// only, so the async runtime's threads keep theirs). Neither a low nice value nor `SCHED_IDLE`
/// makes the kernel preempt the thread at once when a request handler wakes: it may keep the core
/// until the next scheduler tick (p99 latency ×10 under load), hence the periodic yields.
pub(super) fn lower_thread_priority(kind: Background) {
    #[cfg(target_os = "linux")]
    if kind == Background::Render {
        // SAFETY: sched_setscheduler reads the param struct we pass and nothing else.
        let param = libc::sched_param { sched_priority: 0 };
        if unsafe { libc::sched_setscheduler(0, libc::SCHED_IDLE, &param) } == 0 {
            return;
        }
    }
    // Nice 19 for finishing threads, and for render threads where `SCHED_IDLE` is refused.
    #[cfg(unix)]
    // SAFETY: setpriority touches no memory; a failure only leaves the priority as it was.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
    let _ = kind;
}

/// The calling thread's scheduling policy (`libc::SCHED_*`) and nice value: what
/// [`Background`] threads are given, for tests and diagnostics.
#[cfg(target_os = "linux")]
pub fn calling_thread_priority() -> (i32, i32) {
    // SAFETY: both calls only read the calling thread's scheduling attributes.
    unsafe {
        (
            libc::sched_getscheduler(0),
            libc::getpriority(libc::PRIO_PROCESS, 0),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render_backend::{BackendOptions, Backends};

    /// (scheduling policy, nice value, yields periodically) of the thread this runs on.
    #[cfg(target_os = "linux")]
    fn thread_manner() -> (i32, i32, bool) {
        let (policy, nice) = calling_thread_priority();
        (policy, nice, render_core::pacing::yields_periodically())
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn low_priority_backends_render_on_yielding_idle_class_threads() {
        let backends = Backends::detect(&BackendOptions {
            cpu_only: true,
            low_priority_cpu: true,
            cpu_threads: Some(2),
            ..BackendOptions::default()
        });
        // The global pool's threads are checked in tests/background_threads.rs, a process of its
        // own: here another test may have started that pool first.
        let caller = thread_manner();
        assert_eq!(
            backends.inner.cpu_pool.install(thread_manner),
            (libc::SCHED_IDLE, caller.1, true)
        );
        assert_eq!(caller.0, libc::SCHED_OTHER, "the caller keeps its class");
        assert!(!caller.2, "the caller does not yield");

        let plain = build_cpu_pool(1, false);
        assert_eq!(plain.install(thread_manner), caller);
    }
}
