//! The end of a job's attempt: storing its result under the lease, and ending an attempt whose
//! result could not be stored.
//!
//! The result file is published only by the holder of the current lease: a fenced heartbeat right
//! before the move confirms the claim, and the move never replaces an existing file, so a worker
//! that lost its lease between the two can at worst add nothing. A write that fails (disk full,
//! quota, an I/O error) is not the job's fault: the attempt ends with a `storage` error and the
//! job goes back to the queue, the try counted, so a disk that stays broken ends the job as
//! `too_many_attempts` rather than retrying for ever.

use std::io::{self, Write};
use std::time::Instant;

use uuid::Uuid;

use super::WorkerContext;
use crate::jobs::renderer::Rendered;
use crate::metrics::names::{ATTEMPT_FAILURES, RENDER_DURATION};
use crate::results::PendingResult;
use crate::store::Completion;
use julia_api_types::{Job, JobError};

/// The error code of an attempt whose result could not be stored.
pub const STORAGE: &str = "storage";

/// Finishes, publishes under the lease, and completes a rendered job.
pub(super) fn store_result(
    ctx: &WorkerContext,
    job: &Job,
    token: i64,
    mut pending: Box<dyn PendingResult>,
    rendered: Rendered,
    started: Instant,
) {
    let id = job.id;
    if let Err(err) = pending.finish() {
        return storage_failure(ctx, id, token, format!("cannot store the result: {err}"));
    }
    match ctx
        .runtime
        .block_on(ctx.store.heartbeat(id, token, ctx.lease))
    {
        Ok(true) => {}
        Ok(false) => {
            tracing::info!(
                "finished, but the job was canceled or reclaimed meanwhile; result dropped"
            );
            return;
        }
        Err(err) => {
            tracing::error!(%err, "cannot confirm the claim; result dropped, the job will be re-run");
            return;
        }
    }
    let published = match pending.publish() {
        Ok(published) => published,
        Err(err) => {
            return storage_failure(ctx, id, token, format!("cannot store the result: {err}"));
        }
    };
    if published.already_present {
        tracing::info!("an earlier attempt already stored this result; kept it");
    }
    ctx.results
        .committed(&job.hash, job.params.format, published.bytes);
    let elapsed = started.elapsed();
    metrics::histogram!(RENDER_DURATION, "backend" => rendered.backend.clone())
        .record(elapsed.as_secs_f64());
    let completion = Completion {
        backend: rendered.backend,
        device: rendered.device,
        duration_ms: u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
    };
    match ctx
        .runtime
        .block_on(ctx.store.complete(id, token, completion))
    {
        Ok(true) => tracing::info!(
            ms = elapsed.as_millis() as u64,
            bytes = published.bytes,
            "done"
        ),
        // Canceled or reclaimed since the check; the file is still a correct render of its
        // hash, so it stays for whoever asks for these params next.
        Ok(false) => tracing::info!("finished, but the job was canceled or reclaimed meanwhile"),
        Err(err) => tracing::error!(%err, "recording completion failed; the job will be re-run"),
    }
}

/// Ends this attempt with a `storage` error: back to the queue, or `too_many_attempts` on the
/// last try.
pub(super) fn storage_failure(ctx: &WorkerContext, id: Uuid, token: i64, message: String) {
    tracing::error!(code = STORAGE, %message, "the attempt failed; the job goes back to the queue");
    metrics::counter!(ATTEMPT_FAILURES, "reason" => STORAGE).increment(1);
    let error = JobError {
        code: STORAGE.to_string(),
        message,
    };
    match ctx
        .runtime
        .block_on(ctx.store.fail_attempt(id, token, error))
    {
        Ok(true) => {}
        Ok(false) => tracing::info!("the job was canceled or reclaimed meanwhile"),
        Err(err) => tracing::error!(%err, "recording the failed attempt failed"),
    }
}

/// Passes writes through and remembers the first error, so a failed render can be told apart
/// from a failed disk however the renderer reports it.
pub(super) struct WriteErrors<'a> {
    inner: &'a mut dyn Write,
    first: Option<io::Error>,
}

impl<'a> WriteErrors<'a> {
    pub(super) fn new(inner: &'a mut dyn Write) -> WriteErrors<'a> {
        WriteErrors { inner, first: None }
    }

    /// The first write or flush error, if any.
    pub(super) fn into_first(self) -> Option<io::Error> {
        self.first
    }

    fn record<T>(&mut self, result: io::Result<T>) -> io::Result<T> {
        result.map_err(|err| {
            if err.kind() == io::ErrorKind::Interrupted {
                return err;
            }
            let copy = io::Error::new(err.kind(), err.to_string());
            self.first.get_or_insert(err);
            copy
        })
    }
}

impl Write for WriteErrors<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let result = self.inner.write(buf);
        self.record(result)
    }

    fn flush(&mut self) -> io::Result<()> {
        let result = self.inner.flush();
        self.record(result)
    }
}
