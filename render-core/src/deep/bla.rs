//! Bilinear approximation (BLA) along the zero orbit: many iterations in one multiplication, for
//! samples whose offset is small enough that `δ²` no longer counts.
//!
//! While `|δ_j| < 2^-53·|W_j|`, the step `δ ← 2·W_j·δ + δ²` is `δ ← 2·W_j·δ` to within the rounding
//! of one f64 operation, so `2^l` steps from point `m` are one product `δ ← A·δ` with
//! `A = Π 2·W_j`, valid while `|δ|` stays below every step's bound on the way. Merging two runs `x`
//! then `y` gives `A = A_y·A_x` and the radius `min(r_x, r_y / |A_x|)` (Heiland-Allen, "Deep zoom
//! theory and practice", 2022, after Zhuoran's BLA). For Julia sets `c` is fixed, so there is no
//! `B·δc` term and one table serves every pixel.
//!
//! Where it pays (measured in docs/DEEP_ZOOM.md): pixels inside the filled Julia set of a `c` in
//! the Mandelbrot set. After their rebase onto the zero orbit both they and the zero orbit fall
//! into the same attracting cycle, so `δ` shrinks for ever: the per-pixel loop would run every
//! remaining iteration up to `max_iter` (most of them in extended range); with the table it takes
//! a handful of jumps. On the main orbit the shared linear start (`skip.rs`) already takes what
//! BLA could: the measured headroom after it is 1–2 % of the iterations.
//!
//! A step's bound is 0 where the orbit could let a sample escape (`|W_j|² ≥ R²·(1 − 2^-30)`), at
//! `W_j = 0`, and beyond the orbit's last point, so a jump never passes an escape, a rebase
//! (`|W + δ| < |δ|` needs `|δ| > |W|/2`) or the end of the orbit, and the counts stay exact.

use super::floatexp::FloatExp;
use super::perturb::OrbitView;

/// `2^l` steps from one point: `δ ↦ a·δ` while `|δ| < 2^radius_exp`.
#[derive(Clone, Copy)]
struct Jump {
    a: FloatExp,
    /// The validity radius rounded down to a power of two (`i32::MIN`: never valid).
    radius_exp: i32,
}

/// The merged steps of an orbit at every power-of-two length: `levels[l][i]` takes a sample from
/// point `i·2^l` to point `(i + 1)·2^l`. About two entries per orbit point.
pub struct BlaTable {
    levels: Vec<Vec<Jump>>,
}

/// The exponent `e` with `2^e <= |x|` for a normalised [`FloatExp`] (`|x| ≥ max part ≥ 2^exp`).
fn floor_log2(x: FloatExp) -> i32 {
    if x.is_zero() { i32::MIN } else { x.exp }
}

impl BlaTable {
    /// The table of `orbit` for escape radius² `r2`.
    pub fn new(orbit: OrbitView<'_>, r2: f64) -> BlaTable {
        let escape_guard = r2 * (1.0 - 1.0 / f64::from(1u32 << 30));
        let steps = orbit.points.len().saturating_sub(1);
        let single: Vec<Jump> = (0..steps)
            .map(|j| {
                let [wr, wi] = orbit.points[j];
                let w = orbit.point_exact(j);
                let radius_exp = if w.is_zero() || wr * wr + wi * wi >= escape_guard {
                    i32::MIN
                } else {
                    floor_log2(w).saturating_sub(53)
                };
                Jump {
                    a: FloatExp {
                        exp: w.exp + 1,
                        ..w
                    },
                    radius_exp,
                }
            })
            .collect();
        let mut levels = vec![single];
        while levels.last().is_some_and(|l| l.len() >= 2) {
            let below = levels.last().expect("non-empty");
            let merged = below
                .chunks_exact(2)
                .map(|pair| merge(pair[0], pair[1]))
                .collect();
            levels.push(merged);
        }
        BlaTable { levels }
    }

    /// The longest jump from point `m` for offset `delta`, of at most `max_steps` steps and at
    /// least 2: `(steps, δ after them)`, or `None` when none is valid.
    #[inline]
    pub fn jump(&self, m: usize, delta: FloatExp, max_steps: u32) -> Option<(u32, FloatExp)> {
        // |δ| < 2^(exp + 1.5) for a normalised value: compare with a margin of two binades.
        let delta_exp = if delta.is_zero() {
            i32::MIN
        } else {
            delta.exp + 2
        };
        let aligned = if m == 0 {
            self.levels.len() - 1
        } else {
            (m.trailing_zeros() as usize).min(self.levels.len() - 1)
        };
        for level in (1..=aligned).rev() {
            let steps = 1u32 << level;
            if steps > max_steps {
                continue;
            }
            let Some(jump) = self.levels[level].get(m >> level) else {
                continue;
            };
            if delta_exp <= jump.radius_exp && jump.radius_exp != i32::MIN {
                return Some((steps, jump.a.times(delta)));
            }
        }
        None
    }
}

/// Run `x` then run `y`: `A = A_y·A_x`, radius `min(r_x, r_y / |A_x|)`, rounded down.
fn merge(x: Jump, y: Jump) -> Jump {
    let a = y.a.times(x.a);
    let radius_exp = if x.a.is_zero() || y.radius_exp == i32::MIN {
        // r_y / |A_x| is unbounded for A_x = 0; a zero radius stays zero.
        if y.radius_exp == i32::MIN {
            i32::MIN
        } else {
            x.radius_exp
        }
    } else {
        // |A_x| < 2^(exp + 1.5): dividing by 2^(exp + 2) rounds the quotient down.
        let through_y = y.radius_exp.saturating_sub(x.a.exp + 2);
        x.radius_exp.min(through_y)
    };
    Jump { a, radius_exp }
}
