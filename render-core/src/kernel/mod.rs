//! Row kernels: escape samples for one row of sample points, the CPU renderer's inner loop.

use crate::escape::{EscapeSample, escape_f32, escape_f64};

/// Escape samples for the points `(xs[i], y)`, f64.
pub fn escape_row_f64(
    xs: &[f64],
    y: f64,
    c_re: f64,
    c_im: f64,
    max_iter: u32,
    r2: f64,
    out: &mut [EscapeSample],
) {
    for (o, &x) in out.iter_mut().zip(xs) {
        *o = escape_f64(x, y, c_re, c_im, max_iter, r2);
    }
}

/// Escape samples for the points `(xs[i], y)`, f32.
pub fn escape_row_f32(
    xs: &[f32],
    y: f32,
    c_re: f32,
    c_im: f32,
    max_iter: u32,
    r2: f32,
    out: &mut [EscapeSample],
) {
    for (o, &x) in out.iter_mut().zip(xs) {
        *o = escape_f32(x, y, c_re, c_im, max_iter, r2);
    }
}
