//! A branch-free `log2` good to 3e-5, for the smooth escape value: three logarithms per sample
//! are most of the colouring cost with libm's exact ones, and colour needs nowhere near their
//! precision.

/// Polynomial fit of `log2(1 + m)` for `m` in `[0, 1)` (least squares, max error 3.2e-5).
const COEFFS: [f32; 6] = [
    3.168_154_2e-5,
    1.441_270_8,
    -0.705_719_5,
    0.408_749_67,
    -0.187_744,
    0.043_434_335,
];

/// `log2(x)` for positive normal `x`; garbage (but no panic) otherwise.
#[inline(always)]
pub(super) fn log2(x: f32) -> f32 {
    let bits = x.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000) - 1.0;
    let p = COEFFS[5];
    let p = p * m + COEFFS[4];
    let p = p * m + COEFFS[3];
    let p = p * m + COEFFS[2];
    let p = p * m + COEFFS[1];
    let p = p * m + COEFFS[0];
    exponent as f32 + p
}

#[cfg(test)]
mod tests {
    #[test]
    fn fast_log2_is_within_its_stated_error() {
        let mut x = 1e-30f32;
        while x < 1e30 {
            let err = (super::log2(x) - x.log2()).abs();
            assert!(err < 1e-4 * x.log2().abs().max(1.0), "x={x}: err {err}");
            x *= 1.37;
        }
    }
}
