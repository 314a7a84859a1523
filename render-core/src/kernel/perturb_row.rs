//! The vectorised per-pixel loop of deep zoom: the f64 loop of `crate::deep::perturb`, one sample
//! per lane, generic over [`Lanes`].
//!
//! Each lane follows its own sample's offset `δ` from a reference orbit. Lanes drift apart (a
//! lane refilled later, or rebased onto the zero orbit, reads another orbit index), so the
//! reference points are gathered lane by lane; the arithmetic is then one register wide, in the
//! scalar loop's order and without fused multiply-add, so every sample equals
//! [`PerturbRow::sample`]'s (the scalar loop's) bit for bit.
//!
//! Anything but the plain step is an *event*, handled lane by lane in scalar code ([`settle`]):
//! an escape, `max_iter`, a rebase (`|X + δ| < |δ|`, or the end of the orbit), and an offset
//! falling below f64's comfortable range (`|δ| < 2^-500`), where the lane's sample is finished by
//! the scalar loop's extended-range half ([`continue_sample`]) and the lane takes the next one.
//! Events are found by a few comparisons per step and a step counter, so the common step costs
//! a gather and a dozen vector operations; a rebase alone is done in the register. An idle lane
//! (the row is used up) holds `δ = 1` on a zero reference point that does not advance, a fixed
//! point of the step that raises no event (`R² ≥ 4`).

use super::lanes::{GatherComplex, Pacer, Point};
use crate::deep::{
    BLA_TRY_NORM2, F64_DELTA_MIN, FloatExp, OrbitView, PerturbRow, SamplePosition, continue_sample,
};
use crate::escape::EscapeSample;

/// Widest f64 register in lanes (AVX-512), sizing the per-lane arrays.
const MAX_LANES: usize = 8;

/// `|δ|²` below which a lane is checked for the extended-range hand-over: above `2·(2^-500)²` with
/// a margin for rounding, so every lane with `max(|δ.re|, |δ.im|) < 2^-500` is caught.
const TINY_NORM2: f64 = f64::from_bits(((1023 - 998) as u64) << 52); // 2^-998

/// The reference of a lane: the zero orbit after a rebase, the main one before.
fn orbit<'a>(row: &PerturbRow<'a>, on_zero: bool) -> OrbitView<'a> {
    if on_zero { row.zero } else { row.main }
}

/// The reference point of idle lanes.
static IDLE_POINT: Point = [0.0, 0.0];

/// One register of lanes, and where each lane's sample stands. A lane's iteration count at step
/// `s` is `s - count_base`; its reference point is `*point`, which advances one point per step.
#[derive(Clone, Copy)]
struct Chain<V: GatherComplex> {
    dr: V,
    di: V,
    point: [*const Point; MAX_LANES],
    /// Points `point` advances by per step: 1, or 0 for idle lanes.
    stride: [usize; MAX_LANES],
    pixel: [usize; MAX_LANES],
    count_base: [i64; MAX_LANES],
    /// Step at which the lane reaches `max_iter` or the last point of its orbit.
    event_at: [i64; MAX_LANES],
    /// Lanes with no sample.
    idle: u32,
    /// Lanes on the zero orbit (rebased at least once).
    zero_bits: u32,
    /// Earliest `event_at` of the chain's lanes.
    next_event: i64,
}

impl<V: GatherComplex> Chain<V> {
    fn on_zero(&self, lane: usize) -> bool {
        self.zero_bits & (1 << lane) != 0
    }

    /// Moves lane `lane` onto the zero orbit at its point 0 (a rebase) at `step`.
    fn rebase(&mut self, lane: usize, row: &PerturbRow<'_>, step: i64) {
        self.zero_bits |= 1 << lane;
        self.aim(lane, row, 0, step);
    }

    /// Points lane `lane` at point `index` of its orbit at `step`, and notes when it next needs
    /// the scalar code (`max_iter`, or the orbit's last point).
    fn aim(&mut self, lane: usize, row: &PerturbRow<'_>, index: usize, step: i64) {
        let orbit = orbit(row, self.on_zero(lane));
        self.point[lane] = &orbit.points[index];
        self.stride[lane] = 1;
        let last_point = step + (orbit.points.len() - 1 - index) as i64;
        self.event_at[lane] = (self.count_base[lane] + i64::from(row.max_iter)).min(last_point);
        self.next_event = self.next_event.min(self.event_at[lane]);
    }

    fn make_idle(&mut self, lane: usize) {
        self.idle |= 1 << lane;
        self.zero_bits &= !(1 << lane);
        self.point[lane] = &IDLE_POINT;
        self.stride[lane] = 0;
        self.event_at[lane] = i64::MAX;
    }
}

/// The samples of one row and where their results go.
struct Samples<'a> {
    deltas: &'a [FloatExp],
    out: &'a mut [EscapeSample],
    next: usize,
}

