//! The escape-time definition (docs/DESIGN.md §3) in its plainest form: one sample, scalar, f32 and f64.
//!
//! This is the reference every faster kernel (SIMD on the CPU, WGSL on the GPU) is tested against.
//! The expressions and their order are the contract: `x' = x*x - y*y + c.re`, `y' = 2*x*y + c.im`,
//! `|z|^2 = x*x + y*y`, no fused multiply-add (Rust never contracts `a*b + c` on its own).

use bytemuck::{Pod, Zeroable};

/// The result of iterating one sample point.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct EscapeSample {
    /// `n`: the first `k` with `|z_k|^2 > R^2`, or `max_iter` if there is none.
    pub count: u32,
    /// `|z_n|^2` at escape (for smooth colouring); meaningless when `count == max_iter`.
    pub norm2: f32,
}

/// Iterates `z_0 = (x, y)` in f64.
pub fn escape_f64(
    mut x: f64,
    mut y: f64,
    c_re: f64,
    c_im: f64,
    max_iter: u32,
    r2: f64,
) -> EscapeSample {
    for k in 0..max_iter {
        let xx = x * x;
        let yy = y * y;
        let norm2 = xx + yy;
        if norm2 > r2 {
            return EscapeSample {
                count: k,
                norm2: norm2 as f32,
            };
        }
        let x_next = xx - yy + c_re;
        y = 2.0 * x * y + c_im;
        x = x_next;
    }
    EscapeSample {
        count: max_iter,
        norm2: (x * x + y * y) as f32,
    }
}

/// Iterates `z_0 = (x, y)` in f32 (the caller rounds the sample point and `c` to f32 once).
pub fn escape_f32(
    mut x: f32,
    mut y: f32,
    c_re: f32,
    c_im: f32,
    max_iter: u32,
    r2: f32,
) -> EscapeSample {
    for k in 0..max_iter {
        let xx = x * x;
        let yy = y * y;
        let norm2 = xx + yy;
        if norm2 > r2 {
            return EscapeSample { count: k, norm2 };
        }
        let x_next = xx - yy + c_re;
        y = 2.0 * x * y + c_im;
        x = x_next;
    }
    EscapeSample {
        count: max_iter,
        norm2: x * x + y * y,
    }
}
