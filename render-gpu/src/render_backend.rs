//! The render backends a process has (GPU adapters and a CPU pool) and the one blocking call that
//! renders a job on one of them, falling back to the CPU when the GPU fails (docs/DESIGN.md §5).
//!
//! The job service and the CLI code against this file only; wgpu and rayon stay behind it.

use std::convert::Infallible;
use std::io::Write;
use std::sync::{Arc, Mutex};

use render_core::{CpuSource, Flow, Progress, RenderError, RenderParams, RenderStats, StopFlag};
use serde::Serialize;

use crate::gpu::{self, GpuContext, GpuError, GpuSource};

mod fallback;
mod threads;
pub use fallback::FallbackSource;
#[cfg(target_os = "linux")]
pub use threads::calling_thread_priority;
use threads::{Background, background_global_pool, build_cpu_pool, lower_thread_priority};

/// Name of the counter of renders (or the rest of a render) moved from a GPU to the CPU. Defined
/// here, where it is counted; the server's metric table re-uses it and describes it.
pub const GPU_FALLBACKS_METRIC: &str = "julia_gpu_fallbacks_total";

/// How to set the backends up.
#[derive(Clone, Debug, Default)]
pub struct BackendOptions {
    /// Do not look for GPU adapters at all.
    pub cpu_only: bool,
    /// Leave software adapters (device type `cpu`, e.g. Mesa's lavapipe) out, unopened: on the
    /// cores the CPU kernels use they only render more slowly (the CLI's `--backend auto`).
    pub hardware_only: bool,
    /// Run the CPU pool's threads, and rayon's global pool (colouring, encoding), as background
    /// threads: low OS priority and periodic yields (the server: keeps the API responsive).
    pub low_priority_cpu: bool,
    /// CPU pool size; default every core.
    pub cpu_threads: Option<usize>,
}

/// Where to render a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The GPU adapter with this index in [`Backends::gpus`].
    Gpu(usize),
    Cpu,
}

/// A usable GPU adapter, as the API and logs describe it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GpuInfo {
    pub name: String,
    /// Graphics API: `vulkan`, `metal`, `dx12`, `gl`.
    pub api: String,
    /// `discrete`, `integrated`, `virtual`, `cpu` (software) or `other`.
    pub device_type: String,
    /// Whether f64 renders can run on it (`SHADER_F64`).
    pub f64: bool,
}

/// What rendered a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Gpu,
    Cpu,
}

impl BackendKind {
    pub const fn as_str(self) -> &'static str {
        match self {
            BackendKind::Gpu => "gpu",
            BackendKind::Cpu => "cpu",
        }
    }
}

/// A finished render.
#[derive(Clone, Debug)]
pub struct RenderOutcome {
    pub stats: RenderStats,
    /// `Cpu` when any part of a GPU job fell back to the CPU.
    pub backend: BackendKind,
    /// Adapter name, or `cpu (N threads)`.
    pub device: String,
    /// Why a GPU job (partly) ran on the CPU; `None` when it did not.
    pub gpu_fallback: Option<String>,
}

/// The error of [`Backends::render`]: canceled or an output write failed. GPU failures are never
/// errors; they fall back.
pub type BackendRenderError = RenderError<Infallible>;

/// The process's render backends. Cheap to clone; share freely across threads.
#[derive(Clone)]
pub struct Backends {
    inner: Arc<Inner>,
}

struct Inner {
    gpus: Vec<GpuInfo>,
    slots: Vec<GpuSlot>,
    cpu_pool: Arc<rayon::ThreadPool>,
    cpu_threads: usize,
    /// Kept alive for the adapters' sake.
    _instance: Option<wgpu::Instance>,
}

/// One adapter and its opened device; reopened after a device loss.
struct GpuSlot {
    adapter: wgpu::Adapter,
    /// Whether a software adapter's threads are started as background threads.
    low_priority: bool,
    context: Mutex<Option<Arc<GpuContext>>>,
}

impl GpuSlot {
    fn context(&self) -> Result<Arc<GpuContext>, GpuError> {
        let mut guard = self.context.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(ctx) = guard.as_ref()
            && !ctx.needs_reopen()
        {
            return Ok(Arc::clone(ctx));
        }
        *guard = None;
        let ctx = Arc::new(open_context(&self.adapter, self.low_priority)?);
        *guard = Some(Arc::clone(&ctx));
        Ok(ctx)
    }
}

