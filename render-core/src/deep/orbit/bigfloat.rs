//! The arbitrary-precision arithmetic of the reference orbits: `malachite-float`, pure Rust (so it
//! builds for wasm32-unknown-unknown), correctly rounded binary floating point as in MPFR.
//!
//! Chosen by measurement: 10,000 iterations of `z ← z² + c` (three multiplications and four
//! additions of complex parts per iteration) at 3400 bits, enough for a view width of 1e-1000,
//! release build, on the project's 2-core machine while other builds ran, twice each:
//! malachite-float 0.14.0 167 / 168 ms, dashu-float 0.4.5 297 / 267 ms, astro-float 0.9.6
//! 381 / 366 ms.

use malachite_base::num::conversion::traits::{FromSciString, RoundingFrom};
use malachite_base::rounding_modes::RoundingMode::Nearest;
use malachite_float::Float;
use malachite_q::Rational;

use super::super::floatexp::FloatExp;
use crate::decimal::Decimal;

/// A complex number as two floats of one precision.
pub(crate) struct Complex {
    re: Float,
    im: Float,
    bits: u64,
}

/// `d` rounded to `bits` bits (exactly as written, then rounded once).
fn to_float(d: &Decimal, bits: u64) -> Float {
    let exact = Rational::from_sci_string(d.as_str()).expect("canonical decimals are sci strings");
    Float::from_rational_prec_round(exact, bits, Nearest).0
}

/// A float as `(mantissa in [1, 2) or 0, power of two)`: digits below f64's range kept.
fn split(x: &Float) -> (f64, i32) {
    match x.get_exponent() {
        // `get_exponent` is e with 2^(e-1) <= |x| < 2^e.
        Some(e) => (f64::rounding_from(&(x >> (e - 1)), Nearest).0, e - 1),
        None => (0.0, 0),
    }
}

impl Complex {
    pub(crate) fn new(re: &Decimal, im: &Decimal, bits: u32) -> Complex {
        let bits = u64::from(bits);
        Complex {
            re: to_float(re, bits),
            im: to_float(im, bits),
            bits,
        }
    }

    /// `self² + c`, each operation rounded to the precision.
    pub(crate) fn square_add(&self, c: &Complex) -> Complex {
        let p = self.bits;
        let xx = self.re.square_prec_round_ref(p, Nearest).0;
        let yy = self.im.square_prec_round_ref(p, Nearest).0;
        let xy = self.re.mul_prec_round_ref_ref(&self.im, p, Nearest).0;
        let re = xx
            .sub_prec_round(yy, p, Nearest)
            .0
            .add_prec_round_val_ref(&c.re, p, Nearest)
            .0;
        let im = (xy << 1u32).add_prec_round_val_ref(&c.im, p, Nearest).0;
        Complex { re, im, bits: p }
    }

    /// The nearest f64s (0 below f64's range, ±inf above).
    pub(crate) fn to_f64(&self) -> (f64, f64) {
        (
            f64::rounding_from(&self.re, Nearest).0,
            f64::rounding_from(&self.im, Nearest).0,
        )
    }

    /// The value with an extended exponent, for points too small for an f64.
    pub(crate) fn to_floatexp(&self) -> FloatExp {
        let (mr, er) = split(&self.re);
        let (mi, ei) = split(&self.im);
        let e = if mr == 0.0 {
            ei
        } else if mi == 0.0 {
            er
        } else {
            er.max(ei)
        };
        let shift = |m: f64, own: i32| super::super::floatexp::scale(m, own - e);
        FloatExp::new(shift(mr, er), shift(mi, ei), e)
    }
}

/// A positive or negative decimal as a real [`FloatExp`], correctly rounded to 53 bits.
pub fn decimal_to_floatexp(d: &Decimal) -> FloatExp {
    let x = to_float(d, 64);
    let (m, e) = split(&x);
    FloatExp::new(m, 0.0, e)
}
