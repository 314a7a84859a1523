//! Encoding an animation's video once every frame is done (docs/DESIGN.md §8.5): an idle worker
//! claims the encode under a fenced lease, streams the frames' PNG files to ffmpeg in order (one
//! frame in memory at a time), and stores the video beside the results under the animation's
//! hash, by the same write-then-publish rule as a render's result.

use std::io;
use std::time::Instant;

use render_core::OutputFormat;

use crate::animation::{FfmpegEncoder, FrameInput, OutputKind};
use crate::jobs::worker::WorkerContext;
use crate::results::Derived;
use crate::store::animations::{ClaimedEncode, EncodeOutcome};
use julia_api_types::{JobError, VideoFormat};

/// Claims and encodes one animation if one is ready; `true` when it found one.
pub fn encode_one(ctx: &WorkerContext, worker_id: &str) -> bool {
    let animations = ctx.store.animations();
    let claimed = match ctx
        .runtime
        .block_on(animations.claim_encode(worker_id, ctx.lease))
    {
        Ok(Some(claimed)) => claimed,
        Ok(None) => return false,
        Err(err) => {
            tracing::error!(%err, "claiming an encode failed");
            return false;
        }
    };
    let span = tracing::info_span!("encode", id = %claimed.id, hash = %claimed.hash);
    let _entered = span.enter();
    tracing::info!(frames = claimed.frame_hashes.len(), "encoding");
    let started = Instant::now();
    let outcome = match encode(ctx, &claimed) {
        Ok(Some(video_bytes)) => EncodeOutcome::Done { video_bytes },
        // Drained: another worker encodes it.
        Ok(None) if ctx.control.abort_running.is_cancelled() => EncodeOutcome::Released,
        // Canceled or reclaimed: nothing to record.
        Ok(None) => return true,
        Err(error) => {
            tracing::error!(code = %error.code, message = %error.message, "encode failed");
            EncodeOutcome::Failed(error)
        }
    };
    let finish = animations.finish_encode(claimed.id, claimed.token, outcome);
    match ctx.runtime.block_on(finish) {
        Ok(true) => tracing::info!(ms = started.elapsed().as_millis() as u64, "video stored"),
        Ok(false) => tracing::info!("the encode's claim ended before it finished"),
        Err(err) => tracing::error!(%err, "recording the encode failed"),
    }
    true
}

fn failure(code: &str, message: impl Into<String>) -> JobError {
    JobError {
        code: code.into(),
        message: message.into(),
    }
}

/// Encodes and stores the video: `Ok(Some(bytes))`, `Ok(None)` when the claim ended on the way.
fn encode(ctx: &WorkerContext, claimed: &ClaimedEncode) -> Result<Option<u64>, JobError> {
    let missing = claimed
        .frame_hashes
        .iter()
        .filter(|hash| !ctx.results.contains(hash, OutputFormat::Png))
        .count();
    if missing > 0 {
        return Err(failure(
            "frames_evicted",
            format!(
                "{missing} frame files were evicted by the disk budget before the encode; submit \
                 the animation again to render them"
            ),
        ));
    }
    let (kind, suffix) = match claimed.format {
        VideoFormat::Mp4 => (OutputKind::Mp4, ".mp4"),
        VideoFormat::Webm => (OutputKind::Webm, ".webm"),
    };
    let storage = |err: io::Error| failure("storage", format!("cannot write the video: {err}"));
    // ffmpeg seeks back in an MP4 (`+faststart`), so it writes a file of its own first.
    let temp = tempfile::Builder::new()
        .prefix("julia-video-")
        .suffix(suffix)
        .tempfile()
        .map_err(storage)?;
    let mut encoder = FfmpegEncoder::start(kind, FrameInput::Png, claimed.fps, temp.path())
        .map_err(|err| failure("encoder", err.to_string()))?;
    let mut renewed = Instant::now();
    for hash in &claimed.frame_hashes {
        if ctx.control.abort_running.is_cancelled() {
            return Ok(None);
        }
        if renewed.elapsed() >= ctx.lease / 3 {
            renewed = Instant::now();
            let renew = ctx
                .store
                .animations()
                .renew_encode(claimed.id, claimed.token, ctx.lease);
            match ctx.runtime.block_on(renew) {
                Ok(true) => {}
                Ok(false) => return Ok(None),
                Err(err) => tracing::warn!(%err, "renewing the encode's lease failed"),
            }
        }
        let frame = read_frame(ctx, hash).map_err(|err| {
            failure(
                "frames_evicted",
                format!("frame {hash} could not be read: {err}"),
            )
        })?;
        encoder
            .push(&frame)
            .map_err(|err| failure("encoder", err.to_string()))?;
    }
    encoder
        .finish()
        .map_err(|err| failure("encoder", err.to_string()))?;
    let kind = Derived::Video(claimed.format);
    let mut pending = ctx
        .results
        .begin_derived(&claimed.hash, kind)
        .map_err(storage)?;
    let mut video = std::fs::File::open(temp.path()).map_err(storage)?;
    io::copy(&mut video, pending.writer()).map_err(storage)?;
    let published = pending.publish().map_err(storage)?;
    ctx.results
        .committed_derived(&claimed.hash, kind, published.bytes);
    Ok(Some(published.bytes))
}

fn read_frame(ctx: &WorkerContext, hash: &str) -> io::Result<Vec<u8>> {
    let (mut file, len) = ctx
        .results
        .open(hash, OutputFormat::Png)?
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the file is gone"))?;
    let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
    io::Read::read_to_end(&mut file, &mut bytes)?;
    Ok(bytes)
}
