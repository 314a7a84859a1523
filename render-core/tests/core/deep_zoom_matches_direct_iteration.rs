//! Deep zoom against an independent reference: sampled pixels of small deep renders compared with
//! a direct iteration of `z ← z² + c` in arbitrary precision written here (no perturbation, no
//! f64, no code of `render_core::deep`), at view widths 1e-30, 1e-100, 1e-300 and 1e-1000.
//!
//! The views are centred on points of the Julia set, found in arbitrary precision: the repelling
//! fixed point `β = (1 + √(1 − 4c))/2` (repelling fixed points lie on the Julia set) or its second
//! preimage `√(−β − c)` (it maps to `−β`, which maps to `β`; preimages of points of the Julia set
//! lie on it). Around such a point the set is self-similar at every depth, so the image has
//! structure there: pixels escape after different counts, some never.

use malachite_base::num::basic::traits::{One, Two, Zero};
use malachite_base::num::conversion::string::options::ToSciOptions;
use malachite_base::num::conversion::traits::{FromSciString, ToSci};
use malachite_base::rounding_modes::RoundingMode::Nearest;
use malachite_float::Float;
use malachite_q::Rational;
use rayon::prelude::*;
use render_core::{Band, CpuSource, EscapeSample, EscapeSource, Limits, Precision, StopFlag};

/// A complex number in arbitrary precision: `(re, im)`.
type C = (Float, Float);

fn rat(text: &str) -> Rational {
    Rational::from_sci_string(text).expect("a decimal")
}

fn float(r: &Rational, bits: u64) -> Float {
    Float::from_rational_prec_round_ref(r, bits, Nearest).0
}

fn add(a: &C, b: &C, p: u64) -> C {
    (
        a.0.add_prec_round_ref_ref(&b.0, p, Nearest).0,
        a.1.add_prec_round_ref_ref(&b.1, p, Nearest).0,
    )
}

/// The principal square root: `(√((|w| + a)/2), sign(b)·√((|w| − a)/2))`.
fn sqrt(w: &C, p: u64) -> C {
    let aa = w.0.square_prec_round_ref(p, Nearest).0;
    let bb = w.1.square_prec_round_ref(p, Nearest).0;
    let modulus = aa
        .add_prec_round(bb, p, Nearest)
        .0
        .sqrt_prec_round(p, Nearest)
        .0;
    let half = |x: Float| (x >> 1u32).sqrt_prec_round(p, Nearest).0;
    let re = half(modulus.add_prec_round_ref_ref(&w.0, p, Nearest).0);
    let im = half(modulus.sub_prec_round_ref_ref(&w.0, p, Nearest).0);
    let im = if w.1 < Float::ZERO { -im } else { im };
    (re, im)
}

/// The repelling fixed point `β = (1 + √(1 − 4c))/2`.
fn beta(c: &C, p: u64) -> C {
    let one_minus_4c = (
        Float::ONE.sub_prec_round(c.0.clone() << 2u32, p, Nearest).0,
        -(c.1.clone() << 2u32),
    );
    let root = sqrt(&one_minus_4c, p);
    let b = add(&(Float::ONE, Float::ZERO), &root, p);
    (b.0 >> 1u32, b.1 >> 1u32)
}

/// `√(−β − c)`: two steps before `β` on its backward orbit.
fn second_preimage(c: &C, p: u64) -> C {
    let b = beta(c, p);
    let minus = (-b.0, -b.1);
    let w = (
        minus.0.sub_prec_round_ref_ref(&c.0, p, Nearest).0,
        minus.1.sub_prec_round_ref_ref(&c.1, p, Nearest).0,
    );
    sqrt(&w, p)
}

fn decimal(x: &Float, digits: u64) -> String {
    let mut options = ToSciOptions::default();
    options.set_precision(digits);
    x.to_sci_with_options(options).to_string()
}

/// The escape count of `z0` by direct iteration at `p` bits: the definition itself.
fn direct_count(z0: C, c: &C, max_iter: u32, r2: &Float, p: u64) -> u32 {
    let mut z = z0;
    for k in 0..max_iter {
        let xx = z.0.square_prec_round_ref(p, Nearest).0;
        let yy = z.1.square_prec_round_ref(p, Nearest).0;
        if xx.add_prec_round_ref_ref(&yy, p, Nearest).0 > *r2 {
            return k;
        }
        let xy = z.0.mul_prec_round_ref_ref(&z.1, p, Nearest).0;
        z = (
            xx.sub_prec_round(yy, p, Nearest)
                .0
                .add_prec_round_ref_ref(&c.0, p, Nearest)
                .0,
            (xy << 1u32).add_prec_round_ref_ref(&c.1, p, Nearest).0,
        );
    }
    max_iter
}

struct Case {
    c: (&'static str, &'static str),
    /// Decades of depth: the view width is `10^-depth`.
    depth: u32,
    use_preimage: bool,
    max_iter: u32,
}

