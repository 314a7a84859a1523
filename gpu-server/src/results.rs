//! Result storage: finished images and arrays as files named by the canonical hash.
//!
//! A result is written to a temporary name and renamed into place only when complete, so a crash
//! never leaves a half-written result under a real name. A disk budget evicts the least recently
//! used results; the job store then re-renders evicted parameters when they are asked for again
//! (see `api::jobs`). File names come only from hashes this server computed (hex digits), never
//! from user input.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use render_core::OutputFormat;
use uuid::Uuid;

/// Where finished results live. The directory implementation is the embedded default; shared
/// storage for distributed mode implements the same trait.
pub trait ResultStore: Send + Sync + 'static {
    /// Starts writing the result of `hash`; nothing is visible under the real name until
    /// [`PendingResult::commit`].
    fn begin(&self, hash: &str, format: OutputFormat) -> io::Result<PendingResult>;

    /// Opens a finished result for reading (and marks it recently used); `None` if absent.
    fn open(&self, hash: &str, format: OutputFormat) -> io::Result<Option<(File, u64)>>;

    fn contains(&self, hash: &str, format: OutputFormat) -> bool;

    /// Records a committed result and evicts least recently used ones over the budget.
    fn committed(&self, hash: &str, format: OutputFormat, bytes: u64);

    /// Removes a result whose last job was deleted; `false` when there was none.
    fn remove(&self, hash: &str, format: OutputFormat) -> io::Result<bool>;
}

/// A result being written. Dropped without `commit`, its temporary file is removed.
pub struct PendingResult {
    writer: Option<BufWriter<File>>,
    temp: PathBuf,
    target: PathBuf,
}

impl PendingResult {
    pub fn writer(&mut self) -> &mut dyn Write {
        self.writer.as_mut().expect("writer present until commit")
    }

    /// Flushes, syncs and renames the file into place; returns its size.
    pub fn commit(mut self) -> io::Result<u64> {
        let writer = self.writer.take().expect("commit once");
        let file = writer.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        let size = file.metadata()?.len();
        drop(file);
        fs::rename(&self.temp, &self.target)?;
        Ok(size)
    }
}

impl Drop for PendingResult {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// Results in one directory, with an LRU disk budget.
pub struct DirResults {
    dir: PathBuf,
    budget_bytes: u64,
    index: Mutex<LruIndex>,
}

#[derive(Default)]
struct LruIndex {
    entries: HashMap<String, Entry>,
    total_bytes: u64,
    clock: u64,
}

struct Entry {
    bytes: u64,
    last_used: u64,
}

const TEMP_SUFFIX: &str = ".partial";

impl DirResults {
    /// Opens (creating) the directory, removes temporaries left by a crash, and indexes the
    /// existing results oldest-modified first.
    pub fn open(dir: &Path, budget_bytes: u64) -> io::Result<DirResults> {
        fs::create_dir_all(dir)?;
        let mut found = Vec::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.ends_with(TEMP_SUFFIX) {
                fs::remove_file(entry.path())?;
                continue;
            }
            let meta = entry.metadata()?;
            if meta.is_file() {
                let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
                found.push((modified, name, meta.len()));
            }
        }
        found.sort();
        let mut index = LruIndex::default();
        for (_, name, bytes) in found {
            index.touch(name, bytes);
        }
        Ok(DirResults {
            dir: dir.to_path_buf(),
            budget_bytes,
            index: Mutex::new(index),
        })
    }

    fn file_name(hash: &str, format: OutputFormat) -> String {
        debug_assert!(
            hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "hashes are hex"
        );
        format!("{hash}.{}", format.extension())
    }

    fn evict_over_budget(&self, keep: &str) {
        let mut index = self.index.lock().expect("result index lock");
        while index.total_bytes > self.budget_bytes {
            let victim = index
                .entries
                .iter()
                .filter(|(name, _)| name.as_str() != keep)
                .min_by_key(|(_, e)| e.last_used)
                .map(|(name, _)| name.clone());
            let Some(victim) = victim else { break };
            // Readers that already opened the file keep streaming it (Unix unlink semantics).
            if let Err(err) = fs::remove_file(self.dir.join(&victim))
                && err.kind() != io::ErrorKind::NotFound
            {
                tracing::warn!(%err, file = %victim, "could not evict result");
                break;
            }
            let entry = index.entries.remove(&victim).expect("victim indexed");
            index.total_bytes -= entry.bytes;
            metrics::counter!("julia_result_evictions_total").increment(1);
            tracing::info!(file = %victim, bytes = entry.bytes, "evicted result over the disk budget");
        }
    }
}

