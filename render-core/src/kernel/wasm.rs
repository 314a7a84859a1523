//! wasm32 simd128 implementations of [`Lanes`] (4 × f32 / 2 × f64), used when the module is
//! compiled with `target-feature=+simd128` (the web UI's build). No fused multiply-add: simd128
//! has none, and the reference rounds each product anyway.

use std::arch::wasm32::*;

use super::lanes::{GatherComplex, Lanes, Point};

#[derive(Clone, Copy)]
pub(super) struct F32x4(v128);
#[derive(Clone, Copy)]
pub(super) struct F64x2(v128);

macro_rules! simd128_lanes {
    ($t:ident, $s:ty, $n:expr, $splat:ident, $add:ident, $sub:ident, $mul:ident, $gt:ident,
     $lt:ident, $bitmask:ident) => {
        impl Lanes for $t {
            type Scalar = $s;
            type Mask = v128;
            const LANES: usize = $n;
            #[inline(always)]
            unsafe fn splat(v: $s) -> Self {
                Self($splat(v))
            }
            #[inline(always)]
            unsafe fn load(p: *const $s) -> Self {
                // SAFETY: the caller provides LANES readable values; v128_load is unaligned.
                unsafe { Self(v128_load(p.cast::<v128>())) }
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $s) {
                // SAFETY: the caller provides LANES writable values; v128_store is unaligned.
                unsafe { v128_store(p.cast::<v128>(), self.0) }
            }
            #[inline(always)]
            unsafe fn add(self, o: Self) -> Self {
                Self($add(self.0, o.0))
            }
            #[inline(always)]
            unsafe fn sub(self, o: Self) -> Self {
                Self($sub(self.0, o.0))
            }
            #[inline(always)]
            unsafe fn mul(self, o: Self) -> Self {
                Self($mul(self.0, o.0))
            }
            #[inline(always)]
            unsafe fn gt(self, o: Self) -> v128 {
                $gt(self.0, o.0)
            }
            #[inline(always)]
            unsafe fn lt(self, o: Self) -> v128 {
                $lt(self.0, o.0)
            }
            #[inline(always)]
            unsafe fn and_not(a: v128, b: v128) -> v128 {
                v128_andnot(a, b)
            }
            #[inline(always)]
            unsafe fn select(mask: v128, new: Self, old: Self) -> Self {
                Self(v128_bitselect(new.0, old.0, mask))
            }
            #[inline(always)]
            unsafe fn bits(mask: v128) -> u32 {
                u32::from($bitmask(mask))
            }
        }
    };
}

simd128_lanes!(
    F32x4,
    f32,
    4,
    f32x4_splat,
    f32x4_add,
    f32x4_sub,
    f32x4_mul,
    f32x4_gt,
    f32x4_lt,
    i32x4_bitmask
);
simd128_lanes!(
    F64x2,
    f64,
    2,
    f64x2_splat,
    f64x2_add,
    f64x2_sub,
    f64x2_mul,
    f64x2_gt,
    f64x2_lt,
    i64x2_bitmask
);

impl GatherComplex for F64x2 {
    #[inline(always)]
    unsafe fn gather(p: &[*const Point; 8]) -> (Self, Self) {
        // SAFETY: the caller provides two readable points; v128_load is unaligned.
        unsafe {
            let (a, b) = (v128_load(p[0].cast()), v128_load(p[1].cast()));
            (
                Self(i64x2_shuffle::<0, 2>(a, b)),
                Self(i64x2_shuffle::<1, 3>(a, b)),
            )
        }
    }
}
