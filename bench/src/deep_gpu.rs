//! Deep zoom on the GPU adapters (issue 13): escape-iterations/s of the perturbation shader at
//! each view of `deep::DEEP_VIEWS`, in its f32- and f64-mantissa variants, against the same
//! adapter's f32 and f64 escape shaders on the reference view, measured in the same run.

use render_core::{Precision, RenderParams};
use render_gpu::gpu::{DeepFloat, GpuTuning};
use render_gpu::render_backend::{BackendOptions, Backends};

use crate::cpu::{reference_params, run_source};
use crate::deep::{DEEP_VIEWS, deep_params};

/// One adapter as the deep tables measure it.
struct Adapter {
    index: usize,
    /// Name, API and device type.
    label: String,
    /// Software adapters (lavapipe) render a quarter of the pixels, so the run stays short on the
    /// CPU they share.
    pixels: (u32, u32),
    /// The shader variants it runs, with the escape shader's precision of the same width.
    floats: Vec<(DeepFloat, Precision)>,
}

/// Every adapter of `backends`.
fn adapters(backends: &Backends) -> Vec<Adapter> {
    let mut adapters = Vec::new();
    for (index, info) in backends.gpus().iter().enumerate() {
        let mut floats = vec![(DeepFloat::F32, Precision::F32)];
        if info.f64 {
            floats.push((DeepFloat::F64, Precision::F64));
        }
        adapters.push(Adapter {
            index,
            label: format!("{} ({}, {})", info.name, info.api, info.device_type),
            pixels: if info.device_type == "cpu" {
                (320, 240)
            } else {
                (640, 480)
            },
            floats,
        });
    }
    adapters
}

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
    /// Share of the samples the f32 shader's glitch test handed back to the CPU (inside the
    /// timed render).
    pub on_cpu: f64,
}

/// Every adapter, every variant it has, every deep view.
pub fn measure() -> anyhow::Result<Vec<GpuDeepRow>> {
    let backends = Backends::detect(&BackendOptions::default());
    let mut rows = Vec::new();
    for Adapter {
        index,
        label,
        pixels: (width, height),
        floats,
    } in adapters(&backends)
    {
        for (float, precision) in floats {
            let baseline = escape_rate(&backends, index, &reference_params(512, precision))?;
            for (view_width, max_iter) in DEEP_VIEWS {
                let params = deep_params(view_width, max_iter, width, height);
                let mut source = backends
                    .gpu_source(index, GpuTuning::default())?
                    .with_deep_float(float);
                run_source(&mut source, &params)?; // warm-up: orbits, tables, pipelines
                let before = source.deep_samples_on_cpu();
                let (iterations, seconds) = run_source(&mut source, &params)?;
                let on_cpu =
                    (source.deep_samples_on_cpu() - before) as f64 / f64::from(width * height);
                let normalized = params.normalized();
                let skipped = render_core::deep::DeepView::prepare(
                    &normalized,
                    &render_core::StopFlag::new(),
                )
                .map_or(0, |view| view.skipped_iterations());
                let looped = iterations - u64::from(skipped) * normalized.pixel_count();
                rows.push(GpuDeepRow {
                    adapter: label.clone(),
                    view_width,
                    max_iter,
                    float,
                    pixels: (width, height),
                    per_second: iterations as f64 / seconds,
                    looped_per_second: looped as f64 / seconds,
                    baseline,
                    on_cpu,
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

/// The rabbit (c = −0.1226+0.7449i, in the Mandelbrot set) centred on its repelling fixed point
/// `β = (1 + √(1 − 4c))/2` (140 digits): a deep view with interior pixels, which follow the zero
/// orbit into its attracting 3-cycle, where the BLA table's jumps take over.
const RABBIT_BETA: &str = r#"{"c": {"re": "-0.12256116687665361237", "im": "0.74486176661974423659"},
  "center": {"re": "1.2763376235931174130059728246097892560440324848714306706157593262160104205837202966293326987272563439648283439711309264100302294983572461248",
             "im": "-0.4797279843093951113262504461472422896978553383832020344753591443066967201107808496972999053789688451208127767277797224245606286745309624966"},
  "view_width": "1e-100", "max_iter": 3000, "precision": "deep", "format": "npy"}"#;

/// One adapter and variant on [`RABBIT_BETA`] with and without the BLA table.
pub struct GpuBlaRow {
    pub adapter: String,
    pub float: DeepFloat,
    pub pixels: (u32, u32),
    /// Share of pixels that never escape (count = max_iter), from the CPU's render.
    pub interior: f64,
    pub with_bla_seconds: f64,
    pub without_bla_seconds: f64,
    /// The CPU deep path (BLA on) on the same view, all threads, for scale.
    pub cpu_seconds: f64,
}

/// [`RABBIT_BETA`] on every adapter and variant, the shader with and without its BLA jumps, each
/// after a warm-up render (orbits, tables, pipelines).
pub fn measure_bla(threads: usize) -> anyhow::Result<Vec<GpuBlaRow>> {
    let backends = Backends::detect(&BackendOptions::default());
    let mut rows = Vec::new();
    for Adapter {
        index,
        label,
        pixels: (width, height),
        floats,
    } in adapters(&backends)
    {
        let mut doc: serde_json::Value = serde_json::from_str(RABBIT_BETA)?;
        doc["width"] = width.into();
        doc["height"] = height.into();
        let params = render_core::parse_params(&doc.to_string(), &render_core::Limits::default())
            .map_err(|e| anyhow::anyhow!("the rabbit view is invalid: {e:?}"))?;
        let (interior, cpu_seconds) = cpu_interior(&params, threads);
        for (float, _) in floats {
            let timed = |bla: bool| -> anyhow::Result<f64> {
                let source = backends
                    .gpu_source(index, GpuTuning::default())?
                    .with_deep_float(float);
                let mut source = if bla { source } else { source.without_bla() };
                run_source(&mut source, &params)?;
                Ok(run_source(&mut source, &params)?.1)
            };
            rows.push(GpuBlaRow {
                adapter: label.clone(),
                float,
                pixels: (width, height),
                interior,
                with_bla_seconds: timed(true)?,
                without_bla_seconds: timed(false)?,
                cpu_seconds,
            });
        }
    }
    Ok(rows)
}

/// The share of `params`' pixels at `max_iter`, and the CPU deep path's time (orbits cached).
fn cpu_interior(params: &RenderParams, threads: usize) -> (f64, f64) {
    let pool = std::sync::Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool"),
    );
    let mut source = render_core::CpuSource::with_pool(pool);
    let Ok(_) = run_source(&mut source, params);
    let Ok((_, seconds)) = run_source(&mut source, params);
    let params = params.normalized();
    let mut samples = vec![render_core::EscapeSample::default(); params.pixel_count() as usize];
    let whole = render_core::Band {
        y0: 0,
        rows: params.height,
    };
    let Ok(()) = render_core::EscapeSource::compute_band(
        &mut source,
        &params,
        whole,
        &mut samples,
        &render_core::StopFlag::new(),
    );
    let interior = samples
        .iter()
        .filter(|s| s.count == params.max_iter)
        .count();
    (interior as f64 / samples.len() as f64, seconds)
}
