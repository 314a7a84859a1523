//! The seam between the job workers and the render backends: which workers to start and how a
//! worker renders one job. The workers know nothing about wgpu or rayon.

use std::io::Write;

use julia_api_types::{BackendsInfo, GpuSummary};
use render_core::{Flow, Progress, RenderError, RenderParams, RenderStats, StopFlag};

use render_gpu::render_backend::{Backends, Target};

/// What one worker renders on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerTarget {
    /// The GPU adapter with this index.
    Gpu(usize),
    /// The (low-priority) CPU pool.
    Cpu,
}

/// A finished render.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub stats: RenderStats,
    /// `gpu` or `cpu`: what actually rendered it (a GPU worker may have fallen back).
    pub backend: String,
    pub device: String,
}

/// Why a render did not finish.
#[derive(Debug, thiserror::Error)]
pub enum RenderFailure {
    #[error("the render was canceled")]
    Canceled,
    #[error("{0}")]
    Failed(String),
}

/// Renders jobs for the workers. Implementations are blocking and are only called from the
/// workers' own OS threads, never from the async runtime.
pub trait JobRenderer: Send + Sync + 'static {
    /// One entry per worker to start.
    fn targets(&self) -> Vec<WorkerTarget>;

    fn info(&self) -> BackendsInfo;

    /// Renders `params` into `out`, and its escape data into `escapes` when given (see
    /// `render_core::render_to_outputs`). Raising `stop` (cancel, drain, the job's time limit)
    /// ends the render inside the band being computed with `RenderFailure::Canceled`.
    fn render(
        &self,
        target: WorkerTarget,
        params: &RenderParams,
        out: &mut dyn Write,
        escapes: Option<&mut dyn Write>,
        stop: &StopFlag,
        on_band: &mut dyn FnMut(Progress) -> Flow,
    ) -> Result<Rendered, RenderFailure>;
}

/// The process's real backends (GPU adapters with CPU fallback, and the low-priority CPU pool):
/// one worker per GPU adapter plus one for the CPU pool.
impl JobRenderer for Backends {
    fn targets(&self) -> Vec<WorkerTarget> {
        (0..self.gpus().len())
            .map(WorkerTarget::Gpu)
            .chain([WorkerTarget::Cpu])
            .collect()
    }

    fn info(&self) -> BackendsInfo {
        BackendsInfo {
            gpus: self
                .gpus()
                .iter()
                .map(|g| GpuSummary {
                    name: g.name.clone(),
                    api: g.api.clone(),
                    device_type: g.device_type.clone(),
                    f64: g.f64,
                })
                .collect(),
            cpu_threads: self.cpu_threads(),
        }
    }

    fn render(
        &self,
        target: WorkerTarget,
        params: &RenderParams,
        out: &mut dyn Write,
        escapes: Option<&mut dyn Write>,
        stop: &StopFlag,
        on_band: &mut dyn FnMut(Progress) -> Flow,
    ) -> Result<Rendered, RenderFailure> {
        let target = match target {
            WorkerTarget::Gpu(i) => Target::Gpu(i),
            WorkerTarget::Cpu => Target::Cpu,
        };
        match self.render_with_escapes(target, params, out, escapes, stop, on_band) {
            Ok(outcome) => Ok(Rendered {
                stats: outcome.stats,
                backend: outcome.backend.as_str().to_string(),
                device: outcome.device,
            }),
            Err(RenderError::Canceled) => Err(RenderFailure::Canceled),
            Err(err) => Err(RenderFailure::Failed(err.to_string())),
        }
    }
}
