//! CPU escape-kernel throughput: escape-iterations per second (sum of escape counts / wall time)
//! for f32 and f64, on one thread and on all threads, for the benchmark render of issue 5
//! (2048x2048, 1000 iterations, c = -0.8+0.156i, view width 3, centre 0).
//!
//! Run with `cargo run --release -p render-core --example cpu_throughput [-- SIZE]`.

#[path = "support/cpu_clock.rs"]
mod cpu_clock;

use std::sync::Arc;
use std::time::Instant;

use render_core::kernel::InstructionSet;
use render_core::{CpuSource, EscapeSample, EscapeSource, Precision, RenderParams, plan_bands};

fn main() {
    let size: u32 = std::env::args()
        .nth(1)
        .map_or(2048, |s| s.parse().expect("SIZE"));
    let threads_all = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("instruction set: {:?}", InstructionSet::best());
    for precision in [Precision::F32, Precision::F64] {
        for threads in [1, threads_all] {
            let params = RenderParams {
                width: size,
                height: size,
                max_iter: 1000,
                precision,
                ..RenderParams::default()
            };
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            let mut source = CpuSource::with_pool(Arc::new(pool));
            let mut samples = Vec::new();
            let mut iterations = 0u64;
            let (started, cpu) = (Instant::now(), cpu_clock::process_cpu_time());
            for band in plan_bands(size, size, 1) {
                samples.resize(band.rows as usize * size as usize, EscapeSample::default());
                source
                    .compute_band(&params, band, &mut samples, &render_core::StopFlag::new())
                    .expect("infallible");
                iterations += samples.iter().map(|s| u64::from(s.count)).sum::<u64>();
            }
            let secs = started.elapsed().as_secs_f64();
            let cpu_secs = (cpu_clock::process_cpu_time() - cpu).as_secs_f64();
            println!(
                "{precision:?} threads={threads}: {secs:.3} s, {:.3e} escape-iterations/s \
                 ({:.3e} per thread; {:.3e} per CPU-second)",
                iterations as f64 / secs,
                iterations as f64 / secs / threads as f64,
                iterations as f64 / cpu_secs
            );
        }
    }
}
