//! Reference orbits in arbitrary precision, and the cache that shares them between renders.
//!
//! The arithmetic is malachite-float's (`bigfloat.rs` says why it was picked over dashu-float and
//! astro-float); every point is kept rounded to f64, as the kernels read it, and exactly when its
//! f64 would lose digits.

mod bigfloat;
mod cache;

use std::sync::Arc;

pub use self::bigfloat::decimal_to_floatexp;
pub use self::cache::{OrbitCacheStats, orbit_cache_stats};
use super::floatexp::FloatExp;
use super::perturb::OrbitView;
use crate::decimal::Decimal;
use crate::params::RenderParams;
use crate::stop::StopFlag;

/// A reference orbit `X_0 .. X_{len-1}` of `f(z) = z² + c`, ending at `len` points or at the first
/// point with `|X|² > R²`-ish (4·10^18: beyond every accepted escape radius), whichever is first.
pub struct Orbit {
    points: Vec<[f64; 2]>,
    /// Exact values of the points whose f64 is below 2^-500, by index.
    tiny: Vec<(u32, FloatExp)>,
    /// Whether the orbit ended by escaping (then it is complete for any length).
    escaped: bool,
}

/// `|X|²` beyond which an orbit is not continued: above every accepted `R²` (R ≤ 1e9), so no
/// pixel escape test needs a later point.
const ORBIT_ESCAPE_NORM2: f64 = 4e18;

impl Orbit {
    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The first `len` points (fewer if it escaped sooner): a render sees exactly the orbit its
    /// own `max_iter` defines, whatever longer orbit the cache holds, so its output never depends
    /// on what was rendered before.
    pub fn view(&self, len: usize) -> OrbitView<'_> {
        let n = len.min(self.points.len());
        let tiny_end = self.tiny.partition_point(|t| (t.0 as usize) < n);
        OrbitView {
            points: &self.points[..n],
            tiny: &self.tiny[..tiny_end],
        }
    }
}

/// Bits of precision for the reference orbits of a view: enough that the f64-rounded points are
/// right for every pixel: 64 bits below the pixel step, relative to the largest magnitude in play.
pub fn precision_bits(pixel_step: FloatExp, params: &RenderParams) -> u32 {
    let magnitude = [
        params.center.re.abs(),
        params.center.im.abs(),
        params.c.re.abs(),
        params.c.im.abs(),
        params.escape_radius,
        1.0,
    ]
    .into_iter()
    .fold(0.0f64, f64::max);
    let above = magnitude.log2().ceil() as i64;
    let below = -i64::from(pixel_step.exp);
    (above + below + 64).clamp(64, 1 << 16) as u32
}

/// The orbit of `start` under `z² + c` at `bits` of precision, at least `len` points long (or
/// until it escapes); from the cache when it holds one, else computed and cached. The flag says
/// whether it was computed now. `None` when `stop` was raised while computing.
pub fn reference_orbit(
    start_re: &Decimal,
    start_im: &Decimal,
    c_re: &Decimal,
    c_im: &Decimal,
    bits: u32,
    len: usize,
    stop: &StopFlag,
) -> Option<(Arc<Orbit>, bool)> {
    let key = cache::OrbitKey {
        start: [start_re.clone(), start_im.clone()],
        c: [c_re.clone(), c_im.clone()],
        bits,
    };
    if let Some(orbit) = cache::lookup(&key, len) {
        return Some((orbit, false));
    }
    let started = crate::stopwatch::Stopwatch::start();
    let orbit = Arc::new(compute(start_re, start_im, c_re, c_im, bits, len, stop)?);
    cache::insert(key, Arc::clone(&orbit), started.elapsed());
    Some((orbit, true))
}

/// Iterates in `bits` of precision, rounding each point to f64 (and keeping tiny ones exactly).
fn compute(
    start_re: &Decimal,
    start_im: &Decimal,
    c_re: &Decimal,
    c_im: &Decimal,
    bits: u32,
    len: usize,
    stop: &StopFlag,
) -> Option<Orbit> {
    let mut z = bigfloat::Complex::new(start_re, start_im, bits);
    let c = bigfloat::Complex::new(c_re, c_im, bits);
    let mut orbit = Orbit {
        points: Vec::with_capacity(len.min(1 << 20)),
        tiny: Vec::new(),
        escaped: false,
    };
    for n in 0..len {
        if n % 1024 == 0 && stop.is_stopped() {
            return None;
        }
        let (re, im) = z.to_f64();
        orbit.points.push([re, im]);
        if re.abs().max(im.abs()) < super::perturb::F64_DELTA_MIN {
            orbit.tiny.push((n as u32, z.to_floatexp()));
        }
        if re * re + im * im > ORBIT_ESCAPE_NORM2 || !(re.is_finite() && im.is_finite()) {
            orbit.escaped = true;
            break;
        }
        if n + 1 < len {
            z = z.square_add(&c);
        }
    }
    Some(orbit)
}
