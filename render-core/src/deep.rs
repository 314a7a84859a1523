//! Deep zoom (issue 13): Julia sets at view widths down to 1e-2000, by perturbation.
//!
//! One pixel's orbit is followed as an offset `δ` from a *reference orbit* computed once, in
//! arbitrary precision, at the view centre (`orbit.rs`). The offsets are tiny (the pixel step at
//! 1e-1000 is about 2^-3330), so they are carried with an extended exponent (`floatexp.rs`) until
//! they grow into f64's range, and every pixel's first, lock-step iterations are skipped for the
//! whole image at once (`skip.rs`). The per-pixel loop, with its rebasing onto the orbit of 0
//! (Zhuoran's glitch avoidance adapted to Julia sets), is in `perturb.rs`; the method, its
//! correctness argument and its sources are in `docs/DEEP_ZOOM.md`.
//!
//! Sources: K. I. Martin, "Superfractalthing maths" (2013), perturbation; Zhuoran, "Another
//! solution to perturbation glitches", fractalforums.org (2021), rebasing; C. Heiland-Allen,
//! "Deep zoom theory and practice" (mathr.co.uk, 2021–22), extended range and bilinear
//! approximation; Kalles Fraktaler 2+ and Fraktaler 3 for floatexp deltas.

mod bla;
mod floatexp;
mod orbit;
mod perturb;
mod skip;

use std::sync::Arc;
use std::time::Duration;

pub use bla::{BlaJump, BlaTable, in_order_slot, jump_in_order};
pub use floatexp::FloatExp;
pub use orbit::{Orbit, OrbitCacheStats, orbit_cache_stats, precision_bits, reference_orbit};
pub(crate) use perturb::{BLA_TRY_NORM2, F64_DELTA_MIN, F64_DELTA_MIN_EXP};
pub use perturb::{OrbitView, PerturbRow, SamplePosition, continue_sample};
pub use skip::linear_start;

use crate::escape::EscapeSample;
use crate::params::{Coord, RenderParams};
use crate::stop::StopFlag;

/// Samples whose start offsets [`DeepView::compute_row`] computes per kernel call (on the stack).
const DELTAS_PER_CALL: usize = 256;

/// Everything the per-pixel loop of one image needs: both reference orbits, the pixel step, and
/// the shared linear start. Built once per image; cheap to share between threads.
pub struct DeepView {
    main: Arc<Orbit>,
    zero: Arc<Orbit>,
    /// The distance between neighbouring sample columns, real.
    sample_step: FloatExp,
    /// Iterations every pixel skips, and the factor that maps `δ_0` to `δ` there.
    start: u32,
    start_factor: FloatExp,
    width: u32,
    height: u32,
    supersample: u32,
    max_iter: u32,
    /// Points of each orbit this view reads: `max_iter + 1` at most.
    len: usize,
    r2: f64,
    /// The zero orbit's BLA table.
    bla: BlaTable,
    /// Time spent computing reference orbits for this view (zero when both came from the cache).
    pub orbit_time: Duration,
}

