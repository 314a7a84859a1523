//! The vectorised escape loop over a row of sample points, generic over [`Lanes`].
//!
//! Each lane iterates its own sample point; `CHAINS` registers are iterated interleaved so the
//! multiply→subtract→add latency of one hides behind the others. Lanes are recycled: once enough
//! lanes of a register have finished (escaped or reached `max_iter`), their results are written
//! and they are refilled with the next points of the row, so one slow point near the set does not
//! hold a whole register of fast neighbours hostage. A finished lane is frozen (its `z` and count
//! stop changing) until it is harvested, so `|z|^2` recomputed from the frozen `z` is bit-for-bit
//! the value the escape test saw. The arithmetic is the reference's, in the same order and without
//! fused multiply-add, so results equal `escape_f32` / `escape_f64` exactly.

use super::lanes::{Lanes, Pacer};
use crate::escape::EscapeSample;

/// Widest register in lanes (AVX-512 f32), sizing the scratch arrays.
const MAX_LANES: usize = 16;

/// What the row driver needs to know about f32 and f64.
pub(super) trait Real: Copy + Default {
    const ONE: Self;
    /// `n` as a float; exact because counts stay below 2^24.
    fn from_count(n: u32) -> Self;
    /// The sample for a lane's frozen `z` and float count, as the reference would report it.
    fn sample(x: Self, y: Self, count: Self) -> EscapeSample;
}

impl Real for f32 {
    const ONE: f32 = 1.0;
    #[inline(always)]
    fn from_count(n: u32) -> f32 {
        n as f32
    }
    #[inline(always)]
    fn sample(x: f32, y: f32, count: f32) -> EscapeSample {
        EscapeSample {
            count: count as u32,
            norm2: x * x + y * y,
        }
    }
}

impl Real for f64 {
    const ONE: f64 = 1.0;
    #[inline(always)]
    fn from_count(n: u32) -> f64 {
        f64::from(n)
    }
    #[inline(always)]
    fn sample(x: f64, y: f64, count: f64) -> EscapeSample {
        EscapeSample {
            count: count as u32,
            norm2: (x * x + y * y) as f32,
        }
    }
}

/// One register of lanes and which sample point each lane is iterating.
#[derive(Clone, Copy)]
struct Chain<V: Lanes> {
    x: V,
    y: V,
    /// Iterations done, as floats (compared against `max_iter` without conversions).
    count: V,
    /// Output index of each lane's point.
    pixel: [usize; MAX_LANES],
    /// Lanes with no point (the row is used up); their count is parked at `max_iter`.
    idle: u32,
}

/// The points of one row (or any run of points) and where their samples go.
struct RowJob<'a, S> {
    xs: &'a [S],
    y: S,
    /// Each point's own imaginary part, for points not on one row; empty: every point has `y`.
    ys: &'a [S],
    out: &'a mut [EscapeSample],
    next: usize,
}

impl<S: Real> RowJob<'_, S> {
    fn exhausted(&self) -> bool {
        self.next >= self.xs.len()
    }
}