impl Backends {
    /// Blocking (adapter discovery, device creation, shader compilation); call once at start-up.
    /// An adapter whose device cannot be opened is logged and left out.
    pub fn detect(opts: &BackendOptions) -> Backends {
        let cpu_threads = opts
            .cpu_threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1);
        let cpu_pool = Arc::new(build_cpu_pool(cpu_threads, opts.low_priority_cpu));
        if opts.low_priority_cpu {
            background_global_pool();
        }
        let (instance, slots, gpus) = if opts.cpu_only {
            (None, Vec::new(), Vec::new())
        } else {
            let instance = gpu::instance();
            let mut slots = Vec::new();
            let mut gpus = Vec::new();
            for adapter in gpu::discover(&instance) {
                let info = adapter.get_info();
                if opts.hardware_only && info.device_type == wgpu::DeviceType::Cpu {
                    continue;
                }
                match open_context(&adapter, opts.low_priority_cpu) {
                    Ok(ctx) => {
                        gpus.push(GpuInfo {
                            name: info.name.clone(),
                            api: info.backend.to_string(),
                            device_type: gpu::adapter::device_type_name(info.device_type).into(),
                            f64: ctx.supports_f64(),
                        });
                        slots.push(GpuSlot {
                            adapter,
                            low_priority: opts.low_priority_cpu,
                            context: Mutex::new(Some(Arc::new(ctx))),
                        });
                    }
                    Err(err) => {
                        tracing::warn!(adapter = %info.name, error = %err, "GPU adapter unusable")
                    }
                }
            }
            (Some(instance), slots, gpus)
        };
        if gpus.is_empty() {
            tracing::info!("no GPU adapter: rendering on the CPU ({cpu_threads} threads)");
        }
        Backends {
            inner: Arc::new(Inner {
                gpus,
                slots,
                cpu_pool,
                cpu_threads,
                _instance: instance,
            }),
        }
    }

    /// One entry per usable adapter, best first.
    pub fn gpus(&self) -> &[GpuInfo] {
        &self.inner.gpus
    }

    pub fn cpu_threads(&self) -> usize {
        self.inner.cpu_threads
    }

    /// How the CPU pool is named in outcomes and logs.
    pub fn cpu_device(&self) -> String {
        match self.inner.cpu_threads {
            1 => "cpu (1 thread)".to_string(),
            n => format!("cpu ({n} threads)"),
        }
    }

    /// A GPU escape source on adapter `index` with a custom dispatch plan (tests and benchmarks).
    pub fn gpu_source(&self, index: usize, tuning: gpu::GpuTuning) -> Result<GpuSource, GpuError> {
        let slot = self.inner.slots.get(index).ok_or(GpuError::NoAdapter)?;
        Ok(GpuSource::with_tuning(slot.context()?, tuning))
    }

    /// A CPU escape source on this process's pool.
    pub fn cpu_source(&self) -> CpuSource {
        CpuSource::with_pool(Arc::clone(&self.inner.cpu_pool))
    }

    /// Blocking: renders `params` (valid) into `out` on `target`. A GPU failure falls back to the
    /// CPU for this job (from the band where it failed on), is logged and counted, and is
    /// reported in the outcome; it never fails the render. Raising `stop` ends the render within
    /// a piece of a band (CPU) or a GPU submission with `RenderError::Canceled`.
    pub fn render(
        &self,
        target: Target,
        params: &RenderParams,
        out: &mut dyn Write,
        stop: &StopFlag,
        on_band: &mut dyn FnMut(Progress) -> Flow,
    ) -> Result<RenderOutcome, BackendRenderError> {
        self.render_with_escapes(target, params, out, None, stop, on_band)
    }

    /// [`Self::render`], also writing the escape data to `escapes` when given
    /// (`render_core::render_to_outputs`), so the image can be coloured again without a render.
    pub fn render_with_escapes(
        &self,
        target: Target,
        params: &RenderParams,
        out: &mut dyn Write,
        escapes: Option<&mut dyn Write>,
        stop: &StopFlag,
        on_band: &mut dyn FnMut(Progress) -> Flow,
    ) -> Result<RenderOutcome, BackendRenderError> {
        match target {
            Target::Cpu => {
                let stats = render_core::render_to_outputs(
                    params,
                    &mut self.cpu_source(),
                    out,
                    escapes,
                    stop,
                    on_band,
                )?;
                Ok(RenderOutcome {
                    stats,
                    backend: BackendKind::Cpu,
                    device: self.cpu_device(),
                    gpu_fallback: None,
                })
            }
            Target::Gpu(index) => {
                let mut source = match self.gpu_source(index, gpu::GpuTuning::default()) {
                    Ok(gpu) => {
                        let name = gpu.context().info().name.clone();
                        FallbackSource::new(gpu, name, self.cpu_source())
                    }
                    Err(err) => FallbackSource::failed(err.to_string(), self.cpu_source()),
                };
                let stats = render_core::render_to_outputs(
                    params,
                    &mut source,
                    out,
                    escapes,
                    stop,
                    on_band,
                )?;
                Ok(source.outcome(stats, self.cpu_device()))
            }
        }
    }
}

