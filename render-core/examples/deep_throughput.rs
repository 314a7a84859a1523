//! Deep-zoom throughput on the CPU: the `make bench` section of issue 13 (escape-iterations/s at
//! 1e-100, 1e-300 and 1e-1000 against f64 SIMD in the same run, reference-orbit time), runnable
//! without building the server: `cargo run --release -p render-core --example deep_throughput`.
//!
//! The measurement itself is bench/src/deep.rs, included here so both run the same code.

#[path = "../../bench/src/deep.rs"]
mod deep;

fn main() {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let (width, height) = (640, 480);
    println!("{width}×{height}, {threads} threads");
    println!(
        "| view width | max_iter | escape-iterations/s | f64 SIMD (around it) | × f64 SIMD | looped iterations/s | × f64 SIMD | skipped per pixel | reference orbits |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (view_width, max_iter) in deep::DEEP_VIEWS {
        let f = deep::measure(view_width, max_iter, width, height, threads);
        println!(
            "| {view_width} | {max_iter} | {:.3e} | {:.3e} | {:.2}× | {:.3e} | {:.2}× | {} | {:.1} ms |",
            f.per_second(),
            f.f64_rate,
            f.ratio(),
            f.looped_per_second(),
            f.looped_ratio(),
            f.skipped_per_pixel,
            f.orbit_seconds * 1e3,
        );
    }
}
