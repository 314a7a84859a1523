//! Escape-iterations per second of the CPU kernels: scalar reference, SIMD on one thread, SIMD on
//! every thread, f32 and f64, on the reference view.

use std::sync::Arc;
use std::time::Instant;

use render_core::escape::{escape_f32, escape_f64};
use render_core::{
    CpuSource, EscapeSample, EscapeSource, Precision, RenderParams, Viewport, plan_bands,
};

/// One measured configuration.
pub struct Throughput {
    pub label: String,
    pub iterations: u64,
    pub seconds: f64,
}

impl Throughput {
    pub fn per_second(&self) -> f64 {
        self.iterations as f64 / self.seconds
    }
}

/// The reference view of issue 5: 2048², 1000 iterations, c = -0.8+0.156i, view width 3.
pub fn reference_params(size: u32, precision: Precision) -> RenderParams {
    RenderParams {
        width: size,
        height: size,
        max_iter: 1000,
        precision,
        ..RenderParams::default()
    }
}

/// Runs every band of `params` through `source`, returning the summed escape counts and the time.
pub fn run_source<S: EscapeSource + ?Sized>(
    source: &mut S,
    params: &RenderParams,
) -> Result<(u64, f64), S::Error> {
    let params = params.normalized();
    let bands = plan_bands(params.width, params.height, params.supersample);
    let row = (params.width * params.supersample * params.supersample) as usize;
    let mut buf = vec![EscapeSample::default(); row * bands[0].rows as usize];
    let started = Instant::now();
    let mut total = 0u64;
    for band in bands {
        let out = &mut buf[..row * band.rows as usize];
        source.compute_band(&params, band, out, &render_core::StopFlag::new())?;
        total += out.iter().map(|s| u64::from(s.count)).sum::<u64>();
    }
    Ok((total, started.elapsed().as_secs_f64()))
}

/// The CPU renderer on a pool of `threads` threads; `yielding`: threads that yield their core
/// every tenth of a millisecond, as the server's pool does (`render_core::pacing`).
pub fn simd(params: &RenderParams, threads: usize, yielding: bool) -> Throughput {
    let mut builder = rayon::ThreadPoolBuilder::new().num_threads(threads);
    if yielding {
        builder = builder.start_handler(|_| render_core::pacing::yield_periodically());
    }
    let pool = Arc::new(builder.build().expect("thread pool"));
    let mut source = CpuSource::with_pool(pool);
    let Ok(_) = run_source(&mut source, params); // warm-up: page faults, frequency ramp
    let Ok((iterations, seconds)) = run_source(&mut source, params);
    Throughput {
        label: format!(
            "CPU {:?} SIMD, {threads} thread(s){}",
            params.resolved_precision(),
            if yielding {
                ", yielding as in the server"
            } else {
                ""
            }
        )
        .to_lowercase(),
        iterations,
        seconds,
    }
}

/// The scalar reference kernel (`render_core::escape`) on one thread, over every `stride`-th row
/// (it is slow; the sample is scaled back to a rate, not to a total).
pub fn scalar(params: &RenderParams, stride: u32) -> Throughput {
    let p = params.normalized();
    let vp = Viewport::new(&p);
    let xs = vp.column_re();
    let r2 = p.escape_radius * p.escape_radius;
    let started = Instant::now();
    let mut iterations = 0u64;
    for sy in (0..p.height).step_by(stride as usize) {
        let y = vp.sample_im(sy);
        for &x in &xs {
            let s = if p.resolved_precision() == Precision::F64 {
                escape_f64(x, y, p.c.re, p.c.im, p.max_iter, r2)
            } else {
                escape_f32(
                    x as f32,
                    y as f32,
                    p.c.re as f32,
                    p.c.im as f32,
                    p.max_iter,
                    r2 as f32,
                )
            };
            iterations += u64::from(s.count);
        }
    }
    Throughput {
        label: format!(
            "CPU {:?} scalar reference, 1 thread",
            p.resolved_precision()
        )
        .to_lowercase(),
        iterations,
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// The original documents' Python renderer, measured on this kind of machine (issue 5).
const PYTHON_RENDERER_ITERATIONS_PER_SECOND: f64 = 3.5e6;

/// Seconds the seed's Python renderer would need for the cached-request benchmark's render
/// (1024×768, 500 iterations): its escape-iteration count, counted here, at the Python rate.
pub fn python_reference_seconds() -> f64 {
    let params = RenderParams {
        max_iter: 500,
        ..RenderParams::default()
    };
    let Ok((iterations, _)) = run_source(&mut CpuSource::new(), &params);
    iterations as f64 / PYTHON_RENDERER_ITERATIONS_PER_SECOND
}