/// Writes the samples of the `finished` lanes of `chain` and gives those lanes new points.
///
/// # Safety
/// The CPU must support `V`'s instruction set.
#[inline(always)]
unsafe fn harvest<V>(chain: &mut Chain<V>, finished: u32, job: &mut RowJob<'_, V::Scalar>, max: V)
where
    V: Lanes,
    V::Scalar: Real,
{
    let mut xa = [V::Scalar::default(); MAX_LANES];
    let mut ya = [V::Scalar::default(); MAX_LANES];
    let mut ca = [V::Scalar::default(); MAX_LANES];
    let mut parked = [V::Scalar::default(); MAX_LANES];
    // SAFETY: every array holds MAX_LANES >= LANES values; the caller vouches for the ISA.
    unsafe {
        chain.x.store(xa.as_mut_ptr());
        chain.y.store(ya.as_mut_ptr());
        chain.count.store(ca.as_mut_ptr());
        max.store(parked.as_mut_ptr());
    }
    let mut bits = finished;
    while bits != 0 {
        let lane = bits.trailing_zeros() as usize;
        let bit = 1u32 << lane;
        bits &= bits - 1;
        if chain.idle & bit == 0 {
            job.out[chain.pixel[lane]] = V::Scalar::sample(xa[lane], ya[lane], ca[lane]);
        }
        if job.exhausted() {
            chain.idle |= bit;
            ca[lane] = parked[lane];
        } else {
            chain.idle &= !bit;
            chain.pixel[lane] = job.next;
            xa[lane] = job.xs[job.next];
            ya[lane] = if job.ys.is_empty() {
                job.y
            } else {
                job.ys[job.next]
            };
            ca[lane] = V::Scalar::default();
            job.next += 1;
        }
    }
    // SAFETY: as above.
    unsafe {
        chain.x = V::load(xa.as_ptr());
        chain.y = V::load(ya.as_ptr());
        chain.count = V::load(ca.as_ptr());
    }
}

/// Escape samples for the points `(xs[i], y)` into `out` (`min(xs.len(), out.len())` of them).
///
/// # Safety
/// The CPU must support `V`'s instruction set.
#[inline(always)]
pub(super) unsafe fn escape_row<V, const CHAINS: usize>(
    xs: &[V::Scalar],
    y: V::Scalar,
    c: (V::Scalar, V::Scalar),
    max_iter: u32,
    r2: V::Scalar,
    out: &mut [EscapeSample],
) where
    V: Lanes,
    V::Scalar: Real,
{
    unsafe { escape_run::<V, CHAINS>(xs, y, &[], c, max_iter, r2, out) }
}

/// Escape samples for the points `(xs[i], ys[i])` into `out` (`min` of the three lengths).
///
/// # Safety
/// The CPU must support `V`'s instruction set.
#[inline(always)]
pub(super) unsafe fn escape_points<V, const CHAINS: usize>(
    xs: &[V::Scalar],
    ys: &[V::Scalar],
    c: (V::Scalar, V::Scalar),
    max_iter: u32,
    r2: V::Scalar,
    out: &mut [EscapeSample],
) where
    V: Lanes,
    V::Scalar: Real,
{
    let n = xs.len().min(ys.len());
    let y = V::Scalar::default();
    unsafe { escape_run::<V, CHAINS>(&xs[..n], y, &ys[..n], c, max_iter, r2, out) }
}

/// The loop of [`escape_row`] and [`escape_points`]: `ys` empty means every point has `y`.
#[inline(always)]
unsafe fn escape_run<V, const CHAINS: usize>(
    xs: &[V::Scalar],
    y: V::Scalar,
    ys: &[V::Scalar],
    c: (V::Scalar, V::Scalar),
    max_iter: u32,
    r2: V::Scalar,
    out: &mut [EscapeSample],
) where
    V: Lanes,
    V::Scalar: Real,
{
    debug_assert!(V::LANES <= MAX_LANES);
    let n = xs.len().min(out.len());
    let all = if V::LANES >= 32 {
        u32::MAX
    } else {
        (1u32 << V::LANES) - 1
    };
    // Refilling costs a round trip through memory, so wait until a quarter of the lanes are free.
    let refill_at = (V::LANES as u32 / 4).max(1);
    let mut job = RowJob {
        xs: &xs[..n],
        y,
        ys: if ys.is_empty() { ys } else { &ys[..n] },
        out: &mut out[..n],
        next: 0,
    };
    // SAFETY (whole body): the caller vouches for the instruction set; memory accesses go through
    // `harvest`, which stays inside its arrays and `job`'s slices.
    unsafe {
        let (cr, ci, r2) = (V::splat(c.0), V::splat(c.1), V::splat(r2));
        let one = V::splat(V::Scalar::ONE);
        let max = V::splat(V::Scalar::from_count(max_iter));
        let mut chains = [Chain {
            x: V::splat(V::Scalar::default()),
            y: V::splat(V::Scalar::default()),
            count: max,
            pixel: [0; MAX_LANES],
            idle: all,
        }; CHAINS];
        for chain in chains.iter_mut() {
            harvest(chain, all, &mut job, max);
        }
        let mut pacer = Pacer::new();
        loop {
            pacer.step();
            let mut live = false;
            for chain in chains.iter_mut() {
                if chain.idle == all {
                    continue;
                }
                live = true;
                let (x, y) = (chain.x, chain.y);
                let xx = x.mul(x);
                let yy = y.mul(y);
                let norm2 = xx.add(yy);
                let steps = V::and_not(chain.count.lt(max), norm2.gt(r2));
                let x_next = xx.sub(yy).add(cr);
                let y_next = x.add(x).mul(y).add(ci);
                // Opaque to the optimiser: LLVM otherwise turns a select stored back over its
                // own input into a masked store (AVX `vmaskmovps`), microcoded on AMD cores.
                chain.x = std::hint::black_box(V::select(steps, x_next, x));
                chain.y = std::hint::black_box(V::select(steps, y_next, y));
                chain.count =
                    std::hint::black_box(V::select(steps, chain.count.add(one), chain.count));
                let finished = all & !V::bits(steps) & !chain.idle;
                let live_lanes = all & !chain.idle;
                if finished.count_ones() >= refill_at || finished == live_lanes {
                    harvest(chain, finished, &mut job, max);
                }
            }
            if !live {
                break;
            }
        }
    }
}
