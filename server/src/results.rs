//! Result storage: finished images and arrays as files named by the canonical hash.
//!
//! A result is written under a name of its own (one per attempt), synced, and only then moved to
//! its real name, by the worker that still holds the job's lease (see `jobs::commit`). The move
//! never replaces a file: two attempts at one hash produce the same bytes, so whichever lands
//! first stays, and a worker that lost its lease can never overwrite a result. A crash never
//! leaves a half-written result under a real name. A disk budget evicts the least recently used
//! results; the job store then re-renders evicted parameters when they are asked for again (see
//! `api::jobs`). File names come only from hashes this server computed (hex digits), never from
//! user input.

mod derived;
mod lru;
mod no_replace;
mod stale;
mod thumbnail;

use lru::LruIndex;

pub use stale::StaleTemporaries;
pub use thumbnail::{THUMBNAIL_SIDE, make_thumbnail, thumbnail_size};

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::SystemTime;

use render_core::OutputFormat;
use uuid::Uuid;

pub use derived::Derived;
pub use no_replace::rename_no_replace;

/// Where finished results live. The directory implementation is the embedded default; shared
/// storage for distributed mode implements the same trait.
pub trait ResultStore: Send + Sync + 'static {
    /// Starts writing the result of `hash`; nothing is visible under the real name until
    /// [`PendingResult::publish`].
    fn begin(&self, hash: &str, format: OutputFormat) -> io::Result<Box<dyn PendingResult>>;

    /// Opens a finished result for reading (and marks it recently used); `None` if absent.
    fn open(&self, hash: &str, format: OutputFormat) -> io::Result<Option<(File, u64)>>;

    fn contains(&self, hash: &str, format: OutputFormat) -> bool;

    /// Records a committed result and evicts least recently used ones over the budget.
    fn committed(&self, hash: &str, format: OutputFormat, bytes: u64);

    /// Removes a result whose last job was deleted; `false` when there was none.
    fn remove(&self, hash: &str, format: OutputFormat) -> io::Result<bool>;

    /// Starts writing a file derived from a result (escape data, a thumbnail), under the same
    /// rules as a result. A store that keeps none refuses.
    fn begin_derived(&self, hash: &str, kind: Derived) -> io::Result<Box<dyn PendingResult>> {
        let _ = hash;
        Err(derived::not_kept(kind))
    }

    /// Opens a derived file (and marks it recently used); `None` if absent.
    fn open_derived(&self, hash: &str, kind: Derived) -> io::Result<Option<(File, u64)>> {
        let _ = (hash, kind);
        Ok(None)
    }

    /// Records a committed derived file under the disk budget.
    fn committed_derived(&self, hash: &str, kind: Derived, bytes: u64) {
        let _ = (hash, kind, bytes);
    }

    /// Removes a derived file; `false` when there was none.
    fn remove_derived(&self, hash: &str, kind: Derived) -> io::Result<bool> {
        let _ = (hash, kind);
        Ok(false)
    }
}

/// A result being written under this attempt's own name. Dropped before `publish`, it is removed.
pub trait PendingResult: Send {
    fn writer(&mut self) -> &mut dyn Write;

    /// Flushes and syncs everything written; returns the size. Nothing is visible yet.
    fn finish(&mut self) -> io::Result<u64>;

    /// Moves the finished result to its real name unless a result is already there (it is never
    /// replaced), and makes the move durable.
    fn publish(self: Box<Self>) -> io::Result<Published>;
}

/// Where a published result ended up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Published {
    /// The size of the file under the real name.
    pub bytes: u64,
    /// Another attempt had already published this hash; its file was kept and this one dropped.
    pub already_present: bool,
}

/// A result being written to a temporary file beside its real name.
struct DirPending {
    writer: Option<BufWriter<File>>,
    temp: PathBuf,
    target: PathBuf,
    dir: PathBuf,
    bytes: Option<u64>,
}

impl PendingResult for DirPending {
    fn writer(&mut self) -> &mut dyn Write {
        self.writer.as_mut().expect("writer present until publish")
    }

    fn finish(&mut self) -> io::Result<u64> {
        let writer = self.writer.as_mut().expect("writer present until publish");
        writer.flush()?;
        let file = writer.get_ref();
        file.sync_all()?;
        let bytes = file.metadata()?.len();
        self.bytes = Some(bytes);
        Ok(bytes)
    }

