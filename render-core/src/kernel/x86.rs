//! x86_64 implementations of [`Lanes`]: AVX-512F (16 × f32 / 8 × f64), AVX2 (8 / 4) and SSE2
//! (4 / 2, part of every x86_64 CPU). No FMA anywhere: the reference rounds each product.

use std::arch::x86_64::*;

use super::lanes::{GatherComplex, Lanes, Point};

#[derive(Clone, Copy)]
pub(super) struct F32x16(__m512);
#[derive(Clone, Copy)]
pub(super) struct F64x8(__m512d);
#[derive(Clone, Copy)]
pub(super) struct F32x8(__m256);
#[derive(Clone, Copy)]
pub(super) struct F64x4(__m256d);
#[derive(Clone, Copy)]
pub(super) struct F32x4(__m128);
#[derive(Clone, Copy)]
pub(super) struct F64x2(__m128d);

/// AVX-512: comparisons give bit masks, and blends take them directly.
macro_rules! avx512_lanes {
    ($t:ident, $s:ty, $m:ty, $n:expr, $set1:ident, $loadu:ident, $storeu:ident, $add:ident,
     $sub:ident, $mul:ident, $cmp:ident, $blend:ident) => {
        impl Lanes for $t {
            type Scalar = $s;
            type Mask = $m;
            const LANES: usize = $n;
            #[inline(always)]
            unsafe fn splat(v: $s) -> Self {
                unsafe { Self($set1(v)) }
            }
            #[inline(always)]
            unsafe fn load(p: *const $s) -> Self {
                unsafe { Self($loadu(p)) }
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $s) {
                unsafe { $storeu(p, self.0) }
            }
            #[inline(always)]
            unsafe fn add(self, o: Self) -> Self {
                unsafe { Self($add(self.0, o.0)) }
            }
            #[inline(always)]
            unsafe fn sub(self, o: Self) -> Self {
                unsafe { Self($sub(self.0, o.0)) }
            }
            #[inline(always)]
            unsafe fn mul(self, o: Self) -> Self {
                unsafe { Self($mul(self.0, o.0)) }
            }
            #[inline(always)]
            unsafe fn gt(self, o: Self) -> $m {
                unsafe { $cmp::<_CMP_GT_OQ>(self.0, o.0) }
            }
            #[inline(always)]
            unsafe fn and_not(a: $m, b: $m) -> $m {
                a & !b
            }
            #[inline(always)]
            unsafe fn select(mask: $m, new: Self, old: Self) -> Self {
                unsafe { Self($blend(mask, old.0, new.0)) }
            }
            #[inline(always)]
            unsafe fn lt(self, o: Self) -> $m {
                unsafe { $cmp::<_CMP_LT_OQ>(self.0, o.0) }
            }
            #[inline(always)]
            unsafe fn bits(mask: $m) -> u32 {
                u32::from(mask)
            }
        }
    };
}

avx512_lanes!(
    F32x16,
    f32,
    __mmask16,
    16,
    _mm512_set1_ps,
    _mm512_loadu_ps,
    _mm512_storeu_ps,
    _mm512_add_ps,
    _mm512_sub_ps,
    _mm512_mul_ps,
    _mm512_cmp_ps_mask,
    _mm512_mask_blend_ps
);
avx512_lanes!(
    F64x8,
    f64,
    __mmask8,
    8,
    _mm512_set1_pd,
    _mm512_loadu_pd,
    _mm512_storeu_pd,
    _mm512_add_pd,
    _mm512_sub_pd,
    _mm512_mul_pd,
    _mm512_cmp_pd_mask,
    _mm512_mask_blend_pd
);

/// AVX and SSE2: comparisons give all-ones lanes, which double as the mask.
macro_rules! vector_mask_lanes {
    ($t:ident, $s:ty, $v:ty, $n:expr, $set1:ident, $loadu:ident, $storeu:ident, $add:ident,
     $sub:ident, $mul:ident, $gt:expr, $andnot:ident, $select:expr, $movemask:ident) => {
        impl Lanes for $t {
            type Scalar = $s;
            type Mask = $v;
            const LANES: usize = $n;
            #[inline(always)]
            unsafe fn splat(v: $s) -> Self {
                unsafe { Self($set1(v)) }
            }
            #[inline(always)]
            unsafe fn load(p: *const $s) -> Self {
                unsafe { Self($loadu(p)) }
            }
            #[inline(always)]
            unsafe fn store(self, p: *mut $s) {
                unsafe { $storeu(p, self.0) }
            }
            #[inline(always)]
            unsafe fn add(self, o: Self) -> Self {
                unsafe { Self($add(self.0, o.0)) }
            }
            #[inline(always)]
            unsafe fn sub(self, o: Self) -> Self {
                unsafe { Self($sub(self.0, o.0)) }
            }
            #[inline(always)]
            unsafe fn mul(self, o: Self) -> Self {
                unsafe { Self($mul(self.0, o.0)) }
            }
            #[inline(always)]
            unsafe fn gt(self, o: Self) -> $v {
                #[allow(clippy::redundant_closure_call)]
                unsafe {
                    $gt(self.0, o.0)
                }
            }
            #[inline(always)]
            unsafe fn and_not(a: $v, b: $v) -> $v {
                unsafe { $andnot(b, a) }
            }
            #[inline(always)]
            unsafe fn select(mask: $v, new: Self, old: Self) -> Self {
                #[allow(clippy::redundant_closure_call)]
                unsafe {
                    Self($select(mask, new.0, old.0))
                }
            }
            #[inline(always)]
            unsafe fn lt(self, o: Self) -> $v {
                #[allow(clippy::redundant_closure_call)]
                unsafe {
                    $gt(o.0, self.0)
                }
            }
            #[inline(always)]
            unsafe fn bits(mask: $v) -> u32 {
                unsafe { $movemask(mask) as u32 }
            }
        }
    };
}

