//! `Lanes`: one SIMD register of floats and the few operations the escape loop needs, implemented
//! once per instruction set (AVX-512F, AVX2, SSE2, wasm simd128).

/// One register of `LANES` floats.
///
/// Every method is `unsafe` because it may only run on a CPU with the instruction set the
/// implementation uses; callers guarantee that by runtime detection (or compile-time features).
pub(super) trait Lanes: Copy {
    type Scalar: Copy + Default;
    /// Per-lane booleans (a bit mask or an all-ones/all-zeros vector).
    type Mask: Copy;
    const LANES: usize;

    unsafe fn splat(v: Self::Scalar) -> Self;
    /// Loads `LANES` values from `p` (no alignment needed).
    unsafe fn load(p: *const Self::Scalar) -> Self;
    /// Stores `LANES` values to `p` (no alignment needed).
    unsafe fn store(self, p: *mut Self::Scalar);
    unsafe fn add(self, o: Self) -> Self;
    unsafe fn sub(self, o: Self) -> Self;
    unsafe fn mul(self, o: Self) -> Self;
    /// Lanes where `self > o` (false for NaN, like the scalar `>`).
    unsafe fn gt(self, o: Self) -> Self::Mask;
    /// Lanes where `self < o`.
    unsafe fn lt(self, o: Self) -> Self::Mask;
    /// `a & !b`.
    unsafe fn and_not(a: Self::Mask, b: Self::Mask) -> Self::Mask;
    /// `mask ? new : old`, lane by lane.
    unsafe fn select(mask: Self::Mask, new: Self, old: Self) -> Self;
    /// The mask as bits, lane `i` at bit `i`.
    unsafe fn bits(mask: Self::Mask) -> u32;
}

/// A reference point of deep zoom: `[re, im]`, as the orbits store them.
pub(super) type Point = [f64; 2];

/// f64 registers that load lane `i` from the complex number at `points[i]`: the deep loop's
/// lanes read their reference orbits at different indices (`super::perturb_row`).
pub(super) trait GatherComplex: Lanes<Scalar = f64> {
    /// The real parts and the imaginary parts of `*points[0..LANES]`.
    ///
    /// # Safety
    /// The first `LANES` pointers must be valid for reads; the CPU must support the instruction set.
    unsafe fn gather(points: &[*const Point; 8]) -> (Self, Self);
}

/// Loop steps between yield checkpoints: a step of a row loop iterates every chain once, at most
/// `CHAINS * LANES` (≤ 64) lane-iterations, so 256 steps are a few microseconds of work.
const STEPS_PER_CHECKPOINT: u32 = 256;

/// Counts a row loop's steps and reaches a yield checkpoint ([`crate::pacing`]) every
/// [`STEPS_PER_CHECKPOINT`] of them.
pub(super) struct Pacer(u32);

impl Pacer {
    pub(super) fn new() -> Pacer {
        Pacer(STEPS_PER_CHECKPOINT)
    }

    #[inline(always)]
    pub(super) fn step(&mut self) {
        self.0 -= 1;
        if self.0 == 0 {
            self.0 = STEPS_PER_CHECKPOINT;
            crate::pacing::checkpoint();
        }
    }
}
