//! The uniform block and the orbit-table entries of the WGSL deep-zoom shaders
//! (`shaders/src/deep.wgsl.tmpl`, a port of `crate::deep::perturb`), as `#[repr(C)]` Pod structs
//! checked against the shader by the naga test, like the escape shaders' structs.
//!
//! The shader's extended-range numbers are [`FloatExp`]s with f32 or f64 mantissas: the f32
//! variant rounds every mantissa once, here ([`floatexp_to_f32`]).

use bytemuck::{Pod, Zeroable};

use crate::deep::{BlaJump, FloatExp};

/// What a deep dispatch computes, whatever the precision: which samples and which iterations.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DeepRange {
    pub max_iter: u32,
    /// Samples per sample row.
    pub row_len: u32,
    /// Sample rows in this chunk.
    pub rows: u32,
    /// The image's sample row of this chunk's first row.
    pub first_row: u32,
    /// Sample rows of the whole image (`height · supersample`): with `row_len` it places `δ_0`.
    pub sample_height: u32,
    /// The iteration every sample starts at (the shared linear start).
    pub start: u32,
    /// First iteration this dispatch evaluates; `start` initialises `δ`.
    pub iter_begin: u32,
    /// One past the last iteration this dispatch evaluates (at most `max_iter`).
    pub iter_end: u32,
    /// Points of the main orbit; the zero orbit follows it in the same tables.
    pub main_len: u32,
    /// Points of both orbits together.
    pub orbit_len: u32,
    /// The zero orbit's BLA table's top level (`BlaTable::top_level`; 0: no jumps).
    pub bla_top: u32,
}

/// Uniforms of the f32 variant: `A_n` and the sample step with f32 mantissas, `R²` in f32.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct DeepParamsF32 {
    pub factor_re: f32,
    pub factor_im: f32,
    pub step_re: f32,
    pub step_im: f32,
    pub r2: f32,
    pub factor_exp: i32,
    pub step_exp: i32,
    pub max_iter: u32,
    pub row_len: u32,
    pub rows: u32,
    pub first_row: u32,
    pub sample_height: u32,
    pub start: u32,
    pub iter_begin: u32,
    pub iter_end: u32,
    pub main_len: u32,
    pub orbit_len: u32,
    /// Always 0.0 (see the parent module's documentation).
    pub fma_barrier: f32,
    pub bla_top: u32,
    pub _pad: u32,
}

/// Uniforms of the f64 variant: the CPU's values exactly.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct DeepParamsF64 {
    pub factor_re: f64,
    pub factor_im: f64,
    pub step_re: f64,
    pub step_im: f64,
    pub r2: f64,
    pub factor_exp: i32,
    pub step_exp: i32,
    pub max_iter: u32,
    pub row_len: u32,
    pub rows: u32,
    pub first_row: u32,
    pub sample_height: u32,
    pub start: u32,
    pub iter_begin: u32,
    pub iter_end: u32,
    pub main_len: u32,
    pub orbit_len: u32,
    /// Always 0.0; widened to f64 in the shader.
    pub fma_barrier: f32,
    pub bla_top: u32,
}

/// One reference point with all its digits (`OrbitView::point_exact`), f32 mantissas.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct ExactPointF32 {
    pub re: f32,
    pub im: f32,
    pub exp: i32,
}

/// One reference point with all its digits, f64 mantissas (the CPU's `FloatExp`).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct ExactPointF64 {
    pub re: f64,
    pub im: f64,
    pub exp: i32,
    pub _pad: u32,
}

/// Bytes per sample of the deep shaders' resumable state (`δ` as mantissas and exponent, the
/// orbit index and the iteration, which BLA jumps make each sample's own): `vec2<f64>`, `i32`,
/// `u32`, `u32` padded to 32 (the f32 variant uses 24).
pub const DEEP_STATE_BYTES: u64 = 32;

