//! One process per embedded data directory: an exclusive `flock` on `<data-dir>/julia-server.lock`,
//! taken before the SQLite store is opened and held for the life of the process.
//!
//! Opening the SQLite store re-queues every job left `running`, which is right after a crash and
//! wrong while another process is still rendering them (a restart begun during the old process's
//! drain). The kernel drops the lock when its holder exits however it exits, so a `kill -9` never
//! leaves a stale lock behind. The holder writes its pid into the file for the error message.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "julia-server.lock";

/// Why the data directory could not be locked.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "the data directory {dir} is in use by another julia-server process{holder}; stop it first (or use another --data-dir)",
        holder = holder.map(|pid| format!(" (pid {pid})")).unwrap_or_default()
    )]
    InUse { dir: PathBuf, holder: Option<u32> },
    #[error("cannot lock the data directory {dir}: {source}")]
    Io { dir: PathBuf, source: io::Error },
}

/// The held lock; released when dropped (or when the process ends).
#[derive(Debug)]
pub struct DataDirLock {
    _file: File,
    path: PathBuf,
}

impl DataDirLock {
    /// Takes the lock on `dir` (which must exist) without waiting.
    pub fn acquire(dir: &Path) -> Result<DataDirLock, LockError> {
        let path = dir.join(LOCK_FILE);
        let io_error = |source| LockError::Io {
            dir: dir.to_path_buf(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::InUse {
                    dir: dir.to_path_buf(),
                    holder: read_pid(&mut file),
                });
            }
            Err(TryLockError::Error(err)) => return Err(io_error(err)),
        }
        // Only the holder writes, so a reader never sees a half-written pid of a live holder.
        file.set_len(0).map_err(io_error)?;
        file.rewind().map_err(io_error)?;
        writeln!(file, "{}", std::process::id()).map_err(io_error)?;
        Ok(DataDirLock { _file: file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_directory_is_refused_naming_it_and_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let held = DataDirLock::acquire(dir.path()).unwrap();
        let err = DataDirLock::acquire(dir.path()).unwrap_err();
        let message = err.to_string();
        assert!(matches!(err, LockError::InUse { .. }), "{message}");
        assert!(
            message.contains(&dir.path().display().to_string()),
            "{message}"
        );
        assert!(
            message.contains(&format!("pid {}", std::process::id())),
            "{message}"
        );
        drop(held);
        DataDirLock::acquire(dir.path()).expect("free again once the holder is gone");
    }
}
