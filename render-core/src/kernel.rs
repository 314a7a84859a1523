//! Row kernels: escape samples for one row of sample points, the CPU renderer's inner loop.
//!
//! Vectorised with `std::arch` and picked at run time for the widest instruction set the CPU has
//! (AVX-512F, then AVX2, then SSE2 on x86_64; simd128 on wasm32 when compiled with it). Every path
//! returns exactly what the scalar reference in [`crate::escape`] returns.

mod lanes;
mod perturb_row;
mod row;
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm;
#[cfg(target_arch = "x86_64")]
mod x86;

pub use crate::deep::PerturbRow;

use crate::deep::FloatExp;
use crate::escape::{EscapeSample, escape_f32, escape_f64};

/// An instruction set a row kernel can run on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InstructionSet {
    /// The reference loop, one sample at a time.
    Scalar,
    Sse2,
    Avx2,
    Avx512f,
    /// wasm32 compiled with `target-feature=+simd128`.
    Simd128,
}

impl InstructionSet {
    /// Every instruction set this CPU (or wasm build) can run, the widest last.
    pub fn available() -> Vec<InstructionSet> {
        [
            InstructionSet::Scalar,
            InstructionSet::Sse2,
            InstructionSet::Avx2,
            InstructionSet::Avx512f,
            InstructionSet::Simd128,
        ]
        .into_iter()
        .filter(|isa| isa.is_available())
        .collect()
    }

    /// Whether this CPU (or wasm build) can run `self`.
    pub fn is_available(self) -> bool {
        match self {
            InstructionSet::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Sse2 => true,
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx2 => is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            InstructionSet::Avx512f => is_x86_feature_detected!("avx512f"),
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            InstructionSet::Simd128 => true,
            #[allow(unreachable_patterns)]
            _ => false,
        }
    }

    /// The widest available one: what [`escape_row_f32`] and [`escape_row_f64`] use.
    pub fn best() -> InstructionSet {
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f") {
                return InstructionSet::Avx512f;
            }
            if is_x86_feature_detected!("avx2") {
                return InstructionSet::Avx2;
            }
            InstructionSet::Sse2
        }
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        {
            InstructionSet::Simd128
        }
        #[cfg(not(any(
            target_arch = "x86_64",
            all(target_arch = "wasm32", target_feature = "simd128")
        )))]
        {
            InstructionSet::Scalar
        }
    }
}

/// Escape samples for the points `(xs[i], y)`, f64, on the widest instruction set available.
pub fn escape_row_f64(
    xs: &[f64],
    y: f64,
    c_re: f64,
    c_im: f64,
    max_iter: u32,
    r2: f64,
    out: &mut [EscapeSample],
) {
    escape_row_f64_on(InstructionSet::best(), xs, y, c_re, c_im, max_iter, r2, out);
}

/// Escape samples for the points `(xs[i], y)`, f32, on the widest instruction set available.
pub fn escape_row_f32(
    xs: &[f32],
    y: f32,
    c_re: f32,
    c_im: f32,
    max_iter: u32,
    r2: f32,
    out: &mut [EscapeSample],
) {
    escape_row_f32_on(InstructionSet::best(), xs, y, c_re, c_im, max_iter, r2, out);
}

