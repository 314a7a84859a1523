//! Deep zoom on the CPU (issue 13): escape-iterations per second at view widths 1e-100, 1e-300
//! and 1e-1000, each against the f64 SIMD path measured in the same run, and the reference
//! orbits' cost.
//!
//! Needs only render-core, rayon and serde_json, so that render-core's `deep_throughput` example
//! can include this file and measure it without building the server (`make bench` runs it too).

use std::sync::Arc;
use std::time::Instant;

use render_core::{
    CpuSource, EscapeSample, EscapeSource, Precision, RenderParams, StopFlag, plan_bands,
};

/// The example view of docs/examples/deep.json: c = -0.8+0.156i, centred on a point of the Julia
/// set (a second preimage of the repelling fixed point, 1040 digits).
const DEEP_EXAMPLE: &str = include_str!("../../docs/examples/deep.json");

/// One deep measurement.
pub struct DeepFigure {
    /// Sum of escape counts over the image.
    pub iterations: u64,
    /// Escape computation with the orbits cached (what a repeated job or a preview pays).
    pub seconds: f64,
    /// Both reference orbits, computed from nothing.
    pub orbit_seconds: f64,
    /// Iterations every pixel skipped at the start (the shared linear start).
    pub skipped_per_pixel: u32,
    pub pixels: u64,
    /// f64 SIMD escape-iterations/s measured just before and just after this view (the machine
    /// is shared: measuring the baseline around each figure keeps the ratio honest under load).
    pub f64_rate: f64,
}

impl DeepFigure {
    pub fn per_second(&self) -> f64 {
        self.iterations as f64 / self.seconds
    }

    /// Iterations the per-pixel loop itself ran, per second (skipped ones not counted).
    /// [`Self::per_second`] over f64 SIMD.
    pub fn ratio(&self) -> f64 {
        self.per_second() / self.f64_rate
    }

    /// [`Self::looped_per_second`] over f64 SIMD.
    pub fn looped_ratio(&self) -> f64 {
        self.looped_per_second() / self.f64_rate
    }

    pub fn looped_per_second(&self) -> f64 {
        let looped = self.iterations - u64::from(self.skipped_per_pixel) * self.pixels;
        looped as f64 / self.seconds
    }
}

/// The views measured: width and a `max_iter` that leaves room for the pixels to escape (about
/// 2.1 iterations per decade of depth at this centre, where |f'| ≈ 3.06).
pub const DEEP_VIEWS: [(&str, u32); 3] = [("1e-100", 1000), ("1e-300", 2000), ("1e-1000", 4000)];

/// The deep example's parameters at `view_width`, `width`×`height`.
pub fn deep_params(view_width: &str, max_iter: u32, width: u32, height: u32) -> RenderParams {
    let mut doc: serde_json::Value = serde_json::from_str(DEEP_EXAMPLE).expect("example is JSON");
    doc["view_width"] = view_width.into();
    doc["max_iter"] = max_iter.into();
    doc["width"] = width.into();
    doc["height"] = height.into();
    doc["precision"] = "deep".into();
    render_core::parse_params(&doc.to_string(), &render_core::Limits::default())
        .expect("the deep example is valid")
}

fn pool(threads: usize) -> Arc<rayon::ThreadPool> {
    Arc::new(
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("thread pool"),
    )
}

/// Every band of `params` through `source`: (sum of counts, seconds).
fn run(source: &mut CpuSource, params: &RenderParams) -> (u64, f64) {
    let params = params.normalized();
    let bands = plan_bands(params.width, params.height, params.supersample);
    let row = (params.width * params.supersample * params.supersample) as usize;
    let mut buf = vec![EscapeSample::default(); row * bands[0].rows as usize];
    let stop = StopFlag::new();
    let started = Instant::now();
    let mut total = 0u64;
    for band in bands {
        let out = &mut buf[..row * band.rows as usize];
        let Ok(()) = source.compute_band(&params, band, out, &stop);
        total += out.iter().map(|s| u64::from(s.count)).sum::<u64>();
    }
    (total, started.elapsed().as_secs_f64())
}

/// f64 SIMD escape-iterations/s on the issue-5 reference view (`size`², 1000 iterations, view
/// width 3), on `threads` threads: the baseline of the ratios.
pub fn f64_baseline(size: u32, threads: usize) -> f64 {
    let params = RenderParams {
        width: size,
        height: size,
        max_iter: 1000,
        precision: Precision::F64,
        ..RenderParams::default()
    };
    let mut source = CpuSource::with_pool(pool(threads));
    run(&mut source, &params); // warm-up: page faults, frequency ramp
    let (iterations, seconds) = run(&mut source, &params);
    iterations as f64 / seconds
}

/// One deep view, `width`×`height`, on `threads` threads: orbits from nothing, then the render
/// with them cached, between two measurements of the f64 baseline (512², same threads).
pub fn measure(
    view_width: &'static str,
    max_iter: u32,
    width: u32,
    height: u32,
    threads: usize,
) -> DeepFigure {
    let before = f64_baseline(512, threads);
    let params = deep_params(view_width, max_iter, width, height).normalized();
    let mut source = CpuSource::with_pool(pool(threads));
    let view = source
        .deep_view(&params, &StopFlag::new())
        .expect("not stopped");
    let orbit_seconds = view.orbit_time.as_secs_f64();
    run(&mut source, &params); // warm-up
    let (iterations, seconds) = run(&mut source, &params);
    let after = f64_baseline(512, threads);
    DeepFigure {
        f64_rate: (before + after) / 2.0,
        iterations,
        seconds,
        orbit_seconds,
        skipped_per_pixel: view.skipped_iterations(),
        pixels: params.pixel_count(),
    }
}
