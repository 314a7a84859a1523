//! The per-pixel step of deep zoom: one sample iterated as an offset `δ` from a reference orbit.
//!
//! This file is the one description of the method that the other back-ends mirror (a WGSL port
//! reads the same orbit tables and runs the same two loops). See `docs/DEEP_ZOOM.md`.
//!
//! With `z_k = X_m + δ`, where `X` is a reference orbit (`X_{m+1} = X_m² + c`, stored as f64),
//!
//! ```text
//! δ ← 2·X_m·δ + δ²          (c is the same for every pixel of a Julia set: no δc term)
//! ```
//!
//! and the sample escapes at the first `k` with `|X_m + δ|² > R²`. Two references exist:
//! the *main* orbit of the view centre, where every pixel starts, and the *zero* orbit of the
//! critical point 0. Whenever `|X_m + δ| < |δ|` (the pixel is closer to 0 than to the reference:
//! continuing would lose δ's digits to cancellation) or the reference ends (it escaped, or is
//! as long as `max_iter`), the pixel **rebases**: `δ ← X_m + δ` (that is, `z_k` itself) and the
//! zero orbit is followed from index 0, since `z_k = 0 + z_k = W_0 + δ`. The identity
//! `z_{k+1} = X_{m+1} + (2·X_m·δ + δ²)` holds for any orbit of `f(z) = z² + c`, so switching orbits
//! between two steps changes nothing but rounding, and δ after a rebase is no larger than before.
//! The main orbit cannot serve as the restart orbit: it begins at the centre, not at 0.
//!
//! Two loops share the work: while `|δ| ≥ 2^-500` plain f64 holds δ and δ² (2^-1000 is still a
//! normal f64), so the loop is f64 arithmetic and nothing else; below that, [`FloatExp`] carries
//! δ and the exact reference point ([`OrbitView::point_exact`]).

use super::bla::BlaTable;
use super::floatexp::FloatExp;
use crate::escape::EscapeSample;

/// Smallest `|δ|` (as the larger of its parts) the f64 loop holds: `δ²` stays a normal f64.
pub(crate) const F64_DELTA_MIN: f64 = f64::from_bits(((1023 - 500) as u64) << 52); // 2^-500
/// The same bound as a [`FloatExp`] exponent.
pub(crate) const F64_DELTA_MIN_EXP: i32 = -499;

/// A reference orbit as the kernel reads it: points rounded to f64, and the exact value of the
/// few points whose f64 would be too small to keep its digits (an orbit passing within 2^-500 of
/// 0), sorted by index.
#[derive(Clone, Copy)]
pub struct OrbitView<'a> {
    pub points: &'a [[f64; 2]],
    pub tiny: &'a [(u32, FloatExp)],
}

impl OrbitView<'_> {
    /// Point `m` with all its digits, for the extended-range loop.
    #[inline]
    pub fn point_exact(&self, m: usize) -> FloatExp {
        let [re, im] = self.points[m];
        if re.abs().max(im.abs()) < F64_DELTA_MIN
            && let Ok(i) = self.tiny.binary_search_by_key(&(m as u32), |t| t.0)
        {
            return self.tiny[i].1;
        }
        FloatExp::from_f64(re, im)
    }
}

/// What every sample of one image shares: both orbits, where every sample starts, the limits,
/// and the zero orbit's BLA table (`super::bla`; `None` leaves BLA out).
#[derive(Clone, Copy)]
pub struct PerturbRow<'a> {
    pub main: OrbitView<'a>,
    pub zero: OrbitView<'a>,
    /// Iteration (and main-orbit index) every sample starts at: the shared linear start.
    pub start: u32,
    pub max_iter: u32,
    pub r2: f64,
    pub bla: Option<&'a BlaTable>,
}

impl PerturbRow<'_> {
    /// The scalar loop for the sample whose offset at iteration `start` is `delta`: the
    /// reference every other path must equal.
    pub fn sample(&self, delta: FloatExp) -> EscapeSample {
        let at = SamplePosition {
            iteration: self.start,
            index: self.start as usize,
            on_zero: false,
        };
        continue_sample(self, at, delta)
    }
}