    fn publish(mut self: Box<Self>) -> io::Result<Published> {
        let bytes = match self.bytes {
            Some(bytes) => bytes,
            None => self.finish()?,
        };
        let outcome = match rename_no_replace(&self.temp, &self.target) {
            Ok(()) => Published {
                bytes,
                already_present: false,
            },
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Published {
                bytes: fs::metadata(&self.target)?.len(),
                already_present: true,
            },
            Err(err) => return Err(err),
        };
        // The new name must survive a crash as surely as the bytes it names.
        File::open(&self.dir)?.sync_all()?;
        // Dropping now removes this attempt's temporary name if it is still there (a duplicate).
        self.writer.take();
        let _ = fs::remove_file(&self.temp);
        Ok(outcome)
    }
}

impl Drop for DirPending {
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

const TEMP_SUFFIX: &str = ".partial";

impl DirResults {
    /// Opens (creating) the directory, removes the temporaries `stale` names as crash
    /// leftovers, and indexes the existing results oldest-modified first.
    pub fn open(dir: &Path, budget_bytes: u64, stale: StaleTemporaries) -> io::Result<DirResults> {
        fs::create_dir_all(dir)?;
        let mut found = Vec::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let meta = entry.metadata()?;
            if name.ends_with(TEMP_SUFFIX) {
                if stale.is_stale(&meta) {
                    // Another node may have removed it first.
                    match fs::remove_file(entry.path()) {
                        Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
                        _ => {}
                    }
                }
                continue;
            }
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
            metrics::counter!(crate::metrics::names::RESULT_EVICTIONS).increment(1);
            tracing::info!(file = %victim, bytes = entry.bytes, "evicted result over the disk budget");
        }
    }
}

impl ResultStore for DirResults {
    fn begin(&self, hash: &str, format: OutputFormat) -> io::Result<Box<dyn PendingResult>> {
        self.begin_file(Self::file_name(hash, format))
    }

    fn open(&self, hash: &str, format: OutputFormat) -> io::Result<Option<(File, u64)>> {
        self.open_file(Self::file_name(hash, format))
    }

    fn contains(&self, hash: &str, format: OutputFormat) -> bool {
        self.dir.join(Self::file_name(hash, format)).is_file()
    }

    fn committed(&self, hash: &str, format: OutputFormat, bytes: u64) {
        self.committed_file(Self::file_name(hash, format), bytes)
    }

    fn remove(&self, hash: &str, format: OutputFormat) -> io::Result<bool> {
        self.remove_file(Self::file_name(hash, format))
    }

    fn begin_derived(&self, hash: &str, kind: Derived) -> io::Result<Box<dyn PendingResult>> {
        self.begin_file(kind.file_name(hash))
    }

    fn open_derived(&self, hash: &str, kind: Derived) -> io::Result<Option<(File, u64)>> {
        self.open_file(kind.file_name(hash))
    }

    fn committed_derived(&self, hash: &str, kind: Derived, bytes: u64) {
        self.committed_file(kind.file_name(hash), bytes)
    }

    fn remove_derived(&self, hash: &str, kind: Derived) -> io::Result<bool> {
        self.remove_file(kind.file_name(hash))
    }
}

/// Every kind of file goes through these, so derived files share the results' rules: written
/// under an attempt's name, never replaced, counted in the budget, evicted least recently used.
impl DirResults {
    fn begin_file(&self, name: String) -> io::Result<Box<dyn PendingResult>> {
        let target = self.dir.join(&name);
        // A name per attempt: two workers may render the same hash (a reclaimed lease).
        let temp = self
            .dir
            .join(format!("{name}.{}{TEMP_SUFFIX}", Uuid::new_v4()));
        let file = File::create(&temp)?;
        Ok(Box::new(DirPending {
            writer: Some(BufWriter::with_capacity(1 << 16, file)),
            temp,
            target,
            dir: self.dir.clone(),
            bytes: None,
        }))
    }

    fn open_file(&self, name: String) -> io::Result<Option<(File, u64)>> {
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

    fn committed_file(&self, name: String, bytes: u64) {
        self.index
            .lock()
            .expect("result index lock")
            .touch(name.clone(), bytes);
        self.evict_over_budget(&name);
    }

    fn remove_file(&self, name: String) -> io::Result<bool> {
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
mod tests;
