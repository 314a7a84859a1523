//! `StopFlag`: a render's "stop now" switch, raised by whoever owns the job (cancel, drain, time
//! limit, Ctrl-C) and read by the backends inside a band, so that stopping never waits for a
//! whole band of a heavy render.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// A shared, one-way flag: once raised it stays raised. Cheap to clone; every clone sees the same
/// flag.
#[derive(Clone, Debug, Default)]
pub struct StopFlag(Arc<AtomicBool>);

impl StopFlag {
    /// A flag that is not raised.
    pub fn new() -> Self {
        Self::default()
    }

    /// Raises the flag: running renders stop at their next check.
    pub fn stop(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Whether the flag has been raised.
    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