/// `|δ|²` below `2^-100·|W|²` on the zero orbit: a BLA jump may apply (its table decides).
pub(crate) const BLA_TRY_NORM2: f64 = f64::from_bits(((1023 - 100) as u64) << 52); // 2^-100

/// Where a sample stands in its iteration: its count so far, and the reference point it is
/// measured from (`index` into the main orbit, or into the zero orbit after a rebase).
#[derive(Clone, Copy, Debug)]
pub struct SamplePosition {
    pub iteration: u32,
    pub index: usize,
    pub on_zero: bool,
}

/// The scalar loop from any position: the vectorised kernel (`crate::kernel::perturb_row`)
/// hands a lane over here when its offset leaves f64's range or a BLA jump may apply, so both
/// finish identically.
pub fn continue_sample(row: &PerturbRow<'_>, at: SamplePosition, delta: FloatExp) -> EscapeSample {
    let (main, zero, max_iter, r2) = (row.main, row.zero, row.max_iter, row.r2);
    let mut on_zero = at.on_zero;
    let mut k = at.iteration;
    let mut m = at.index;
    let mut orbit = if on_zero { zero } else { main };
    let mut d = delta;
    loop {
        if d.exp >= F64_DELTA_MIN_EXP {
            let (mut dr, mut di) = d.to_f64();
            loop {
                let [zr, zi] = orbit.points[m];
                if on_zero
                    && let Some(bla) = row.bla
                    && dr * dr + di * di < (zr * zr + zi * zi) * BLA_TRY_NORM2
                    && let Some((steps, jumped)) =
                        bla.jump(m, FloatExp::from_f64(dr, di), max_iter - k)
                {
                    (m, k, d) = (m + steps as usize, k + steps, jumped);
                    break;
                }
                let (xr, xi) = (zr + dr, zi + di);
                let n2 = xr * xr + xi * xi;
                if k >= max_iter || n2 > r2 {
                    return EscapeSample {
                        count: k,
                        norm2: n2 as f32,
                    };
                }
                let (zr, zi) = if n2 < dr * dr + di * di || m + 1 == orbit.points.len() {
                    // Rebase onto the zero orbit: δ = z_k, X = W_0 = 0.
                    (dr, di, m, orbit, on_zero) = (xr, xi, 0, zero, true);
                    if dr.abs().max(di.abs()) < F64_DELTA_MIN {
                        d = FloatExp::from_f64(dr, di);
                        break;
                    }
                    (0.0, 0.0)
                } else {
                    (zr, zi)
                };
                let dr_next = 2.0 * (zr * dr - zi * di) + (dr * dr - di * di);
                di = 2.0 * (zr * di + zi * dr) + 2.0 * dr * di;
                dr = dr_next;
                m += 1;
                k += 1;
                if dr.abs().max(di.abs()) < F64_DELTA_MIN {
                    d = FloatExp::from_f64(dr, di);
                    break;
                }
            }
        } else {
            while d.exp < F64_DELTA_MIN_EXP {
                if on_zero
                    && let Some(bla) = row.bla
                    && let Some((steps, jumped)) = bla.jump(m, d, max_iter - k)
                {
                    (m, k, d) = (m + steps as usize, k + steps, jumped);
                    continue;
                }
                let x = orbit.point_exact(m);
                let z = x.plus(d);
                let (zr, zi) = z.to_f64();
                let n2 = zr * zr + zi * zi;
                if k >= max_iter || n2 > r2 {
                    return EscapeSample {
                        count: k,
                        norm2: n2 as f32,
                    };
                }
                let x = if z.smaller_than(d) || m + 1 == orbit.points.len() {
                    (d, m, orbit, on_zero) = (z, 0, zero, true);
                    FloatExp::ZERO
                } else {
                    x
                };
                let xd = x.times(d);
                d = xd.plus(xd).plus(d.times(d));
                m += 1;
                k += 1;
            }
        }
    }
}
