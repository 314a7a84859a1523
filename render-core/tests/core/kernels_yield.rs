//! Every row kernel reaches a yield checkpoint (`render_core::pacing`) within a long row, so a
//! server's background render thread gives its core back mid-row, not only between rows.

use render_core::EscapeSample;
use render_core::kernel::{InstructionSet, escape_row_f32_on, escape_row_f64_on};
use render_core::pacing;

/// A row whose points all lie in the filled Julia set of c = 0 (|z| < 1 never escapes), so every
/// sample runs to `max_iter`: tens of milliseconds of work in one call on any instruction set.
const POINTS: usize = 512;
const MAX_ITER: u32 = 20_000;

#[test]
fn every_instruction_set_yields_inside_a_long_row() {
    std::thread::spawn(|| {
        pacing::yield_periodically();
        let xs64: Vec<f64> = (0..POINTS)
            .map(|i| i as f64 / POINTS as f64 * 0.5)
            .collect();
        let xs32: Vec<f32> = xs64.iter().map(|&x| x as f32).collect();
        let mut out = vec![EscapeSample::default(); POINTS];
        for isa in InstructionSet::available() {
            let before = pacing::yields();
            escape_row_f32_on(isa, &xs32, 0.1, 0.0, 0.0, MAX_ITER, 4.0, &mut out);
            assert!(out.iter().all(|s| s.count == MAX_ITER), "{isa:?} f32");
            assert!(pacing::yields() > before, "{isa:?} f32 never yielded");

            let before = pacing::yields();
            escape_row_f64_on(isa, &xs64, 0.1, 0.0, 0.0, MAX_ITER, 4.0, &mut out);
            assert!(out.iter().all(|s| s.count == MAX_ITER), "{isa:?} f64");
            assert!(pacing::yields() > before, "{isa:?} f64 never yielded");
        }
    })
    .join()
    .unwrap();
}
