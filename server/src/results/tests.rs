//! The directory result store: publishing never replaces, uncommitted results vanish, the LRU
//! budget, removal, and crash leftovers.

use super::*;
use std::time::Duration;

fn write(results: &DirResults, hash: &str, bytes: usize) {
    let mut pending = results.begin(hash, OutputFormat::Npy).unwrap();
    pending.writer().write_all(&vec![7u8; bytes]).unwrap();
    let published = pending.publish().unwrap();
    results.committed(hash, OutputFormat::Npy, published.bytes);
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn publishing_never_replaces_a_result_another_attempt_published() {
    let dir = tempfile::tempdir().unwrap();
    let results = DirResults::open(dir.path(), u64::MAX, StaleTemporaries::All).unwrap();
    let mut first = results.begin("ab", OutputFormat::Png).unwrap();
    let mut late = results.begin("ab", OutputFormat::Png).unwrap();
    first.writer().write_all(b"first attempt").unwrap();
    late.writer().write_all(b"late").unwrap();
    assert_eq!(late.finish().unwrap(), 4);
    let placed = first.publish().unwrap();
    assert_eq!((placed.bytes, placed.already_present), (13, false));
    let kept = late.publish().unwrap();
    assert_eq!((kept.bytes, kept.already_present), (13, true));
    assert_eq!(
        fs::read(dir.path().join("ab.png")).unwrap(),
        b"first attempt"
    );
    assert_eq!(
        names(dir.path()),
        ["ab.png"],
        "the late attempt left nothing behind"
    );
}

#[test]
fn an_uncommitted_result_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let results = DirResults::open(dir.path(), u64::MAX, StaleTemporaries::All).unwrap();
    let mut pending = results.begin("ab", OutputFormat::Png).unwrap();
    pending.writer().write_all(b"half").unwrap();
    pending.finish().unwrap();
    drop(pending);
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    assert!(!results.contains("ab", OutputFormat::Png));
}

#[test]
fn the_least_recently_used_result_is_evicted_over_budget() {
    let dir = tempfile::tempdir().unwrap();
    let results = DirResults::open(dir.path(), 250, StaleTemporaries::All).unwrap();
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
    let results = DirResults::open(dir.path(), u64::MAX, StaleTemporaries::All).unwrap();
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
    let results = DirResults::open(dir.path(), u64::MAX, StaleTemporaries::All).unwrap();
    assert!(results.contains("bb", OutputFormat::Png));
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_shared_directory_keeps_another_nodes_render_in_progress() {
    let dir = tempfile::tempdir().unwrap();
    let in_progress = dir.path().join(format!("aa.png.x{TEMP_SUFFIX}"));
    let abandoned = dir.path().join(format!("bb.png.y{TEMP_SUFFIX}"));
    fs::write(&in_progress, b"half").unwrap();
    fs::write(&abandoned, b"junk").unwrap();
    let long_ago = SystemTime::now() - Duration::from_secs(2 * 60 * 60);
    fs::File::options()
        .write(true)
        .open(&abandoned)
        .unwrap()
        .set_modified(long_ago)
        .unwrap();
    let stale = StaleTemporaries::for_shared_dir(Some(Duration::from_secs(60 * 60)));
    DirResults::open(dir.path(), u64::MAX, stale).unwrap();
    assert!(
        in_progress.exists(),
        "a fresh temporary may be another worker's"
    );
    assert!(
        !abandoned.exists(),
        "older than any job may run: a crash's leftover"
    );
}