const RABBIT: (&str, &str) = ("-0.12256116687665361237", "0.74486176661974423659");
const DEFAULT_C: (&str, &str) = ("-0.8", "0.156");

fn check(case: &Case) {
    let (width, height) = (40u32, 30u32);
    let bits = u64::from(case.depth) * 34 / 10 + 128;
    let c = (float(&rat(case.c.0), bits), float(&rat(case.c.1), bits));
    let centre = if case.use_preimage {
        second_preimage(&c, bits)
    } else {
        beta(&c, bits)
    };
    let digits = u64::from(case.depth) + 40;
    let (centre_re, centre_im) = (decimal(&centre.0, digits), decimal(&centre.1, digits));
    let view_width = format!("1e-{}", case.depth);
    let json = format!(
        r#"{{"width": {width}, "height": {height}, "c": {{"re": "{}", "im": "{}"}},
            "center": {{"re": "{centre_re}", "im": "{centre_im}"}}, "view_width": "{view_width}",
            "max_iter": {}, "format": "npy"}}"#,
        case.c.0, case.c.1, case.max_iter
    );
    let params = render_core::parse_params(&json, &Limits::default()).expect("valid deep params");
    assert_eq!(params.resolved_precision(), Precision::Deep);
    let mut samples = vec![EscapeSample::default(); (width * height) as usize];
    CpuSource::new()
        .compute_band(
            &params.normalized(),
            Band {
                y0: 0,
                rows: height,
            },
            &mut samples,
            &StopFlag::new(),
        )
        .expect("the CPU never fails");

    // The reference: the exact pixel mapping, from the decimals as written.
    let step = rat(&view_width) / Rational::from(width);
    let (cre, cim) = (rat(&centre_re), rat(&centre_im));
    let r2 = Float::TWO.square_prec_round(bits, Nearest).0;
    let picked: Vec<usize> = (0..samples.len()).step_by(12).collect();
    let expected: Vec<u32> = picked
        .par_iter()
        .map(|&index| {
            let (i, j) = ((index as u32) % width, (index as u32) / width);
            let dx = (Rational::from(2 * i + 1) - Rational::from(width)) / Rational::TWO;
            let dy = (Rational::from(height) - Rational::from(2 * j + 1)) / Rational::TWO;
            let z0 = (
                float(&(&cre + dx * &step), bits),
                float(&(&cim + dy * &step), bits),
            );
            direct_count(z0, &c, case.max_iter, &r2, bits)
        })
        .collect();

    let mut exact = 0;
    for (&index, &want) in picked.iter().zip(&expected) {
        let got = samples[index].count;
        if got == want {
            exact += 1;
        } else {
            assert!(
                got.abs_diff(want) <= 3,
                "1e-{}: pixel {index}: {got} iterations, direct iteration says {want}",
                case.depth
            );
        }
    }
    assert!(
        exact * 100 >= picked.len() * 99,
        "1e-{}: only {exact} of {} sampled pixels exact",
        case.depth,
        picked.len()
    );
    // Structure, not a flat colour: sampled counts differ, and some pixels escape.
    let mut distinct = expected.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert!(
        distinct.len() >= 5,
        "1e-{}: counts {distinct:?}",
        case.depth
    );
    assert!(
        expected.iter().any(|&n| n < case.max_iter),
        "1e-{}: nothing escapes",
        case.depth
    );
    // The rabbit's filled Julia set has an interior (c is in the Mandelbrot set): some pixels
    // never escape, and reach max_iter through the zero orbit's BLA jumps.
    if case.c == RABBIT {
        assert!(
            expected.contains(&case.max_iter),
            "1e-{}: no interior pixel sampled",
            case.depth
        );
    }
    // Every pixel needed far more iterations than the ones f64 could follow.
    let least = expected.iter().min().copied().unwrap_or(0);
    assert!(
        f64::from(least) > f64::from(case.depth) * 0.8,
        "1e-{}: {least}",
        case.depth
    );
}

#[test]
fn a_view_1e_30_wide_matches_direct_iteration() {
    check(&Case {
        c: RABBIT,
        depth: 30,
        use_preimage: true,
        max_iter: 400,
    });
}

#[test]
fn a_view_1e_100_wide_matches_direct_iteration() {
    check(&Case {
        c: DEFAULT_C,
        depth: 100,
        use_preimage: false,
        max_iter: 600,
    });
}

#[test]
fn a_view_1e_300_wide_matches_direct_iteration() {
    check(&Case {
        c: RABBIT,
        depth: 300,
        use_preimage: false,
        max_iter: 1000,
    });
}

#[test]
fn a_view_1e_1000_wide_matches_direct_iteration() {
    check(&Case {
        c: DEFAULT_C,
        depth: 1000,
        use_preimage: true,
        max_iter: 2600,
    });
}