impl DeepView {
    /// Prepares `params` (valid) for the deep path: reference orbits (from the cache when it has
    /// them) and the linear start. `None` when `stop` was raised meanwhile.
    pub fn prepare(params: &RenderParams, stop: &StopFlag) -> Option<DeepView> {
        let width_decimal = params.decimal(Coord::ViewWidth);
        let view_width = orbit::decimal_to_floatexp(&width_decimal);
        let ss = params.supersample;
        let pixel_step = view_width.mul_f64(1.0 / f64::from(params.width), 0.0);
        let sample_step = pixel_step.mul_f64(1.0 / f64::from(ss), 0.0);
        let bits = precision_bits(pixel_step, params);
        let len = params.max_iter as usize + 1;
        let (c_re, c_im) = (params.decimal(Coord::CRe), params.decimal(Coord::CIm));
        let zero = crate::Decimal::parse("0").expect("zero parses");
        let started = crate::stopwatch::Stopwatch::start();
        let (main, main_new) = reference_orbit(
            &params.decimal(Coord::CenterRe),
            &params.decimal(Coord::CenterIm),
            &c_re,
            &c_im,
            bits,
            len,
            stop,
        )?;
        let (zero_orbit, zero_new) = reference_orbit(&zero, &zero, &c_re, &c_im, bits, len, stop)?;
        let orbit_time = if main_new || zero_new {
            started.elapsed()
        } else {
            Duration::ZERO
        };
        let r2 = params.escape_radius * params.escape_radius;
        let half_diagonal = (f64::from(params.width) / 2.0).hypot(f64::from(params.height) / 2.0);
        let radius = pixel_step.mul_f64(half_diagonal, 0.0);
        let (start, start_factor) = linear_start(main.view(len), radius, params.max_iter, r2);
        let bla = BlaTable::new(zero_orbit.view(len), r2);
        Some(DeepView {
            bla,
            main,
            zero: zero_orbit,
            sample_step,
            start,
            start_factor,
            width: params.width,
            height: params.height,
            supersample: ss,
            max_iter: params.max_iter,
            len,
            r2,
            orbit_time,
        })
    }

    /// Iterations every pixel of this view skips at the start.
    pub fn skipped_iterations(&self) -> u32 {
        self.start
    }

    /// The main and zero reference orbits as the kernels read them (`max_iter + 1` points at
    /// most): for back-ends that upload them (the GPU renderer).
    pub fn orbits(&self) -> (OrbitView<'_>, OrbitView<'_>) {
        (self.main.view(self.len), self.zero.view(self.len))
    }

    /// `A_n` of the linear start: a sample continues at iteration [`Self::skipped_iterations`]
    /// with `δ = A_n·δ_0`.
    pub fn start_factor(&self) -> FloatExp {
        self.start_factor
    }

    /// The distance between neighbouring samples (real): `δ_0` is a half-integer multiple of it.
    pub fn sample_step(&self) -> FloatExp {
        self.sample_step
    }

    /// The zero orbit's BLA table, for back-ends that upload it (the GPU renderer).
    pub fn bla(&self) -> &BlaTable {
        &self.bla
    }

    /// Lengths of the main and zero reference orbits, in points.
    pub fn orbit_lengths(&self) -> (usize, usize) {
        (
            self.main.view(self.len).points.len(),
            self.zero.view(self.len).points.len(),
        )
    }

    /// `δ_0` of sample (`sx`, `sy`): its offset from the view centre, the pixel mapping of
    /// docs/DESIGN.md §3 in units of the sample step (half-integers, exact in f64) times that step.
    pub fn sample_offset(&self, sx: u32, sy: u32) -> FloatExp {
        let ss = f64::from(self.supersample);
        let x = f64::from(sx) + 0.5 - f64::from(self.width) * ss / 2.0;
        let y = f64::from(self.height) * ss / 2.0 - f64::from(sy) - 0.5;
        FloatExp::from_f64(x, y).times(self.sample_step)
    }

    /// Fills `out` with the samples of sample row `sy` from sample column `x0` on.
    pub fn compute_row(&self, sy: u32, x0: usize, out: &mut [EscapeSample]) {
        let row = self.perturb_row();
        let mut deltas = [FloatExp::ZERO; DELTAS_PER_CALL];
        for (c, chunk) in out.chunks_mut(DELTAS_PER_CALL).enumerate() {
            let first = x0 + c * DELTAS_PER_CALL;
            for (i, delta) in deltas[..chunk.len()].iter_mut().enumerate() {
                *delta = self
                    .start_factor
                    .times(self.sample_offset((first + i) as u32, sy));
            }
            crate::kernel::perturb_row(&row, &deltas[..chunk.len()], chunk);
        }
    }

    /// What the row kernels need of this view (`crate::kernel::perturb_row`).
    pub fn perturb_row(&self) -> PerturbRow<'_> {
        let (main, zero) = self.orbits();
        PerturbRow {
            main,
            zero,
            start: self.start,
            max_iter: self.max_iter,
            r2: self.r2,
            bla: Some(&self.bla),
        }
    }
}
