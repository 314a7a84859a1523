//! Cooperative yield points, so that render threads sharing cores with a web server's threads
//! give a core back within about [`INTERVAL`] of being asked for it.
//!
//! The server runs its render threads in the `SCHED_IDLE` class, yet the kernel may defer the
//! preemption of such a thread until its next scheduler tick. On the 2-core CI kind of VM
//! (`CONFIG_HZ=250`) a request handler woken onto a core that a render thread held waited 4–8 ms,
//! one or two ticks, so the API's p99 latency under load was 8–10× its idle p99. A thread that opts
//! in with [`yield_periodically`] calls `sched_yield` at the next checkpoint once [`INTERVAL`] has
//! passed since its last yield: the kernel then runs whatever thread waits for that core, and
//! returns at once (about a microsecond) when none does.
//!
//! Checkpoints sit between parallel tasks (`par`) and every few thousand lane-iterations of the
//! escape kernel, so no task runs longer than about a tenth of a millisecond between them. Threads
//! that have not opted in (the CLI, tests, the browser) pay one thread-local read per checkpoint.

#[cfg(not(target_arch = "wasm32"))]
mod imp {
    use std::cell::Cell;
    use std::time::{Duration, Instant};

    /// Longest stretch of work between yields on an opted-in thread.
    pub const INTERVAL: Duration = Duration::from_micros(100);

    thread_local! {
        /// When this thread last yielded; `None` on threads that never yield.
        static LAST_YIELD: Cell<Option<Instant>> = const { Cell::new(None) };
        /// Yields this thread has made at checkpoints.
        static YIELDS: Cell<u64> = const { Cell::new(0) };
    }

    pub fn yield_periodically() {
        LAST_YIELD.with(|last| last.set(Some(Instant::now())));
    }

    #[inline]
    pub fn checkpoint() {
        LAST_YIELD.with(|last| {
            if let Some(since) = last.get() {
                yield_if_due(last, since);
            }
        });
    }

    #[cold]
    #[inline(never)]
    fn yield_if_due(last: &Cell<Option<Instant>>, since: Instant) {
        let now = Instant::now();
        if now.duration_since(since) >= INTERVAL {
            std::thread::yield_now();
            last.set(Some(Instant::now()));
            YIELDS.with(|n| n.set(n.get() + 1));
        }
    }

    pub fn yields_periodically() -> bool {
        LAST_YIELD.with(|last| last.get().is_some())
    }

    pub fn yields() -> u64 {
        YIELDS.with(Cell::get)
    }
}

/// The browser has one thread and no scheduler to yield to (and `Instant` panics there).
#[cfg(target_arch = "wasm32")]
mod imp {
    pub fn yield_periodically() {}

    #[inline(always)]
    pub fn checkpoint() {}

    pub fn yields_periodically() -> bool {
        false
    }

    pub fn yields() -> u64 {
        0
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use imp::INTERVAL;

/// Makes the calling thread yield its core at checkpoints, at most every [`INTERVAL`]. For
/// low-priority pools' thread start handlers.
pub fn yield_periodically() {
    imp::yield_periodically();
}

/// Whether the calling thread has opted in with [`yield_periodically`].
pub fn yields_periodically() -> bool {
    imp::yields_periodically()
}

/// How many times the calling thread has yielded at checkpoints.
pub fn yields() -> u64 {
    imp::yields()
}

/// A yield point: yields the core if this thread opted in and [`INTERVAL`] has passed since its
/// last yield. Cheap enough to call every few microseconds of work.
#[inline]
pub fn checkpoint() {
    imp::checkpoint();
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[test]
    fn an_opted_in_thread_yields_once_the_interval_has_passed() {
        std::thread::spawn(|| {
            assert!(!yields_periodically());
            std::thread::sleep(INTERVAL * 2);
            checkpoint();
            assert_eq!(yields(), 0, "threads yield only after opting in");

            yield_periodically();
            assert!(yields_periodically());
            std::thread::sleep(INTERVAL * 2);
            checkpoint();
            assert_eq!(yields(), 1, "a checkpoint after the interval yields");
        })
        .join()
        .unwrap();
        assert!(!yields_periodically(), "opting in is per thread");
    }
}
