//! Elapsed time for the cost figures the deep path reports, on every target render-core builds for.
//!
//! `std::time::Instant::now` panics on `wasm32-unknown-unknown` (the browser's clock is a web API,
//! which render-core does not link), and the browser preview runs the deep path; there the
//! stopwatch reads zero and the page measures frames with its own clock.

use std::time::Duration;

/// A started stopwatch.
pub(crate) struct Stopwatch {
    #[cfg(not(target_arch = "wasm32"))]
    started: std::time::Instant,
}

impl Stopwatch {
    pub(crate) fn start() -> Self {
        Self {
            #[cfg(not(target_arch = "wasm32"))]
            started: std::time::Instant::now(),
        }
    }

    /// Time since [`Stopwatch::start`]; zero on wasm32.
    pub(crate) fn elapsed(&self) -> Duration {
        #[cfg(not(target_arch = "wasm32"))]
        {
            self.started.elapsed()
        }
        #[cfg(target_arch = "wasm32")]
        {
            Duration::ZERO
        }
    }
}
