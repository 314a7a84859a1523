//! Render workers: one OS thread per GPU adapter and one for the CPU pool, all claiming from the
//! same store queue, so an idle CPU worker takes the next job while the GPU is busy. Rendering
//! never runs on the async runtime; the workers reach the (async) store through a runtime handle.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use render_core::{Flow, Progress, StopFlag};
use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;

use crate::jobs::deadline::{JobDeadline, TIMEOUT_CODE};
use crate::jobs::encode::encode_one;
use crate::jobs::renderer::{JobRenderer, RenderFailure, WorkerTarget};
use crate::jobs::watch::JobWatch;
use crate::metrics::names::RENDERED_SAMPLES;
use crate::results::ResultStore;
use crate::store::{ClaimedJob, JobStore};
use julia_api_types::JobError;

mod commit;
mod recolour;
use commit::{WriteErrors, storage_failure, store_result};
use recolour::{EscapesCapture, Recolour};
pub use recolour::{MAX_STORED_SAMPLES, RECOLOUR_BACKEND};

/// Progress is persisted (and so broadcast) at most this often per job.
const PROGRESS_INTERVAL: Duration = Duration::from_millis(250);
/// An idle worker re-checks the queue this often even without a wake-up (lease expiries).
const IDLE_POLL: Duration = Duration::from_secs(1);
/// How long the worker of a software adapter (Mesa's lavapipe) waits before each claim, so an
/// idle CPU worker takes the job first: the adapter runs on the same cores, and more slowly
/// (on 2 cores, a 1024×768 deep view at 1e-33: 3.8 s on lavapipe, 0.15–0.19 s on the CPU pool).
/// It still takes the jobs that wait while the CPU worker is busy.
const SOFTWARE_ADAPTER_DEFERS: Duration = Duration::from_millis(200);

/// Shutdown switches shared by every worker.
#[derive(Clone, Default)]
pub struct WorkerControl {
    /// No new claims (drain has begun).
    pub stop_claiming: CancellationToken,
    /// Running renders stop and their jobs go back to the queue (the drain grace period is over).
    pub abort_running: CancellationToken,
}

impl WorkerControl {
    /// The drain: no new claims; running renders get `grace` to finish, then stop and go back to
    /// the queue. Returns when every worker thread has ended.
    pub async fn drain(&self, workers: Vec<JoinHandle<()>>, grace: Duration) {
        self.stop_claiming.cancel();
        let mut joined = tokio::task::spawn_blocking(move || {
            for worker in workers {
                let _ = worker.join();
            }
        });
        if tokio::time::timeout(grace, &mut joined).await.is_err() {
            tracing::info!("grace period over: running jobs go back to the queue");
            self.abort_running.cancel();
            let _ = joined.await;
        }
    }
}

/// What every worker needs.
#[derive(Clone)]
pub struct WorkerContext {
    pub store: Arc<dyn JobStore>,
    pub results: Arc<dyn ResultStore>,
    pub renderer: Arc<dyn JobRenderer>,
    pub runtime: Handle,
    pub control: WorkerControl,
    pub lease: Duration,
    /// Distinguishes this process's workers in lease records.
    pub node: String,
    /// Wall-clock limit of one render; `None`: none.
    pub job_timeout: Option<Duration>,
    /// Work budget in sample-iterations: a claimed job over it (queued by a node with a larger
    /// budget) fails with code `over_budget` instead of rendering.
    pub max_work: u64,
}

/// Starts one worker thread per render target.
pub fn spawn_workers(ctx: &WorkerContext) -> std::io::Result<Vec<JoinHandle<()>>> {
    ctx.renderer
        .targets()
        .into_iter()
        .map(|target| {
            let name = match target {
                WorkerTarget::Gpu(i) => format!("gpu{i}"),
                WorkerTarget::Cpu => "cpu".to_string(),
            };
            let ctx = ctx.clone();
            std::thread::Builder::new()
                .name(format!("julia-worker-{name}"))
                .spawn(move || run_worker(&ctx, target, &format!("{}/{name}", ctx.node)))
        })
        .collect()
}

