//! Moving a file to a name only if that name is free, atomically: `renameat2(RENAME_NOREPLACE)`
//! on Linux, else `link(2)` (which never replaces) and `unlink` of the old name. A filesystem
//! with neither (no hard links, e.g. some FUSE or FAT mounts) gets a look-then-rename, the only
//! way left, which a concurrent writer can race.

use std::fs;
use std::io;
use std::path::Path;

/// Moves `from` to `to`; `ErrorKind::AlreadyExists` (and nothing moved) when `to` exists.
pub fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    match renameat2_no_replace(from, to) {
        Err(err) if unsupported(&err) => {}
        other => return other,
    }
    match link_then_unlink(from, to) {
        Err(err) if unsupported(&err) => {
            tracing::warn!(
                dir = %to.parent().unwrap_or(to).display(),
                "the filesystem supports neither RENAME_NOREPLACE nor hard links; results are moved by look-then-rename"
            );
            if to.try_exists()? {
                return Err(io::ErrorKind::AlreadyExists.into());
            }
            fs::rename(from, to)
        }
        other => other,
    }
}

/// The filesystem (or kernel) cannot do this kind of move at all.
fn unsupported(err: &io::Error) -> bool {
    matches!(
        err.raw_os_error(),
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP | libc::EPERM)
    )
}

#[cfg(target_os = "linux")]
fn renameat2_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;

    let c_path = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a NUL byte in a path"))
    };
    let (from, to) = (c_path(from)?, c_path(to)?);
    // SAFETY: both pointers are valid NUL-terminated strings for the duration of the call.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// `link` fails with `AlreadyExists` rather than replace; the old name goes once the new exists.
fn link_then_unlink(from: &Path, to: &Path) -> io::Result<()> {
    fs::hard_link(from, to)?;
    fs::remove_file(from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let (from, to) = (dir.path().join("new.partial"), dir.path().join("result"));
        fs::write(&from, b"new").unwrap();
        (dir, from, to)
    }

    #[test]
    fn a_free_name_is_taken() {
        let (_dir, from, to) = setup();
        rename_no_replace(&from, &to).unwrap();
        assert_eq!(fs::read(&to).unwrap(), b"new");
        assert!(!from.exists());
    }

    #[test]
    fn an_existing_file_is_never_replaced() {
        let (_dir, from, to) = setup();
        fs::write(&to, b"old").unwrap();
        let err = rename_no_replace(&from, &to).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&to).unwrap(), b"old");
        assert_eq!(fs::read(&from).unwrap(), b"new", "nothing moved");
    }

    #[test]
    fn the_link_fallback_never_replaces_either() {
        let (_dir, from, to) = setup();
        fs::write(&to, b"old").unwrap();
        let err = link_then_unlink(&from, &to).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(fs::read(&to).unwrap(), b"old");
        fs::remove_file(&to).unwrap();
        link_then_unlink(&from, &to).unwrap();
        assert_eq!(fs::read(&to).unwrap(), b"new");
        assert!(!from.exists());
    }
}