/// Defines `$name`, the row kernel for `$float` on a chosen instruction set: the one dispatch
/// both precisions share, differing only in the lane types and the compiled paths they name.
macro_rules! row_on_isa {
    ($(#[$doc:meta])* $name:ident, $float:ty, $scalar:ident, $sse2:ty, $simd128:ty,
     $avx512:ident, $avx2:ident) => {
        $(#[$doc])*
        ///
        /// # Panics
        /// If `isa` is not in [`InstructionSet::available`].
        #[allow(clippy::too_many_arguments)]
        pub fn $name(
            isa: InstructionSet,
            xs: &[$float],
            y: $float,
            c_re: $float,
            c_im: $float,
            max_iter: u32,
            r2: $float,
            out: &mut [EscapeSample],
        ) {
            assert!(isa.is_available(), "{isa:?} is not available here");
            let c = (c_re, c_im);
            // SAFETY (every arm): `isa` was just checked to be available on this CPU or build.
            match isa {
                #[cfg(target_arch = "x86_64")]
                InstructionSet::Avx512f => unsafe {
                    x86_paths::$avx512(xs, y, c, max_iter, r2, out)
                },
                #[cfg(target_arch = "x86_64")]
                InstructionSet::Avx2 => unsafe { x86_paths::$avx2(xs, y, c, max_iter, r2, out) },
                #[cfg(target_arch = "x86_64")]
                InstructionSet::Sse2 => unsafe {
                    row::escape_row::<$sse2, 4>(xs, y, c, max_iter, r2, out)
                },
                #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
                InstructionSet::Simd128 => unsafe {
                    row::escape_row::<$simd128, 4>(xs, y, c, max_iter, r2, out)
                },
                _ => {
                    for (o, &x) in out.iter_mut().zip(xs) {
                        *o = $scalar(x, y, c_re, c_im, max_iter, r2);
                        crate::pacing::checkpoint();
                    }
                }
            }
        }
    };
}

row_on_isa!(
    /// [`escape_row_f64`] on a chosen instruction set (tests and benchmarks compare them).
    escape_row_f64_on, f64, escape_f64, x86::F64x2, wasm::F64x2, row_f64_avx512, row_f64_avx2
);
row_on_isa!(
    /// [`escape_row_f32`] on a chosen instruction set (tests and benchmarks compare them).
    escape_row_f32_on, f32, escape_f32, x86::F32x4, wasm::F32x4, row_f32_avx512, row_f32_avx2
);

/// Escape samples for the points `(xs[i], ys[i])`, f64, on the widest instruction set available:
/// points that do not lie on one row, such as the exponential map's (`crate::expmap`). Results
/// equal [`escape_f64`]'s for each point.
pub fn escape_points_f64(
    xs: &[f64],
    ys: &[f64],
    c_re: f64,
    c_im: f64,
    max_iter: u32,
    r2: f64,
    out: &mut [EscapeSample],
) {
    let c = (c_re, c_im);
    // SAFETY (every arm): the instruction set was detected on this CPU or build.
    match InstructionSet::best() {
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Avx512f => unsafe {
            x86_paths::points_f64_avx512(xs, ys, c, max_iter, r2, out)
        },
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Avx2 => unsafe { x86_paths::points_f64_avx2(xs, ys, c, max_iter, r2, out) },
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Sse2 => unsafe {
            row::escape_points::<x86::F64x2, 4>(xs, ys, c, max_iter, r2, out)
        },
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        InstructionSet::Simd128 => unsafe {
            row::escape_points::<wasm::F64x2, 4>(xs, ys, c, max_iter, r2, out)
        },
        _ => {
            for ((o, &x), &y) in out.iter_mut().zip(xs).zip(ys) {
                *o = escape_f64(x, y, c_re, c_im, max_iter, r2);
                crate::pacing::checkpoint();
            }
        }
    }
}

/// Deep-zoom samples of one row (`crate::deep`): `out[i]` for the sample whose offset at
/// iteration `row.start` is `deltas[i]`, on the widest instruction set available. Results equal
/// [`PerturbRow::sample`]'s (the scalar loop) for each.
pub fn perturb_row(row: &PerturbRow<'_>, deltas: &[FloatExp], out: &mut [EscapeSample]) {
    perturb_row_on(InstructionSet::best(), row, deltas, out);
}

/// [`perturb_row`] on a chosen instruction set (tests and benchmarks compare them).
///
/// # Panics
/// If `isa` is not in [`InstructionSet::available`].
pub fn perturb_row_on(
    isa: InstructionSet,
    row: &PerturbRow<'_>,
    deltas: &[FloatExp],
    out: &mut [EscapeSample],
) {
    assert!(isa.is_available(), "{isa:?} is not available here");
    // SAFETY (every arm): `isa` was just checked to be available on this CPU or build.
    match isa {
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Avx512f => unsafe { x86_paths::perturb_avx512(row, deltas, out) },
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Avx2 => unsafe { x86_paths::perturb_avx2(row, deltas, out) },
        #[cfg(target_arch = "x86_64")]
        InstructionSet::Sse2 => unsafe {
            perturb_row::perturb_row::<x86::F64x2, 4>(row, deltas, out)
        },
        #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
        InstructionSet::Simd128 => unsafe {
            perturb_row::perturb_row::<wasm::F64x2, 4>(row, deltas, out)
        },
        _ => {
            for (o, &delta) in out.iter_mut().zip(deltas) {
                *o = row.sample(delta);
                crate::pacing::checkpoint();
            }
        }
    }
}

/// The row driver compiled with each wider instruction set enabled, so the generic code inlined
/// into these functions is emitted as AVX-512 or AVX2 instructions.
#[cfg(target_arch = "x86_64")]
mod x86_paths {
    use super::row::{escape_points, escape_row};
    use super::x86::{F32x8, F32x16, F64x4, F64x8};
    use crate::escape::EscapeSample;

    /// Defines `$name`: [`escape_row`] on `$lanes` (vectors of `$float`) with `$chains`
    /// interleaved chains, compiled with `$feature` enabled. The paths differ only in these.
    macro_rules! row_path {
        ($feature:literal, $name:ident, $float:ty, $lanes:ty, $chains:literal) => {
            #[target_feature(enable = $feature)]
            pub(super) unsafe fn $name(
                xs: &[$float],
                y: $float,
                c: ($float, $float),
                max_iter: u32,
                r2: $float,
                out: &mut [EscapeSample],
            ) {
                unsafe { escape_row::<$lanes, $chains>(xs, y, c, max_iter, r2, out) }
            }
        };
    }

    row_path!("avx512f", row_f32_avx512, f32, F32x16, 4);
    row_path!("avx512f", row_f64_avx512, f64, F64x8, 4);
    row_path!("avx2", row_f32_avx2, f32, F32x8, 3);
    row_path!("avx2", row_f64_avx2, f64, F64x4, 3);

    /// Defines `$name`: [`escape_points`] on `$lanes` with `$chains` chains, compiled with
    /// `$feature` enabled.
    macro_rules! points_path {
        ($feature:literal, $name:ident, $lanes:ty, $chains:literal) => {
            #[target_feature(enable = $feature)]
            pub(super) unsafe fn $name(
                xs: &[f64],
                ys: &[f64],
                c: (f64, f64),
                max_iter: u32,
                r2: f64,
                out: &mut [EscapeSample],
            ) {
                unsafe { escape_points::<$lanes, $chains>(xs, ys, c, max_iter, r2, out) }
            }
        };
    }

    points_path!("avx512f", points_f64_avx512, F64x8, 4);
    points_path!("avx2", points_f64_avx2, F64x4, 3);

    /// Defines `$name`: the deep row loop on `$lanes` with `$chains` chains, compiled with
    /// `$feature` enabled.
    macro_rules! perturb_path {
        ($feature:literal, $name:ident, $lanes:ty, $chains:literal) => {
            #[target_feature(enable = $feature)]
            pub(super) unsafe fn $name(
                row: &super::PerturbRow<'_>,
                deltas: &[crate::deep::FloatExp],
                out: &mut [EscapeSample],
            ) {
                unsafe { super::perturb_row::perturb_row::<$lanes, $chains>(row, deltas, out) }
            }
        };
    }

    perturb_path!("avx512f", perturb_avx512, F64x8, 2);
    perturb_path!("avx2", perturb_avx2, F64x4, 2);
}