/// Whether `target`'s worker lets the CPU worker claim first: a software adapter beside a CPU
/// worker.
fn defers_to_cpu(renderer: &dyn JobRenderer, target: WorkerTarget) -> bool {
    let WorkerTarget::Gpu(index) = target else {
        return false;
    };
    let software = renderer
        .info()
        .gpus
        .get(index)
        .is_some_and(|gpu| gpu.device_type == "cpu");
    software && renderer.targets().contains(&WorkerTarget::Cpu)
}

fn run_worker(ctx: &WorkerContext, target: WorkerTarget, worker_id: &str) {
    let defers = defers_to_cpu(ctx.renderer.as_ref(), target);
    tracing::info!(
        worker = worker_id,
        defers_to_cpu = defers,
        "render worker started"
    );
    let mut work = ctx.store.work_signal();
    while !ctx.control.stop_claiming.is_cancelled() {
        // Mark the signal seen before looking, so a job queued after the look wakes us.
        work.borrow_and_update();
        if defers {
            ctx.runtime.block_on(async {
                tokio::select! {
                    _ = tokio::time::sleep(SOFTWARE_ADAPTER_DEFERS) => {}
                    _ = ctx.control.stop_claiming.cancelled() => {}
                }
            });
            if ctx.control.stop_claiming.is_cancelled() {
                break;
            }
        }
        match ctx.runtime.block_on(ctx.store.claim(worker_id, ctx.lease)) {
            Ok(Some(claimed)) => run_job(ctx, target, claimed),
            // No render to do: an animation whose frames are all done may wait for its encode
            // (checked each idle poll: a frame finishing elsewhere sends no wake-up).
            Ok(None) if encode_one(ctx, worker_id) => {}
            Ok(None) => ctx.runtime.block_on(async {
                tokio::select! {
                    _ = work.changed() => {}
                    _ = tokio::time::sleep(IDLE_POLL) => {}
                    _ = ctx.control.stop_claiming.cancelled() => {}
                }
            }),
            Err(err) => {
                tracing::error!(worker = worker_id, %err, "claiming a job failed");
                std::thread::sleep(IDLE_POLL);
            }
        }
    }
    tracing::info!(worker = worker_id, "render worker stopped");
}