/// A chain's offsets and reference points as plain arrays, for the scalar event code.
struct LaneValues {
    dr: [f64; MAX_LANES],
    di: [f64; MAX_LANES],
    zr: [f64; MAX_LANES],
    zi: [f64; MAX_LANES],
}

/// Gives lane `lane` the next sample whose offset fits f64 (samples that do not are finished by
/// the scalar loop on the spot), or makes it idle.
fn refill<V: GatherComplex>(
    chain: &mut Chain<V>,
    lane: usize,
    values: &mut LaneValues,
    row: &PerturbRow<'_>,
    samples: &mut Samples<'_>,
    step: i64,
) {
    while samples.next < samples.deltas.len() {
        let pixel = samples.next;
        samples.next += 1;
        let delta = samples.deltas[pixel];
        if delta.exp < crate::deep::F64_DELTA_MIN_EXP {
            samples.out[pixel] = row.sample(delta);
            continue;
        }
        (values.dr[lane], values.di[lane]) = delta.to_f64();
        chain.pixel[lane] = pixel;
        chain.zero_bits &= !(1 << lane);
        chain.count_base[lane] = step - i64::from(row.start);
        chain.idle &= !(1 << lane);
        chain.aim(lane, row, row.start as usize, step);
        return;
    }
    chain.make_idle(lane);
}

/// Brings lane `lane` to a state where the plain step applies at `step`: handles its escape,
/// `max_iter`, rebase or hand-over exactly as the scalar loop would (refilling the lane as samples
/// finish), and leaves in `values` the offset and the reference point the step multiplies by.
fn settle<V: GatherComplex>(
    chain: &mut Chain<V>,
    lane: usize,
    values: &mut LaneValues,
    row: &PerturbRow<'_>,
    samples: &mut Samples<'_>,
    step: i64,
) {
    loop {
        if chain.idle & (1 << lane) != 0 {
            (values.dr[lane], values.di[lane]) = (1.0, 0.0);
            (values.zr[lane], values.zi[lane]) = (0.0, 0.0);
            return;
        }
        let (dr, di) = (values.dr[lane], values.di[lane]);
        let pixel = chain.pixel[lane];
        let iteration = (step - chain.count_base[lane]) as u32;
        let on_zero = chain.on_zero(lane);
        let orbit = orbit(row, on_zero);
        // SAFETY: `point` points into `orbit.points` (set by `aim`, advanced by at most the steps
        // before `event_at`), so the difference is an index of that slice.
        let index = unsafe { chain.point[lane].offset_from(orbit.points.as_ptr()) } as usize;
        let hand_over = |dr: f64, di: f64, index: usize, on_zero: bool| {
            let at = SamplePosition {
                iteration,
                index,
                on_zero,
            };
            continue_sample(row, at, FloatExp::from_f64(dr, di))
        };
        let [zr, zi] = orbit.points[index];
        if dr.abs().max(di.abs()) < F64_DELTA_MIN
            || (on_zero
                && row.bla.is_some()
                && dr * dr + di * di < (zr * zr + zi * zi) * BLA_TRY_NORM2)
        {
            // Extended range, or a BLA jump may apply: the scalar loop's part.
            samples.out[pixel] = hand_over(dr, di, index, on_zero);
            refill(chain, lane, values, row, samples, step);
            continue;
        }
        let (xr, xi) = (zr + dr, zi + di);
        let n2 = xr * xr + xi * xi;
        if iteration >= row.max_iter || n2 > row.r2 {
            samples.out[pixel] = EscapeSample {
                count: iteration,
                norm2: n2 as f32,
            };
            refill(chain, lane, values, row, samples, step);
            continue;
        }
        if n2 < dr * dr + di * di || index + 1 == orbit.points.len() {
            // Rebase onto the zero orbit: δ = z_k, X = W_0 = 0.
            if xr.abs().max(xi.abs()) < F64_DELTA_MIN {
                samples.out[pixel] = hand_over(xr, xi, 0, true);
                refill(chain, lane, values, row, samples, step);
                continue;
            }
            (values.dr[lane], values.di[lane]) = (xr, xi);
            chain.rebase(lane, row, step);
            (values.zr[lane], values.zi[lane]) = (0.0, 0.0);
        } else {
            (values.zr[lane], values.zi[lane]) = (zr, zi);
        }
        return;
    }
}