/// `value` with its mantissas rounded to f32, normalised again (rounding can carry a mantissa
/// up to 2): `(re, im, exp)`.
pub fn floatexp_to_f32(value: FloatExp) -> (f32, f32, i32) {
    let (re, im) = (value.re as f32, value.im as f32);
    if re.abs().max(im.abs()) >= 2.0 {
        (re / 2.0, im / 2.0, value.exp + 1)
    } else {
        (re, im, value.exp)
    }
}

impl ExactPointF32 {
    pub fn new(value: FloatExp) -> Self {
        let (re, im, exp) = floatexp_to_f32(value);
        Self { re, im, exp }
    }
}

impl ExactPointF64 {
    pub fn new(value: FloatExp) -> Self {
        Self {
            re: value.re,
            im: value.im,
            exp: value.exp,
            _pad: 0,
        }
    }
}

impl DeepParamsF32 {
    /// `factor` is `A_n`, `step` the sample step, `r2` = `escape_radius²` (rounded to f32 once).
    pub fn new(factor: FloatExp, step: FloatExp, r2: f64, range: DeepRange) -> Self {
        let (factor_re, factor_im, factor_exp) = floatexp_to_f32(factor);
        let (step_re, step_im, step_exp) = floatexp_to_f32(step);
        Self {
            factor_re,
            factor_im,
            step_re,
            step_im,
            r2: r2 as f32,
            factor_exp,
            step_exp,
            max_iter: range.max_iter,
            row_len: range.row_len,
            rows: range.rows,
            first_row: range.first_row,
            sample_height: range.sample_height,
            start: range.start,
            iter_begin: range.iter_begin,
            iter_end: range.iter_end,
            main_len: range.main_len,
            orbit_len: range.orbit_len,
            fma_barrier: 0.0,
            bla_top: range.bla_top,
            _pad: 0,
        }
    }
}

impl DeepParamsF64 {
    pub fn new(factor: FloatExp, step: FloatExp, r2: f64, range: DeepRange) -> Self {
        Self {
            factor_re: factor.re,
            factor_im: factor.im,
            step_re: step.re,
            step_im: step.im,
            r2,
            factor_exp: factor.exp,
            step_exp: step.exp,
            max_iter: range.max_iter,
            row_len: range.row_len,
            rows: range.rows,
            first_row: range.first_row,
            sample_height: range.sample_height,
            start: range.start,
            iter_begin: range.iter_begin,
            iter_end: range.iter_end,
            main_len: range.main_len,
            orbit_len: range.orbit_len,
            fma_barrier: 0.0,
            bla_top: range.bla_top,
        }
    }
}

/// One jump of the zero orbit's BLA table (`crate::deep::BlaJump`, at its in-order slot), f32
/// mantissas.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct BlaJumpF32 {
    pub re: f32,
    pub im: f32,
    pub exp: i32,
    pub radius_exp: i32,
}

/// One jump of the zero orbit's BLA table, f64 mantissas (the CPU's own).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct BlaJumpF64 {
    pub re: f64,
    pub im: f64,
    pub exp: i32,
    pub radius_exp: i32,
}

impl BlaJumpF32 {
    pub fn new(jump: BlaJump) -> Self {
        let (re, im, exp) = floatexp_to_f32(jump.a);
        Self {
            re,
            im,
            exp,
            radius_exp: jump.radius_exp,
        }
    }
}

impl BlaJumpF64 {
    pub fn new(jump: BlaJump) -> Self {
        Self {
            re: jump.a.re,
            im: jump.a.im,
            exp: jump.a.exp,
            radius_exp: jump.radius_exp,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_to_f32_keeps_mantissas_normalised() {
        // 2 - 2^-40 rounds to 2.0 in f32: the value becomes 1·2^(exp+1).
        let nearly_two = FloatExp {
            re: 2.0 - 2f64.powi(-40),
            im: 0.5,
            exp: -3000,
        };
        assert_eq!(floatexp_to_f32(nearly_two), (1.0, 0.25, -2999));
        let plain = FloatExp::new(1.5, -0.75, 12);
        assert_eq!(floatexp_to_f32(plain), (1.5, -0.75, 12));
        assert_eq!(ExactPointF32::new(plain).exp, 12);
    }
}