/// Opens a device on `adapter`. A software adapter (lavapipe) renders on threads its driver starts
/// while the device opens, on the cores the CPU pool uses; a new thread inherits its creator's
/// scheduling class, so with `low_priority` such a device is opened from a `SCHED_IDLE` thread and
/// its render threads are background threads too. (They do not yield as ours do, so a woken
/// request may still wait for a scheduler tick.) A hardware GPU's driver threads keep their
/// priority: they feed the GPU and use little CPU.
fn open_context(adapter: &wgpu::Adapter, low_priority: bool) -> Result<GpuContext, GpuError> {
    if !(low_priority && adapter.get_info().device_type == wgpu::DeviceType::Cpu) {
        return GpuContext::open(adapter);
    }
    std::thread::scope(|scope| {
        let opener = scope.spawn(|| {
            lower_thread_priority(Background::Render);
            GpuContext::open(adapter)
        });
        opener
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use render_core::OutputFormat;

    pub(crate) fn npy_params() -> RenderParams {
        RenderParams {
            width: 96,
            height: 64,
            max_iter: 200,
            format: OutputFormat::Npy,
            ..RenderParams::default()
        }
    }

    pub(crate) fn cpu_npy(params: &RenderParams) -> Vec<u8> {
        let mut out = Vec::new();
        render_core::render_to_writer(
            params,
            &mut CpuSource::new(),
            &mut out,
            &StopFlag::new(),
            &mut |_| Flow::Continue,
        )
        .unwrap();
        out
    }

    /// Renders `params` to npy bytes with the first GPU as the target.
    fn render_on_first_gpu(
        backends: &Backends,
        params: &RenderParams,
    ) -> Result<(RenderOutcome, Vec<u8>), BackendRenderError> {
        let mut out = Vec::new();
        let outcome = backends.render(
            Target::Gpu(0),
            params,
            &mut out,
            &StopFlag::new(),
            &mut |_| Flow::Continue,
        )?;
        Ok((outcome, out))
    }

    #[test]
    fn render_backend_fallback_for_a_missing_adapter_renders_on_cpu() {
        let backends = Backends::detect(&BackendOptions {
            cpu_only: true,
            low_priority_cpu: true,
            cpu_threads: Some(2),
            ..BackendOptions::default()
        });
        assert!(backends.gpus().is_empty());
        let params = npy_params();
        let (outcome, out) = render_on_first_gpu(&backends, &params).unwrap();
        assert_eq!(outcome.backend, BackendKind::Cpu);
        assert!(outcome.gpu_fallback.is_some());
        assert_eq!(out, cpu_npy(&params));
    }

    #[test]
    fn render_backend_fallback_after_device_loss_then_recovers() {
        let backends = Backends::detect(&BackendOptions::default());
        if backends.gpus().is_empty() {
            assert!(
                std::env::var("RENDER_REQUIRE_GPU").as_deref() != Ok("1"),
                "RENDER_REQUIRE_GPU=1 but no GPU adapter was found"
            );
            eprintln!("notice: no GPU adapter; skipping the device-loss fallback test");
            return;
        }
        let params = npy_params();
        let ctx = backends.inner.slots[0].context().unwrap();
        ctx.destroy_device();
        let (outcome, out) =
            render_on_first_gpu(&backends, &params).expect("device loss must not fail the render");
        assert_eq!(outcome.backend, BackendKind::Cpu);
        // A destroyed device shows up as "device lost" or as invalid resources, whichever
        // wgpu notices first; either way the job finished on the CPU and says why.
        let reason = outcome.gpu_fallback.expect("fallback reported");
        assert!(!reason.is_empty());
        assert_eq!(out, cpu_npy(&params));

        // The next job reopens the adapter and runs on the GPU again.
        let (outcome, _) = render_on_first_gpu(&backends, &params).unwrap();
        assert_eq!(
            outcome.backend,
            BackendKind::Gpu,
            "{:?}",
            outcome.gpu_fallback
        );
    }
}
