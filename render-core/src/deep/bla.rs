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
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BlaJump {
    pub a: FloatExp,
    /// The validity radius rounded down to a power of two; [`BlaJump::NEVER`] where the jump is
    /// never valid (and in slots of [`BlaTable::in_order`] no jump fills).
    pub radius_exp: i32,
}

impl BlaJump {
    /// The radius exponent of a jump that is never taken.
    pub const NEVER: i32 = i32::MIN;
}

/// The merged steps of an orbit at every power-of-two length: `levels[l][i]` takes a sample from
/// point `i·2^l` to point `(i + 1)·2^l`. About two entries per orbit point.
pub struct BlaTable {
    levels: Vec<Vec<BlaJump>>,
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
        let single: Vec<BlaJump> = (0..steps)
            .map(|j| {
                let [wr, wi] = orbit.points[j];
                let w = orbit.point_exact(j);
                let radius_exp = if w.is_zero() || wr * wr + wi * wi >= escape_guard {
                    BlaJump::NEVER
                } else {
                    floor_log2(w).saturating_sub(53)
                };
                BlaJump {
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
            if delta_exp <= jump.radius_exp && jump.radius_exp != BlaJump::NEVER {
                return Some((steps, jump.a.times(delta)));
            }
        }
        None
    }
}

/// Where a table's jump of `2^level` steps from point `index·2^level` lies in
/// [`BlaTable::in_order`]: the in-order numbering of a binary tree, `(index + ½)·2^level − 1`,
/// distinct for every (level ≥ 1, index) and below the orbit's step count for every jump the
/// table has. A shader finds a jump from its start point and length alone, with no table of
/// level offsets.
pub fn in_order_slot(level: u32, index: usize) -> usize {
    (index << level) + (1 << (level - 1)) - 1
}

impl BlaTable {
    /// The highest level: its jumps take `2^top_level` steps (0 when the table has no jumps).
    pub fn top_level(&self) -> u32 {
        (self.levels.len() - 1) as u32
    }

