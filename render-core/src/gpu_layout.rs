//! The uniform blocks the WGSL escape shaders read, as `#[repr(C)]` Pod structs.
//!
//! render-core knows no GPU: these are plain structs, filled by the GPU renderer in render-gpu and
//! checked field by field (size and offsets) against the structs the shaders declare, by the naga
//! test in `shaders/tests/`. A change on one side without the other fails that test.
//!
//! A render is split into dispatches by sample rows and by iteration budget: each dispatch iterates
//! the samples of one chunk from `iter_begin` to `iter_end`, resuming from the `z` it stored the
//! time before, so that no single dispatch runs long enough to trip a driver watchdog.
//!
//! `fma_barrier` is always 0.0. The shaders add it to every product before the product meets an
//! addition: shader compilers (Mesa's NIR, vendor drivers) otherwise fuse `a*b + c` into one FMA,
//! which docs/DESIGN.md §3 forbids and which changes counts near the set (measured on lavapipe: 3.9% of
//! samples of the default f32 view). The compiler cannot know the uniform is zero, so it cannot
//! drop the addition, and `fma(a, b, 0.0)` rounds exactly like `a * b`.

use bytemuck::{Pod, Zeroable};

/// The part of a dispatch that does not depend on precision: which samples and which iterations.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct DispatchRange {
    /// `max_iter` of the render: a sample still inside after this many iterations is interior.
    pub max_iter: u32,
    /// Samples per sample row (the length of the column table).
    pub row_len: u32,
    /// Sample rows in this chunk (the length of the row table).
    pub rows: u32,
    /// First iteration `k` this dispatch evaluates; 0 starts from the sample point.
    pub iter_begin: u32,
    /// One past the last iteration this dispatch evaluates (at most `max_iter`).
    pub iter_end: u32,
}

/// Uniforms of the f32 variant of `julia.wgsl.tmpl`: `c` and `R^2` rounded to f32 once, as
/// docs/DESIGN.md §3 says.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct JuliaParamsF32 {
    pub c_re: f32,
    pub c_im: f32,
    /// `escape_radius^2`, computed in f64 and then rounded, like the CPU kernel does.
    pub r2: f32,
    pub max_iter: u32,
    pub row_len: u32,
    pub rows: u32,
    pub iter_begin: u32,
    pub iter_end: u32,
    /// Always 0.0 (see the module documentation).
    pub fma_barrier: f32,
    pub _pad: [u32; 3],
}

/// Uniforms of the f64 variant of `julia.wgsl.tmpl`. Sizes are kept a multiple of 16 bytes, as
/// uniform buffer bindings want.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Pod, Zeroable)]
pub struct JuliaParamsF64 {
    pub c_re: f64,
    pub c_im: f64,
    pub r2: f64,
    pub max_iter: u32,
    pub row_len: u32,
    pub rows: u32,
    pub iter_begin: u32,
    pub iter_end: u32,
    /// Always 0.0 (see the module documentation); widened to f64 in the shader.
    pub fma_barrier: f32,
}

impl JuliaParamsF32 {
    pub fn new(c_re: f64, c_im: f64, escape_radius: f64, range: DispatchRange) -> Self {
        Self {
            c_re: c_re as f32,
            c_im: c_im as f32,
            r2: (escape_radius * escape_radius) as f32,
            max_iter: range.max_iter,
            row_len: range.row_len,
            rows: range.rows,
            iter_begin: range.iter_begin,
            iter_end: range.iter_end,
            fma_barrier: 0.0,
            _pad: [0; 3],
        }
    }
}

impl JuliaParamsF64 {
    pub fn new(c_re: f64, c_im: f64, escape_radius: f64, range: DispatchRange) -> Self {
        Self {
            c_re,
            c_im,
            r2: escape_radius * escape_radius,
            max_iter: range.max_iter,
            row_len: range.row_len,
            rows: range.rows,
            iter_begin: range.iter_begin,
            iter_end: range.iter_end,
            fma_barrier: 0.0,
        }
    }
}

/// The count the shaders store for a sample whose iteration is not finished yet (between
/// dispatches). No real count can equal it: `max_iter` is at most 1,000,000.
pub const COUNT_RUNNING: u32 = u32::MAX;

/// The count the f32 deep shader stores for a sample whose count it does not vouch for (its
/// glitch test, docs/DEEP_ZOOM.md "Glitch test"): the renderer recomputes it on the CPU.
pub const COUNT_ON_CPU: u32 = u32::MAX - 1;

/// Bytes per sample of the resumable `z` state buffer: a `vec2<f64>` (the f32 shader uses half).
pub const Z_STATE_BYTES: u64 = 16;

/// Threads per workgroup of the escape shaders (`@workgroup_size`); the shader test checks it.
pub const WORKGROUP_SIZE: u32 = 64;

mod deep;
pub use deep::{
    BlaJumpF32, BlaJumpF64, DEEP_STATE_BYTES, DeepParamsF32, DeepParamsF64, DeepRange,
    ExactPointF32, ExactPointF64, floatexp_to_f32,
};
