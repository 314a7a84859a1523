//! A full disk while a worker writes a result: the attempt fails with a `storage` error and the
//! job goes back to the queue (never lost); a disk that stays full ends the job as
//! `too_many_attempts`. The disk is a fault-injecting `ResultStore` around the real directory
//! store; the store, the worker loop and the CPU renderer are the real ones.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use julia_api_types::{Job, JobStatus};
use julia_server::jobs::renderer::JobRenderer;
use julia_server::jobs::worker::{WorkerContext, WorkerControl, spawn_workers};
use julia_server::results::{DirResults, PendingResult, Published, ResultStore, StaleTemporaries};
use julia_server::store::{Inserted, NewJob, StoreOptions};
use render_core::{Limits, OutputFormat, canonical_hash, parse_params};
use render_gpu::render_backend::{BackendOptions, Backends};
use tokio::sync::broadcast;

/// The real result directory, except that the first `failures` results fail to write with
/// ENOSPC, as a full disk does.
struct FullDisk {
    inner: DirResults,
    failures: AtomicU32,
}

/// Holds the real pending result only so that dropping it removes its temporary file.
struct FailingWrites {
    _real: Box<dyn PendingResult>,
}

impl Write for FailingWrites {
    fn write(&mut self, _: &[u8]) -> io::Result<usize> {
        Err(io::Error::from_raw_os_error(libc::ENOSPC))
    }

    fn flush(&mut self) -> io::Result<()> {
        Err(io::Error::from_raw_os_error(libc::ENOSPC))
    }
}

impl PendingResult for FailingWrites {
    fn writer(&mut self) -> &mut dyn Write {
        self
    }

    fn finish(&mut self) -> io::Result<u64> {
        Err(io::Error::from_raw_os_error(libc::ENOSPC))
    }

    fn publish(self: Box<Self>) -> io::Result<Published> {
        Err(io::Error::from_raw_os_error(libc::ENOSPC))
    }
}

impl ResultStore for FullDisk {
    fn begin(&self, hash: &str, format: OutputFormat) -> io::Result<Box<dyn PendingResult>> {
        let pending = self.inner.begin(hash, format)?;
        let full = self
            .failures
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok();
        Ok(if full {
            Box::new(FailingWrites { _real: pending })
        } else {
            pending
        })
    }

    fn open(&self, hash: &str, format: OutputFormat) -> io::Result<Option<(File, u64)>> {
        self.inner.open(hash, format)
    }

    fn contains(&self, hash: &str, format: OutputFormat) -> bool {
        self.inner.contains(hash, format)
    }

    fn committed(&self, hash: &str, format: OutputFormat, bytes: u64) {
        self.inner.committed(hash, format, bytes)
    }

    fn remove(&self, hash: &str, format: OutputFormat) -> io::Result<bool> {
        self.inner.remove(hash, format)
    }
}

/// Runs one job through one CPU worker on a disk that fails `failures` times; the job's events
/// until it finished.
async fn run_on_full_disk(dir: &Path, failures: u32, max_attempts: u32) -> Vec<Job> {
    let url = format!("sqlite://{}", dir.join("jobs.db").display());
    let store = julia_server::store::open(&url, StoreOptions { max_attempts })
        .await
        .unwrap();
    let results = Arc::new(FullDisk {
        inner: DirResults::open(&dir.join("results"), u64::MAX, StaleTemporaries::All).unwrap(),
        failures: AtomicU32::new(failures),
    });
    let renderer: Arc<dyn JobRenderer> = Arc::new(Backends::detect(&BackendOptions {
        cpu_only: true,
        low_priority_cpu: false,
        cpu_threads: Some(1),
        ..BackendOptions::default()
    }));
    let control = WorkerControl::default();
    let workers = spawn_workers(&WorkerContext {
        store: store.clone(),
        results,
        renderer,
        runtime: tokio::runtime::Handle::current(),
        control: control.clone(),
        lease: Duration::from_secs(30),
        node: "test".to_string(),
        job_timeout: None,
        max_work: render_core::validate::DEFAULT_MAX_WORK,
    })
    .unwrap();

    let mut events = store.subscribe();
    let params = parse_params(r#"{"width": 16, "height": 8}"#, &Limits::default()).unwrap();
    let hash = canonical_hash(&params);
    let Inserted::Created(job) = store
        .insert_or_get(
            NewJob {
                params,
                hash,
                owner: None,
            },
            100,
        )
        .await
        .unwrap()
    else {
        panic!("a new job");
    };
    let seen = tokio::time::timeout(
        Duration::from_secs(60),
        collect_until_finished(&mut events, &job),
    )
    .await
    .expect("the job finished");
    control.drain(workers, Duration::from_secs(30)).await;
    seen
}

async fn collect_until_finished(events: &mut broadcast::Receiver<Job>, job: &Job) -> Vec<Job> {
    let mut seen = vec![job.clone()];
    loop {
        match events.recv().await {
            Ok(event) if event.id == job.id => {
                let finished = !event.status.is_active();
                seen.push(event);
                if finished {
                    return seen;
                }
            }
            Ok(_) => {}
            Err(err) => panic!("event stream: {err}"),
        }
    }
}

fn requeues(seen: &[Job]) -> usize {
    seen.windows(2)
        .filter(|w| w[0].status == JobStatus::Running && w[1].status == JobStatus::Queued)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_fails_the_attempt_and_the_job_is_retried_until_stored() {
    let dir = tempfile::tempdir().unwrap();
    let seen = run_on_full_disk(dir.path(), 2, 3).await;
    let last = seen.last().unwrap();
    assert_eq!(last.status, JobStatus::Done, "{last:?}");
    assert_eq!(
        requeues(&seen),
        2,
        "each failed write sent the job back once"
    );
    let stored = std::fs::read(
        dir.path()
            .join("results")
            .join(format!("{}.png", last.hash)),
    )
    .expect("the result file");
    assert!(stored.starts_with(b"\x89PNG"), "a whole PNG was stored");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_that_stays_full_ends_the_job_as_too_many_attempts() {
    let dir = tempfile::tempdir().unwrap();
    let seen = run_on_full_disk(dir.path(), u32::MAX, 2).await;
    let last = seen.last().unwrap();
    assert_eq!(last.status, JobStatus::Failed, "{last:?}");
    assert_eq!(requeues(&seen), 1);
    let error = last.error.as_ref().unwrap();
    assert_eq!(error.code, "too_many_attempts");
    for part in ["claimed 2 times", "storage", "No space left on device"] {
        assert!(error.message.contains(part), "{}", error.message);
    }
    let left: Vec<_> = std::fs::read_dir(dir.path().join("results"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "no partial file left behind: {left:?}");
}