fn run_job(ctx: &WorkerContext, target: WorkerTarget, claimed: ClaimedJob) {
    let ClaimedJob { job, token } = claimed;
    let id = job.id;
    let span = tracing::info_span!("job", %id, hash = %job.hash);
    let _entered = span.enter();
    tracing::info!(
        width = job.params.width,
        height = job.params.height,
        "rendering"
    );
    if let Err(err) = render_core::validate::check_work(&job.params, ctx.max_work) {
        return fail(ctx, id, token, "over_budget", err.to_string());
    }
    // Raised by a cancel (the watch), the time limit or the drain's abort (the deadline); the
    // backends check it inside bands.
    let stop = StopFlag::new();
    let watch = JobWatch::start(
        &ctx.runtime,
        ctx.store.clone(),
        id,
        token,
        ctx.lease,
        stop.clone(),
    );
    let deadline = JobDeadline::start(
        &ctx.runtime,
        stop.clone(),
        ctx.control.abort_running.clone(),
        ctx.job_timeout,
    );
    let started = Instant::now();
    let format = job.params.format;

    let mut pending = match ctx.results.begin(&job.hash, format) {
        Ok(pending) => pending,
        Err(err) => {
            drop(watch);
            let message = format!("cannot create the result file: {err}");
            return storage_failure(ctx, id, token, message);
        }
    };
    let mut last_persisted: Option<Instant> = None;
    let mut on_band = |p: Progress| {
        if stop.is_stopped() || ctx.control.abort_running.is_cancelled() {
            return Flow::Cancel;
        }
        let due = last_persisted.is_none_or(|t| t.elapsed() >= PROGRESS_INTERVAL);
        if p.bands_done > 0 && p.bands_done < p.bands_total && due {
            last_persisted = Some(Instant::now());
            let report = ctx.store.report_progress(id, token, p.fraction, ctx.lease);
            match ctx.runtime.block_on(report) {
                Ok(true) => {}
                Ok(false) => {
                    watch.cancel();
                    return Flow::Cancel;
                }
                Err(err) => tracing::warn!(%err, "persisting progress failed"),
            }
        }
        Flow::Continue
    };
    // Stored escape data of the same view: colour it instead of rendering. Otherwise render,
    // keeping this render's escape data for the jobs that only change its colouring.
    let mut recolour = Recolour::find(ctx, &job.params);
    let mut escapes = match recolour {
        Some(_) => None,
        None => EscapesCapture::begin(ctx, &job.params),
    };
    let mut out = WriteErrors::new(pending.writer());
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| match recolour.as_mut() {
        Some(stored) => stored.run(&job.params, &mut out, &stop, &mut on_band),
        None => ctx.renderer.render(
            target,
            &job.params,
            &mut out,
            escapes.as_mut().map(|e| e.writer()),
            &stop,
            &mut on_band,
        ),
    }));
    let write_error = out.into_first();
    drop(watch);
    let timed_out = deadline.timed_out();
    drop(deadline);

    // A write that failed (disk full) fails this attempt, not the job, however the renderer
    // reported it.
    if let Some(err) = write_error
        && matches!(outcome, Ok(Ok(_) | Err(RenderFailure::Failed(_))))
    {
        drop(pending);
        return storage_failure(ctx, id, token, format!("cannot write the result: {err}"));
    }
    if let Some(message) = recolour.as_ref().and_then(Recolour::unreadable) {
        drop(pending);
        return storage_failure(ctx, id, token, message.to_string());
    }
    match outcome {
        Ok(Ok(rendered)) => {
            if let Some(escapes) = escapes {
                escapes.publish(ctx);
            }
            if rendered.backend != RECOLOUR_BACKEND {
                metrics::counter!(RENDERED_SAMPLES).increment(rendered.stats.samples);
            }
            store_result(ctx, &job, token, pending, rendered, started)
        }
        Ok(Err(RenderFailure::Canceled)) if timed_out => {
            drop(pending);
            let limit = ctx.job_timeout.unwrap_or_default().as_secs();
            let message = format!("the render took longer than this server's limit of {limit} s");
            fail(ctx, id, token, TIMEOUT_CODE, message);
        }
        Ok(Err(RenderFailure::Canceled)) => {
            drop(pending);
            if ctx.control.abort_running.is_cancelled() {
                match ctx.runtime.block_on(ctx.store.release(id, token)) {
                    Ok(_) => tracing::info!("shutting down: the job goes back to the queue"),
                    Err(err) => tracing::error!(%err, "releasing the job failed"),
                }
            } else {
                tracing::info!("render canceled; partial output removed");
            }
        }
        Ok(Err(RenderFailure::Failed(message))) => {
            drop(pending);
            fail(ctx, id, token, "render_failed", message);
        }
        Err(_) => {
            drop(pending);
            fail(
                ctx,
                id,
                token,
                "internal",
                "the renderer panicked".to_string(),
            );
        }
    }
}

fn fail(ctx: &WorkerContext, id: uuid::Uuid, token: i64, code: &str, message: String) {
    tracing::error!(code, %message, "job failed");
    let error = JobError {
        code: code.to_string(),
        message,
    };
    if let Err(err) = ctx.runtime.block_on(ctx.store.fail(id, token, error)) {
        tracing::error!(%err, "recording the failure failed");
    }
}