/// Deep samples of one row: `out[i]` for the sample whose offset at iteration `row.start` is
/// `deltas[i]` (`min` of the two lengths), equal to [`PerturbRow::sample`] of each.
///
/// # Safety
/// The CPU must support `V`'s instruction set.
#[inline(always)]
pub(super) unsafe fn perturb_row<V, const CHAINS: usize>(
    row: &PerturbRow<'_>,
    deltas: &[FloatExp],
    out: &mut [EscapeSample],
) where
    V: GatherComplex,
{
    debug_assert!(V::LANES <= MAX_LANES);
    let n = deltas.len().min(out.len());
    let all = (1u32 << V::LANES) - 1;
    let mut samples = Samples {
        deltas: &deltas[..n],
        out: &mut out[..n],
        next: 0,
    };
    // SAFETY (whole body): the caller vouches for the instruction set; loads and stores go through
    // arrays of MAX_LANES >= LANES values, and every lane's `point` is a point of its orbit (or
    // `IDLE_POINT`) whenever it is read, because a lane reaches the scalar code at its orbit's
    // last point (`event_at`) and is rebased or refilled there.
    unsafe {
        let (r2, two, tiny) = (V::splat(row.r2), V::splat(2.0), V::splat(TINY_NORM2));
        let zero = V::splat(0.0);
        let bla_try = V::splat(BLA_TRY_NORM2);
        let mut chains = [Chain::<V> {
            dr: V::splat(1.0),
            di: zero,
            point: [&IDLE_POINT; MAX_LANES],
            stride: [0; MAX_LANES],
            pixel: [0; MAX_LANES],
            count_base: [0; MAX_LANES],
            event_at: [i64::MAX; MAX_LANES],
            idle: all,
            zero_bits: 0,
            next_event: i64::MAX,
        }; CHAINS];
        let mut values = LaneValues {
            dr: [1.0; MAX_LANES],
            di: [0.0; MAX_LANES],
            zr: [0.0; MAX_LANES],
            zi: [0.0; MAX_LANES],
        };
        let mut step: i64 = 0;
        for chain in chains.iter_mut() {
            for lane in 0..V::LANES {
                refill(chain, lane, &mut values, row, &mut samples, step);
                settle(chain, lane, &mut values, row, &mut samples, step);
            }
            chain.dr = V::load(values.dr.as_ptr());
            chain.di = V::load(values.di.as_ptr());
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
                let (mut zr, mut zi) = V::gather(&chain.point);
                let (mut dr, mut di) = (chain.dr, chain.di);
                let (xr, xi) = (zr.add(dr), zi.add(di));
                let n2 = xr.mul(xr).add(xi.mul(xi));
                let (mut drr, mut dii) = (dr.mul(dr), di.mul(di));
                let d2 = drr.add(dii);
                let rebase_mask = n2.lt(d2);
                let rebases = V::bits(rebase_mask) & !chain.idle;
                let mut events = V::bits(n2.gt(r2)) | V::bits(d2.lt(tiny));
                if rebases != 0 {
                    // A rebase whose new offset leaves f64's range is the scalar code's to do.
                    events |= V::bits(n2.lt(tiny)) & rebases;
                }
                if chain.zero_bits != 0 && row.bla.is_some() {
                    // So is a lane on the zero orbit where a BLA jump may apply.
                    let w2 = zr.mul(zr).add(zi.mul(zi));
                    events |= V::bits(d2.lt(w2.mul(bla_try))) & chain.zero_bits;
                }
                if step >= chain.next_event {
                    chain.next_event = i64::MAX;
                    for lane in 0..V::LANES {
                        if chain.event_at[lane] <= step {
                            events |= 1 << lane;
                        } else {
                            chain.next_event = chain.next_event.min(chain.event_at[lane]);
                        }
                    }
                }
                events &= !chain.idle;
                if events != 0 {
                    // Every lane that leaves the plain step, rebases included, in scalar code.
                    dr.store(values.dr.as_mut_ptr());
                    di.store(values.di.as_mut_ptr());
                    zr.store(values.zr.as_mut_ptr());
                    zi.store(values.zi.as_mut_ptr());
                    let mut bits = events | rebases;
                    while bits != 0 {
                        let lane = bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        settle(chain, lane, &mut values, row, &mut samples, step);
                    }
                    (dr, di) = (V::load(values.dr.as_ptr()), V::load(values.di.as_ptr()));
                    (zr, zi) = (V::load(values.zr.as_ptr()), V::load(values.zi.as_ptr()));
                    (drr, dii) = (dr.mul(dr), di.mul(di));
                } else if rebases != 0 {
                    // Rebase onto the zero orbit in the register: δ = X + δ, and X = W_0 = 0.
                    (dr, di) = (
                        V::select(rebase_mask, xr, dr),
                        V::select(rebase_mask, xi, di),
                    );
                    (zr, zi) = (
                        V::select(rebase_mask, zero, zr),
                        V::select(rebase_mask, zero, zi),
                    );
                    (drr, dii) = (dr.mul(dr), di.mul(di));
                    let mut bits = rebases;
                    while bits != 0 {
                        let lane = bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        chain.rebase(lane, row, step);
                    }
                }
                // δ ← 2·X·δ + δ², in the scalar loop's order.
                let re = zr.mul(dr).sub(zi.mul(di));
                let im = zr.mul(di).add(zi.mul(dr));
                chain.dr = two.mul(re).add(drr.sub(dii));
                chain.di = two.mul(im).add(two.mul(dr).mul(di));
                for lane in 0..V::LANES {
                    chain.point[lane] = chain.point[lane].wrapping_add(chain.stride[lane]);
                }
            }
            if !live {
                break;
            }
            step += 1;
        }
    }
}
