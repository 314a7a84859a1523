//! The Mandelbrot set as a map of Julia parameters: a point `c` is in it when the Julia set of
//! `z² + c` is connected. The web UI's c-picker draws it with this function and the same colourer
//! as the Julia preview, so both panels share one palette and one escape rule.
//!
//! Pixel `c` iterates `z ← z² + c` from the critical point `z_0 = 0`: exactly the Julia escape
//! rule of docs/DESIGN.md §3 with the roles of `z_0` and `c` swapped, so it reuses
//! [`escape_f64`]'s expressions.

use crate::escape::{EscapeSample, escape_f64};

/// Fills `out` with the Mandelbrot escape samples of the points `(re[i], im)`.
pub fn mandelbrot_row(re: &[f64], im: f64, max_iter: u32, r2: f64, out: &mut [EscapeSample]) {
    for (o, &c_re) in out.iter_mut().zip(re) {
        *o = escape_f64(0.0, 0.0, c_re, im, max_iter, r2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `z ← z² + c` from 0 in complex arithmetic written out here, the count of the first `|z|² > r2`.
    fn direct(c: (f64, f64), max_iter: u32, r2: f64) -> u32 {
        let mut z = (0.0f64, 0.0f64);
        for k in 0..max_iter {
            if z.0 * z.0 + z.1 * z.1 > r2 {
                return k;
            }
            z = (z.0 * z.0 - z.1 * z.1 + c.0, 2.0 * z.0 * z.1 + c.1);
        }
        max_iter
    }

    #[test]
    fn rows_match_direct_iteration_inside_outside_and_near_the_boundary() {
        let re: Vec<f64> = (0..64).map(|i| -2.2 + f64::from(i) * 0.05).collect();
        for im in [0.0, 0.3, 0.65, 1.1] {
            let mut out = vec![EscapeSample::default(); re.len()];
            mandelbrot_row(&re, im, 200, 4.0, &mut out);
            for (&x, s) in re.iter().zip(&out) {
                assert_eq!(s.count, direct((x, im), 200, 4.0), "c = {x} + {im}i");
            }
        }
        // The main cardioid never escapes; c = 1 escapes at once.
        let mut out = [EscapeSample::default(); 2];
        mandelbrot_row(&[-0.1, 1.0], 0.0, 100, 4.0, &mut out);
        assert_eq!(out[0].count, 100);
        assert_eq!(out[1].count, 3);
    }
}
