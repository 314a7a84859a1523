//! The deep-zoom section of the report: `deep::measure` at each view of `deep::DEEP_VIEWS`, as
//! ratios to f64 SIMD measured around it (kept apart from `deep.rs`, which render-core's
//! `deep_throughput` example includes and which must not know the report).

use crate::deep;
use crate::report::{Report, ms, ratio, sci};

/// Deep zoom on the CPU (issue 13), against f64 SIMD measured in the same run.
pub fn section(report: &mut Report, threads: usize) {
    let (width, height) = (640, 480);
    report.section(
        "Deep zoom (CPU)",
        &format!(
            "docs/examples/deep.json (c = -0.8+0.156i, centred on a point of the Julia set) at \
             {width}×{height}, precision deep, {threads} threads. Escape-iterations/s = sum of \
             escape counts / escape time with the reference orbits cached, including the \
             iterations every pixel skips at once (the shared linear start); \"looped\" counts \
             only those the per-pixel loop ran. Ratios are against f64 SIMD on the reference view \
             (512², 1000 iterations, view width 3) measured just before and after each row, on \
             the same threads. Reference orbits: both (centre and 0), computed from nothing."
        ),
    );
    let rows: Vec<Vec<String>> = deep::DEEP_VIEWS
        .into_iter()
        .map(|(view_width, max_iter)| {
            let f = deep::measure(view_width, max_iter, width, height, threads);
            vec![
                view_width.to_string(),
                max_iter.to_string(),
                sci(f.per_second()),
                sci(f.f64_rate),
                ratio(f.ratio()),
                sci(f.looped_per_second()),
                ratio(f.looped_ratio()),
                f.skipped_per_pixel.to_string(),
                ms(f.orbit_seconds * 1e3),
            ]
        })
        .collect();
    report.table(
        &[
            "view width",
            "max_iter",
            "escape-iterations/s",
            "f64 SIMD (around it)",
            "× f64 SIMD",
            "looped iterations/s",
            "× f64 SIMD",
            "skipped per pixel",
            "reference orbits",
        ],
        &rows,
    );
}
