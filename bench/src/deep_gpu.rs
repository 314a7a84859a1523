//! Deep zoom on the GPU adapters (issue 13): escape-iterations/s of the perturbation shader at
//! each view of `deep::DEEP_VIEWS`, in its f32- and f64-mantissa variants, against the same
//! adapter's f32 and f64 escape shaders on the reference view, measured in the same run.

use render_core::{Precision, RenderParams};
use render_gpu::gpu::{DeepFloat, GpuTuning};
use render_gpu::render_backend::{BackendOptions, Backends};

use crate::cpu::{reference_params, run_source};
use crate::deep::{DEEP_VIEWS, deep_params};

/// One deep view on one adapter in one variant.
pub struct GpuDeepRow {
    pub adapter: String,
    pub view_width: &'static str,
    pub max_iter: u32,
    pub float: DeepFloat,
    pub pixels: (u32, u32),
    /// Escape-iterations/s of the deep shader, orbits already on the GPU.
    pub per_second: f64,
    /// The same, counting only the iterations the per-sample loop ran (not the shared skip).
    pub looped_per_second: f64,
    /// Escape-iterations/s of the same adapter's plain escape shader in the same precision.
    pub baseline: f64,
}

/// Every adapter, every variant it has, every deep view. Software adapters (lavapipe) render a
/// quarter of the pixels, so the run stays short on the CPU they share.
pub fn measure() -> anyhow::Result<Vec<GpuDeepRow>> {
    let backends = Backends::detect(&BackendOptions::default());
    let mut rows = Vec::new();
    for (index, info) in backends.gpus().iter().enumerate() {
        let (width, height) = if info.device_type == "cpu" {
            (320, 240)
        } else {
            (640, 480)
        };
        let adapter = format!("{} ({}, {})", info.name, info.api, info.device_type);
        let mut floats = vec![(DeepFloat::F32, Precision::F32)];
        if info.f64 {
            floats.push((DeepFloat::F64, Precision::F64));
        }
        for (float, precision) in floats {
            let baseline = escape_rate(&backends, index, &reference_params(512, precision))?;
            for (view_width, max_iter) in DEEP_VIEWS {
                let params = deep_params(view_width, max_iter, width, height);
                let mut source = backends
                    .gpu_source(index, GpuTuning::default())?
                    .with_deep_float(float);
                run_source(&mut source, &params)?; // warm-up: orbits, tables, pipelines
                let (iterations, seconds) = run_source(&mut source, &params)?;
                let normalized = params.normalized();
                let skipped = render_core::deep::DeepView::prepare(
                    &normalized,
                    &render_core::StopFlag::new(),
                )
                .map_or(0, |view| view.skipped_iterations());
                let looped = iterations - u64::from(skipped) * normalized.pixel_count();
                rows.push(GpuDeepRow {
                    adapter: adapter.clone(),
                    view_width,
                    max_iter,
                    float,
                    pixels: (width, height),
                    per_second: iterations as f64 / seconds,
                    looped_per_second: looped as f64 / seconds,
                    baseline,
                });
            }
        }
    }
    Ok(rows)
}

/// Escape-iterations/s of the plain escape shader on `params` (after a warm-up run).
fn escape_rate(backends: &Backends, index: usize, params: &RenderParams) -> anyhow::Result<f64> {
    let mut source = backends.gpu_source(index, GpuTuning::default())?;
    run_source(&mut source, params)?;
    let (iterations, seconds) = run_source(&mut source, params)?;
    Ok(iterations as f64 / seconds)
}
