//! Colour without a render (docs/DESIGN.md §5): a job whose escape data is already stored (a
//! finished job that differs only in palette, colour mapping, offset or format) is coloured from
//! it, and every render stores its escape data for the jobs that follow.
//!
//! The data is `render_core::encode::EscapesStreamEncoder` output, gzip-compressed, kept as a
//! derived file beside the results (`results::Derived::Escapes`), so it lives under the same disk
//! budget and, in distributed mode, in the shared results directory every worker reads.

use std::fs::File;
use std::io::{self, BufReader, Write};
use std::sync::Arc;

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use render_core::{Flow, Progress, RenderError, RenderParams, StopFlag, StoredEscapes};

use super::WorkerContext;
use crate::jobs::renderer::{RenderFailure, Rendered};
use crate::metrics::names::RECOLOURED_JOBS;
use crate::results::{Derived, PendingResult, ResultStore};

/// The `backend` of a job coloured from stored escape data.
pub const RECOLOUR_BACKEND: &str = "recolour";

/// Renders with more samples than this keep no escape data (8 bytes a sample before
/// compression): 4096² pixels, or 2048² at supersample 2. Their recolouring renders again.
pub const MAX_STORED_SAMPLES: u64 = 1 << 24;

/// A job's stored escape data, found before its render.
pub(super) struct Recolour {
    results: Arc<dyn ResultStore>,
    hash: String,
    first: Option<File>,
    /// Set when the data could not be read back: the attempt is retried without it.
    unreadable: Option<String>,
}

impl Recolour {
    /// The stored escape data for `params`, if any.
    pub(super) fn find(ctx: &WorkerContext, params: &RenderParams) -> Option<Recolour> {
        let hash = render_core::escapes_hash(params);
        match ctx.results.open_derived(&hash, Derived::Escapes) {
            Ok(Some((file, _))) => Some(Recolour {
                results: ctx.results.clone(),
                hash,
                first: Some(file),
                unreadable: None,
            }),
            Ok(None) => None,
            Err(err) => {
                tracing::warn!(%err, "stored escape data cannot be opened; rendering instead");
                None
            }
        }
    }

    /// Colours `params` from the stored data into `out`.
    pub(super) fn run(
        &mut self,
        params: &RenderParams,
        out: &mut dyn Write,
        stop: &StopFlag,
        on_band: &mut dyn FnMut(Progress) -> Flow,
    ) -> Result<Rendered, RenderFailure> {
        let (results, hash) = (self.results.clone(), self.hash.clone());
        let mut first = self.first.take();
        let mut source = StoredEscapes::new(move || {
            let file = match first.take() {
                Some(file) => file,
                None => {
                    results
                        .open_derived(&hash, Derived::Escapes)?
                        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "evicted"))?
                        .0
                }
            };
            Ok(GzDecoder::new(BufReader::with_capacity(1 << 16, file)))
        });
        match render_core::render_to_writer(params, &mut source, out, stop, on_band) {
            Ok(stats) => {
                metrics::counter!(RECOLOURED_JOBS).increment(1);
                Ok(Rendered {
                    stats,
                    backend: RECOLOUR_BACKEND.to_string(),
                    device: "stored escape data".to_string(),
                })
            }
            Err(RenderError::Canceled) => Err(RenderFailure::Canceled),
            Err(RenderError::Source(err)) => {
                // Corrupt or evicted under us: remove it, so the retry renders afresh.
                let message = format!("the stored escape data is unusable: {err}");
                if let Err(err) = self.results.remove_derived(&self.hash, Derived::Escapes) {
                    tracing::warn!(%err, "removing unusable escape data failed");
                }
                self.unreadable = Some(message.clone());
                Err(RenderFailure::Failed(message))
            }
            Err(RenderError::Io(err)) => Err(RenderFailure::Failed(err.to_string())),
        }
    }

    /// Why the stored data could not be used, when it could not.
    pub(super) fn unreadable(&self) -> Option<&str> {
        self.unreadable.as_deref()
    }
}

/// The escape data of a render being written, compressed, beside its result. Best effort: a
/// failed write drops the data and never the render.
pub(super) struct EscapesCapture {
    hash: String,
    writer: BestEffort<GzEncoder<PendingWriter>>,
}

impl EscapesCapture {
    /// Starts capturing, unless the render is too large to keep or the file cannot be created.
    pub(super) fn begin(ctx: &WorkerContext, params: &RenderParams) -> Option<EscapesCapture> {
        let ss = u64::from(params.supersample);
        if params.pixel_count() * ss * ss > MAX_STORED_SAMPLES {
            return None;
        }
        let hash = render_core::escapes_hash(params);
        match ctx.results.begin_derived(&hash, Derived::Escapes) {
            Ok(pending) => Some(EscapesCapture {
                hash,
                writer: BestEffort {
                    inner: GzEncoder::new(PendingWriter(pending), Compression::fast()),
                    failed: None,
                },
            }),
            Err(err) => {
                tracing::warn!(%err, "cannot store this render's escape data");
                None
            }
        }
    }

    pub(super) fn writer(&mut self) -> &mut dyn Write {
        &mut self.writer
    }

    /// Publishes the captured data (after a successful render) under the disk budget.
    pub(super) fn publish(self, ctx: &WorkerContext) {
        if let Some(err) = self.writer.failed {
            tracing::warn!(%err, "this render's escape data was not stored");
            return;
        }
        let published = self
            .writer
            .inner
            .finish()
            .and_then(|PendingWriter(mut pending)| {
                pending.finish()?;
                pending.publish()
            });
        match published {
            Ok(published) => {
                ctx.results
                    .committed_derived(&self.hash, Derived::Escapes, published.bytes)
            }
            Err(err) => tracing::warn!(%err, "this render's escape data was not stored"),
        }
    }
}

/// A pending derived file as a writer (the compressor owns it).
struct PendingWriter(Box<dyn PendingResult>);

impl Write for PendingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.writer().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.writer().flush()
    }
}

/// Swallows errors after remembering the first, so the render it rides along never sees one.
struct BestEffort<W: Write> {
    inner: W,
    failed: Option<io::Error>,
}

impl<W: Write> Write for BestEffort<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.failed.is_none()
            && let Err(err) = self.inner.write_all(buf)
        {
            self.failed = Some(err);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.failed.is_none()
            && let Err(err) = self.inner.flush()
        {
            self.failed = Some(err);
        }
        Ok(())
    }
}
