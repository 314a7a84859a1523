//! A small LRU of reference orbits shared by every render in the process, so that jobs and
//! previews of the same place (and every band of one image) compute their orbits once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::Orbit;
use crate::decimal::Decimal;

/// Orbits kept. An orbit is at most `MAX_ITER_LIMIT + 1` points of 16 bytes (16 MiB at 10^6
/// iterations), so the cache holds at most about 128 MiB, and usually a few KiB to a few MiB.
const CAPACITY: usize = 8;

/// What determines an orbit's points (its length aside: a longer orbit serves a shorter request).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub(super) struct OrbitKey {
    pub start: [Decimal; 2],
    pub c: [Decimal; 2],
    pub bits: u32,
}

/// Counters of the orbit cache since the process started.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct OrbitCacheStats {
    pub hits: u64,
    pub misses: u64,
    /// Time spent computing the orbits that were missing.
    pub compute_time: Duration,
    /// Orbits held now.
    pub held: usize,
}

struct Cache {
    /// Most recently used last.
    entries: Vec<(OrbitKey, Arc<Orbit>)>,
    stats: OrbitCacheStats,
}

static CACHE: Mutex<Cache> = Mutex::new(Cache {
    entries: Vec::new(),
    stats: OrbitCacheStats {
        hits: 0,
        misses: 0,
        compute_time: Duration::ZERO,
        held: 0,
    },
});

fn cache() -> std::sync::MutexGuard<'static, Cache> {
    // A panic while holding the lock leaves the cache consistent (every update is one push or
    // remove), so a poisoned lock is still usable.
    CACHE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The cached orbit for `key` with at least `len` points (or complete because it escaped).
pub(super) fn lookup(key: &OrbitKey, len: usize) -> Option<Arc<Orbit>> {
    let mut cache = cache();
    let found = cache
        .entries
        .iter()
        .position(|(k, orbit)| k == key && (orbit.len() >= len || orbit.escaped));
    match found {
        Some(i) => {
            let entry = cache.entries.remove(i);
            let orbit = Arc::clone(&entry.1);
            cache.entries.push(entry);
            cache.stats.hits += 1;
            Some(orbit)
        }
        None => {
            cache.stats.misses += 1;
            None
        }
    }
}

/// Adds a computed orbit, replacing a shorter one of the same key and evicting the least recently
/// used beyond [`CAPACITY`].
pub(super) fn insert(key: OrbitKey, orbit: Arc<Orbit>, took: Duration) {
    let mut cache = cache();
    cache.entries.retain(|(k, _)| *k != key);
    cache.entries.push((key, orbit));
    if cache.entries.len() > CAPACITY {
        cache.entries.remove(0);
    }
    cache.stats.compute_time += took;
    cache.stats.held = cache.entries.len();
}

/// The cache's counters (for logs, benchmarks and tests).
pub fn orbit_cache_stats() -> OrbitCacheStats {
    let cache = cache();
    OrbitCacheStats {
        held: cache.entries.len(),
        ..cache.stats
    }
}