impl LruIndex {
    fn touch(&mut self, name: String, bytes: u64) {
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

impl ResultStore for DirResults {
    fn begin(&self, hash: &str, format: OutputFormat) -> io::Result<PendingResult> {
        let target = self.dir.join(Self::file_name(hash, format));
        // A unique temporary name: two workers may render the same hash (a reclaimed lease).
        let temp = self.dir.join(format!(
            "{}.{}{TEMP_SUFFIX}",
            Self::file_name(hash, format),
            Uuid::new_v4()
        ));
        let file = File::create(&temp)?;
        Ok(PendingResult {
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            temp,
            target,
        })
    }

    fn open(&self, hash: &str, format: OutputFormat) -> io::Result<Option<(File, u64)>> {
        let name = Self::file_name(hash, format);
        let file = match File::open(self.dir.join(&name)) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err),
        };
        let bytes = file.metadata()?.len();
        // Recency survives a restart through the modification time (best effort).
        let _ = file.set_modified(SystemTime::now());
        self.index
            .lock()
            .expect("result index lock")
            .touch(name, bytes);
        Ok(Some((file, bytes)))
    }

    fn contains(&self, hash: &str, format: OutputFormat) -> bool {
        self.dir.join(Self::file_name(hash, format)).is_file()
    }

    fn committed(&self, hash: &str, format: OutputFormat, bytes: u64) {
        let name = Self::file_name(hash, format);
        self.index
            .lock()
            .expect("result index lock")
            .touch(name.clone(), bytes);
        self.evict_over_budget(&name);
    }

    fn remove(&self, hash: &str, format: OutputFormat) -> io::Result<bool> {
        let name = Self::file_name(hash, format);
        let mut index = self.index.lock().expect("result index lock");
        if let Some(entry) = index.entries.remove(&name) {
            index.total_bytes -= entry.bytes;
        }
        match fs::remove_file(self.dir.join(&name)) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(err) => Err(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(results: &DirResults, hash: &str, bytes: usize) {
        let mut pending = results.begin(hash, OutputFormat::Npy).unwrap();
        pending.writer().write_all(&vec![7u8; bytes]).unwrap();
        let size = pending.commit().unwrap();
        results.committed(hash, OutputFormat::Npy, size);
    }

    #[test]
    fn an_uncommitted_result_leaves_no_file() {
        let dir = tempfile::tempdir().unwrap();
        let results = DirResults::open(dir.path(), u64::MAX).unwrap();
        let mut pending = results.begin("ab", OutputFormat::Png).unwrap();
        pending.writer().write_all(b"half").unwrap();
        drop(pending);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
        assert!(!results.contains("ab", OutputFormat::Png));
    }

    #[test]
    fn the_least_recently_used_result_is_evicted_over_budget() {
        let dir = tempfile::tempdir().unwrap();
        let results = DirResults::open(dir.path(), 250).unwrap();
        write(&results, "aa", 100);
        write(&results, "bb", 100);
        assert!(results.open("aa", OutputFormat::Npy).unwrap().is_some());
        write(&results, "cc", 100);
        assert!(results.contains("aa", OutputFormat::Npy));
        assert!(
            !results.contains("bb", OutputFormat::Npy),
            "bb was least recently used"
        );
        assert!(results.contains("cc", OutputFormat::Npy));
    }

    #[test]
    fn a_removed_result_is_gone_and_others_stay() {
        let dir = tempfile::tempdir().unwrap();
        let results = DirResults::open(dir.path(), u64::MAX).unwrap();
        write(&results, "aa", 200);
        write(&results, "bb", 200);
        assert!(results.remove("aa", OutputFormat::Npy).unwrap());
        assert!(!results.contains("aa", OutputFormat::Npy));
        assert!(results.contains("bb", OutputFormat::Npy));
        assert!(!results.remove("aa", OutputFormat::Npy).unwrap());
    }

    #[test]
    fn leftover_temporaries_are_removed_on_open() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(format!("aa.png.x{TEMP_SUFFIX}")), b"junk").unwrap();
        fs::write(dir.path().join("bb.png"), b"done").unwrap();
        let results = DirResults::open(dir.path(), u64::MAX).unwrap();
        assert!(results.contains("bb", OutputFormat::Png));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