    /// Every jump of two steps or more in one array, each at [`in_order_slot`] (one slot per
    /// orbit step; slots no jump fills are never valid): the table as a shader reads it.
    pub fn in_order(&self) -> Vec<BlaJump> {
        let steps = self.levels[0].len();
        let mut slots = vec![
            BlaJump {
                a: FloatExp::ZERO,
                radius_exp: BlaJump::NEVER,
            };
            steps.max(1)
        ];
        for (level, jumps) in self.levels.iter().enumerate().skip(1) {
            for (index, jump) in jumps.iter().enumerate() {
                slots[in_order_slot(level as u32, index)] = *jump;
            }
        }
        slots
    }
}

/// [`BlaTable::jump`] as the shader does it (`bla_level` in shaders/src/deep.wgsl.tmpl), on the
/// [`BlaTable::in_order`] array of an orbit of `steps` steps with top level `top_level`: the same
/// jump, found by bisection instead of a scan. Validity only shrinks as the level grows (a merged
/// radius is at most its first half's, a longer jump needs more table and more steps left), so
/// the longest valid level is the top of a prefix, and five halvings find it for any level below
/// 32. Straight-line code: a shader cannot afford a loop per iteration (see the shader).
pub fn jump_in_order(
    slots: &[BlaJump],
    top_level: u32,
    steps: usize,
    m: usize,
    delta: FloatExp,
    max_steps: u32,
) -> Option<(u32, FloatExp)> {
    if top_level == 0 || max_steps < 2 {
        return None;
    }
    let aligned = (m.trailing_zeros()).min(top_level);
    let highest = aligned.min(max_steps.ilog2());
    let valid = |level: u32| {
        let len = 1usize << level;
        if m + len > steps {
            return false;
        }
        let jump = slots[in_order_slot(level, m >> level)];
        jump.radius_exp != BlaJump::NEVER && (delta.is_zero() || delta.exp + 2 <= jump.radius_exp)
    };
    // `low` is valid (0: no jump), `high` is not.
    let (mut low, mut high) = (0u32, highest + 1);
    for _ in 0..5 {
        if high - low > 1 {
            let mid = (low + high) / 2;
            if valid(mid) {
                low = mid;
            } else {
                high = mid;
            }
        }
    }
    (low > 0).then(|| {
        let jump = slots[in_order_slot(low, m >> low)];
        (1u32 << low, jump.a.times(delta))
    })
}

/// Run `x` then run `y`: `A = A_y·A_x`, radius `min(r_x, r_y / |A_x|)`, rounded down.
fn merge(x: BlaJump, y: BlaJump) -> BlaJump {
    let a = y.a.times(x.a);
    let radius_exp = if x.a.is_zero() || y.radius_exp == BlaJump::NEVER {
        // r_y / |A_x| is unbounded for A_x = 0; a zero radius stays zero.
        if y.radius_exp == BlaJump::NEVER {
            BlaJump::NEVER
        } else {
            x.radius_exp
        }
    } else {
        // |A_x| < 2^(exp + 1.5): dividing by 2^(exp + 2) rounds the quotient down.
        let through_y = y.radius_exp.saturating_sub(x.a.exp + 2);
        x.radius_exp.min(through_y)
    };
    BlaJump { a, radius_exp }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The orbit of 0 under `c` in f64, up to its escape or `len` points.
    fn zero_orbit(c: (f64, f64), len: usize) -> Vec<[f64; 2]> {
        let mut points = vec![[0.0, 0.0]];
        while points.len() < len {
            let [x, y] = *points.last().expect("non-empty");
            if x * x + y * y > 4.0 {
                break;
            }
            points.push([x * x - y * y + c.0, 2.0 * x * y + c.1]);
        }
        points
    }

    #[test]
    fn in_order_slots_are_distinct_and_inside_the_orbit() {
        for steps in [2usize, 3, 7, 8, 1000, 4097] {
            let mut seen = vec![false; steps];
            let mut level = 1;
            while steps >> level > 0 {
                for index in 0..steps >> level {
                    let slot = in_order_slot(level, index);
                    assert!(slot < steps, "level {level} index {index} of {steps}");
                    assert!(!seen[slot], "slot {slot} twice");
                    seen[slot] = true;
                }
                level += 1;
            }
        }
    }

    /// The shader's bisection finds the very jump the CPU's scan finds, from every point, for
    /// offsets from far below to far above every radius, and for every remaining-step limit.
    #[test]
    fn the_shaders_lookup_equals_the_scan() {
        // The rabbit (interior: the zero orbit falls into a 3-cycle), a c whose zero orbit
        // escapes after a few dozen steps, and one on the main cardioid's boundary region.
        for c in [(-0.1226, 0.7449), (0.36, 0.1), (-0.75, 0.1)] {
            let points = zero_orbit(c, 3000);
            let orbit = OrbitView {
                points: &points,
                tiny: &[],
            };
            let table = BlaTable::new(orbit, 4.0);
            let slots = table.in_order();
            let steps = points.len() - 1;
            let mut jumps = 0;
            for m in 0..steps {
                for exp in (-400..0).step_by(7) {
                    for max_steps in [0u32, 1, 2, 3, 17, 64, 1000, u32::MAX] {
                        let delta = FloatExp::new(1.25, -0.5, exp);
                        let scan = table.jump(m, delta, max_steps);
                        let bisect =
                            jump_in_order(&slots, table.top_level(), steps, m, delta, max_steps);
                        assert_eq!(scan, bisect, "c {c:?} m {m} exp {exp} max {max_steps}");
                        jumps += usize::from(scan.is_some());
                    }
                }
            }
            assert!(
                jumps > 0,
                "c {c:?}: the table never jumps; the test proves nothing"
            );
        }
    }
}