vector_mask_lanes!(
    F32x8,
    f32,
    __m256,
    8,
    _mm256_set1_ps,
    _mm256_loadu_ps,
    _mm256_storeu_ps,
    _mm256_add_ps,
    _mm256_sub_ps,
    _mm256_mul_ps,
    |a, b| _mm256_cmp_ps::<_CMP_GT_OQ>(a, b),
    _mm256_andnot_ps,
    |m, new, old| _mm256_blendv_ps(old, new, m),
    _mm256_movemask_ps
);
vector_mask_lanes!(
    F64x4,
    f64,
    __m256d,
    4,
    _mm256_set1_pd,
    _mm256_loadu_pd,
    _mm256_storeu_pd,
    _mm256_add_pd,
    _mm256_sub_pd,
    _mm256_mul_pd,
    |a, b| _mm256_cmp_pd::<_CMP_GT_OQ>(a, b),
    _mm256_andnot_pd,
    |m, new, old| _mm256_blendv_pd(old, new, m),
    _mm256_movemask_pd
);
vector_mask_lanes!(
    F32x4,
    f32,
    __m128,
    4,
    _mm_set1_ps,
    _mm_loadu_ps,
    _mm_storeu_ps,
    _mm_add_ps,
    _mm_sub_ps,
    _mm_mul_ps,
    |a, b| _mm_cmpgt_ps(a, b),
    _mm_andnot_ps,
    |m, new, old| _mm_or_ps(_mm_and_ps(m, new), _mm_andnot_ps(m, old)),
    _mm_movemask_ps
);
vector_mask_lanes!(
    F64x2,
    f64,
    __m128d,
    2,
    _mm_set1_pd,
    _mm_loadu_pd,
    _mm_storeu_pd,
    _mm_add_pd,
    _mm_sub_pd,
    _mm_mul_pd,
    |a, b| _mm_cmpgt_pd(a, b),
    _mm_andnot_pd,
    |m, new, old| _mm_or_pd(_mm_and_pd(m, new), _mm_andnot_pd(m, old)),
    _mm_movemask_pd
);

impl GatherComplex for F64x2 {
    #[inline(always)]
    unsafe fn gather(p: &[*const Point; 8]) -> (Self, Self) {
        // SAFETY: the caller provides two readable points.
        unsafe {
            let (a, b) = (_mm_loadu_pd(p[0].cast()), _mm_loadu_pd(p[1].cast()));
            (Self(_mm_unpacklo_pd(a, b)), Self(_mm_unpackhi_pd(a, b)))
        }
    }
}

impl GatherComplex for F64x4 {
    #[inline(always)]
    unsafe fn gather(p: &[*const Point; 8]) -> (Self, Self) {
        // SAFETY: the caller provides four readable points and an AVX2 CPU.
        unsafe {
            let (a, b) = (_mm_loadu_pd(p[0].cast()), _mm_loadu_pd(p[1].cast()));
            let (c, d) = (_mm_loadu_pd(p[2].cast()), _mm_loadu_pd(p[3].cast()));
            let re = _mm256_set_m128d(_mm_unpacklo_pd(c, d), _mm_unpacklo_pd(a, b));
            let im = _mm256_set_m128d(_mm_unpackhi_pd(c, d), _mm_unpackhi_pd(a, b));
            (Self(re), Self(im))
        }
    }
}

impl GatherComplex for F64x8 {
    #[inline(always)]
    unsafe fn gather(p: &[*const Point; 8]) -> (Self, Self) {
        // SAFETY: the caller provides eight readable points and an AVX-512F CPU.
        unsafe {
            let [r, i]: [[f64; 8]; 2] =
                std::array::from_fn(|part| std::array::from_fn(|lane| (*p[lane])[part]));
            (
                Self(_mm512_set_pd(
                    r[7], r[6], r[5], r[4], r[3], r[2], r[1], r[0],
                )),
                Self(_mm512_set_pd(
                    i[7], i[6], i[5], i[4], i[3], i[2], i[1], i[0],
                )),
            )
        }
    }
}
