//! Which leftover temporaries (`.partial` files of attempts that never finished) a process may
//! delete when it opens the results directory.

use std::fs;
use std::time::Duration;

/// Which leftover `.partial` files [`DirResults::open`] may delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaleTemporaries {
    /// Every one: this process alone writes the directory (the SQLite data-directory lock is
    /// held), so any temporary is a crash's leftover.
    All,
    /// Only those not modified for this long: in distributed mode other nodes share the
    /// directory, and a fresh temporary may be another worker's render in progress.
    OlderThan(Duration),
}

impl StaleTemporaries {
    /// For a shared directory: a temporary untouched for longer than any job may run is dead
    /// (a day when jobs have no time limit).
    pub fn for_shared_dir(job_timeout: Option<Duration>) -> StaleTemporaries {
        const MARGIN: Duration = Duration::from_secs(10 * 60);
        const NO_LIMIT: Duration = Duration::from_secs(24 * 60 * 60);
        StaleTemporaries::OlderThan(job_timeout.map_or(NO_LIMIT, |limit| limit + MARGIN))
    }

    pub(super) fn is_stale(self, meta: &fs::Metadata) -> bool {
        match self {
            StaleTemporaries::All => true,
            StaleTemporaries::OlderThan(age) => meta
                .modified()
                .ok()
                .and_then(|modified| modified.elapsed().ok())
                .is_some_and(|elapsed| elapsed > age),
        }
    }
}
