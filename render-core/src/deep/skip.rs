//! The shared linear start: iterations every pixel of a deep view spends in lock-step with the
//! reference, skipped for the whole image at once.
//!
//! While `|δ_n|` is below `2^-53·|X_n|`, the step `δ ← 2·X_n·δ + δ²` is `δ ← 2·X_n·δ` to within
//! the rounding of one f64 operation (the dropped `δ²` is at most `2^-54` of the kept term), so
//! `δ_n = A_n·δ_0` with `A_n = Π_{i<n} 2·X_i`, the same factor for every pixel. This is the first
//! level of bilinear approximation (BLA: `δ_{n+l} = A·δ_n + B·δc`, here with `B = 0` because c is
//! fixed) applied once from iteration 0, with the validity radius taken as the image's largest
//! `|δ_0|` (its half diagonal), so the condition holds for every pixel. At a view width of
//! 1e-1000 every pixel needs thousands of such iterations before its offset reaches f64 scale;
//! they cost one extended-range complex product per image instead of per pixel.
//!
//! It also ends before any iteration where a pixel could escape (`|X_n|²` within `2^-30` of `R²`)
//! or rebase (impossible while `|δ| < 2^-53·|X_n|`), so the skipped counts are exact.

use super::floatexp::FloatExp;
use super::perturb::OrbitView;

/// How far every pixel can jump: `(n, A_n)`, after which pixel `δ_0` continues at iteration `n`
/// with `δ_n = A_n·δ_0`.
pub fn linear_start(
    main: OrbitView<'_>,
    radius: FloatExp,
    max_iter: u32,
    r2: f64,
) -> (u32, FloatExp) {
    let escape_guard = r2 * (1.0 - 1.0 / f64::from(1u32 << 30));
    let mut factor = FloatExp::from_f64(1.0, 0.0);
    let mut n = 0usize;
    while n < max_iter as usize && n + 1 < main.points.len() {
        let [xr, xi] = main.points[n];
        if xr * xr + xi * xi > escape_guard {
            break;
        }
        let x = main.point_exact(n);
        let reach = factor.times(radius);
        let bound = FloatExp {
            exp: x.exp - 53,
            ..x
        };
        if x.is_zero() || !reach.smaller_than(bound) {
            break;
        }
        factor = factor.times(FloatExp {
            exp: x.exp + 1,
            ..x
        });
        n += 1;
    }
    (n as u32, factor)
}
