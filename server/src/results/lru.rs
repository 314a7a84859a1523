//! The in-memory index of result files by last use, which the disk budget evicts from.

use std::collections::HashMap;

#[derive(Default)]
pub(super) struct LruIndex {
    pub(super) entries: HashMap<String, Entry>,
    pub(super) total_bytes: u64,
    clock: u64,
}

pub(super) struct Entry {
    pub(super) bytes: u64,
    pub(super) last_used: u64,
}

impl LruIndex {
    pub(super) fn touch(&mut self, name: String, bytes: u64) {
        self.clock += 1;
        let clock = self.clock;
        match self.entries.get_mut(&name) {
            Some(entry) => {
                self.total_bytes = self.total_bytes - entry.bytes + bytes;
                entry.bytes = bytes;
                entry.last_used = clock;
            }
            None => {
                self.total_bytes += bytes;
                self.entries.insert(
                    name,
                    Entry {
                        bytes,
                        last_used: clock,
                    },
                );
            }
        }
    }
}
