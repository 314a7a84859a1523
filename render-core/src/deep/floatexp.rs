//! `FloatExp`: a complex number `(re + i·im) · 2^exp`, two f64 mantissas sharing one i32 exponent.
//!
//! A pixel's offset from the reference at a view width of 1e-1000 is about 2^-3330, far below the
//! smallest f64 (2^-1074); its square, 2^-6660, further still. Giving the mantissas an exponent
//! of their own extends the range without giving up f64 arithmetic. Sharing one exponent between
//! the real and imaginary parts (rather than one each) halves the bookkeeping, and costs nothing
//! in accuracy: what perturbation needs is a relative error of about 2^-53 in the complex value.
//!
//! Every operation is a plain function of plain data (two f64 and an i32), so a shader can mirror
//! it: WGSL's `ldexp` and `frexp` do what [`scale`] and [`exponent_of`] do here.

/// `(re + i·im) · 2^exp`. Normalised values have `max(|re|, |im|)` in `[1, 2)`, or are zero with
/// `exp == 0`.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FloatExp {
    pub re: f64,
    pub im: f64,
    pub exp: i32,
}

/// Exponents beyond this are clamped, far outside any value the renderer meets (2^±(2^30)).
const EXP_LIMIT: i32 = 1 << 30;

/// `x · 2^n` for any `n`, by at most three exact power-of-two multiplications (a single one
/// would overflow the power's own exponent for |n| > 1023).
#[inline]
pub fn scale(mut x: f64, mut n: i32) -> f64 {
    while n > 1023 {
        x *= f64::from_bits(0x7fe0_0000_0000_0000); // 2^1023
        n -= 1023;
        if x.is_infinite() {
            return x;
        }
    }
    while n < -1022 {
        x *= f64::from_bits(0x0010_0000_0000_0000); // 2^-1022
        n += 1022;
        if x == 0.0 {
            return x;
        }
    }
    x * f64::from_bits(((n + 1023) as u64) << 52)
}

/// `e` such that `2^e <= |x| < 2^(e+1)` for a normal, non-zero `x` (its biased exponent field).
#[inline]
pub fn exponent_of(x: f64) -> i32 {
    ((x.to_bits() >> 52) & 0x7ff) as i32 - 1023
}

impl FloatExp {
    pub const ZERO: FloatExp = FloatExp {
        re: 0.0,
        im: 0.0,
        exp: 0,
    };

    /// The normalised form of `(re + i·im) · 2^exp`; mantissas may be any finite f64.
    #[inline]
    pub fn new(re: f64, im: f64, exp: i32) -> FloatExp {
        let big = re.abs().max(im.abs());
        if big == 0.0 || !big.is_finite() {
            return FloatExp { re, im, exp: 0 };
        }
        // Subnormal mantissas are first lifted into the normal range so their exponent reads true.
        let (re, im, exp, big) = if big < f64::MIN_POSITIVE {
            let lift = 2f64.powi(600);
            (re * lift, im * lift, exp - 600, big * lift)
        } else {
            (re, im, exp, big)
        };
        let e = exponent_of(big);
        FloatExp {
            re: scale(re, -e),
            im: scale(im, -e),
            exp: (exp + e).clamp(-EXP_LIMIT, EXP_LIMIT),
        }
    }

    /// A complex f64 value, exactly.
    #[inline]
    pub fn from_f64(re: f64, im: f64) -> FloatExp {
        FloatExp::new(re, im, 0)
    }

    /// The value as f64s: rounded, and zero where it is below f64's range.
    #[inline]
    pub fn to_f64(self) -> (f64, f64) {
        (scale(self.re, self.exp), scale(self.im, self.exp))
    }

    pub fn is_zero(self) -> bool {
        self.re == 0.0 && self.im == 0.0
    }

    /// `self · other`.
    #[inline]
    pub fn times(self, o: FloatExp) -> FloatExp {
        FloatExp::new(
            self.re * o.re - self.im * o.im,
            self.re * o.im + self.im * o.re,
            self.exp + o.exp,
        )
    }

    /// `self · (re + i·im)` for an f64 complex factor.
    #[inline]
    pub fn mul_f64(self, re: f64, im: f64) -> FloatExp {
        FloatExp::new(
            self.re * re - self.im * im,
            self.re * im + self.im * re,
            self.exp,
        )
    }

    /// `self + other`: the smaller one is aligned to the larger's exponent (and vanishes when it
    /// is more than 2^-110 of it, below either mantissa's last bit).
    #[inline]
    pub fn plus(self, o: FloatExp) -> FloatExp {
        if o.is_zero() {
            return self;
        }
        if self.is_zero() {
            return o;
        }
        let (big, small) = if self.exp >= o.exp {
            (self, o)
        } else {
            (o, self)
        };
        let shift = small.exp - big.exp;
        if shift < -110 {
            return big;
        }
        FloatExp::new(
            big.re + scale(small.re, shift),
            big.im + scale(small.im, shift),
            big.exp,
        )
    }

    /// `|self|²` as `(mantissa, exponent)`: `mantissa · 2^exponent`, mantissa in `[1, 8)` or 0.
    #[inline]
    pub fn norm2(self) -> (f64, i32) {
        (self.re * self.re + self.im * self.im, 2 * self.exp)
    }

    /// Whether `|self| < |other|`.
    #[inline]
    pub fn smaller_than(self, o: FloatExp) -> bool {
        let (a, ea) = self.norm2();
        let (b, eb) = o.norm2();
        if b == 0.0 {
            return false;
        }
        if a == 0.0 {
            return true;
        }
        // Mantissas are in [1, 8): compare exponents first, then the mantissas on a common scale.
        let shift = (ea - eb).clamp(-8, 8);
        a * scale(1.0, shift) < b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_reaches_beyond_f64_exponents_and_back() {
        assert_eq!(scale(1.5, 3), 12.0);
        assert_eq!(scale(1.0, -1074), f64::from_bits(1));
        assert_eq!(scale(scale(1.0, 2000), -2000), f64::INFINITY);
        assert_eq!(scale(1.0, -3000), 0.0);
    }

    #[test]
    fn arithmetic_far_below_f64_keeps_its_digits() {
        // (3 + 4i)·2^-3000 squared is (-7 + 24i)·2^-6000.
        let a = FloatExp::new(3.0, 4.0, -3000);
        let sq = a.times(a);
        assert_eq!(sq.re * scale(1.0, sq.exp + 6000), -7.0);
        assert_eq!(sq.im * scale(1.0, sq.exp + 6000), 24.0);
        let sum = sq.plus(sq);
        assert_eq!(sum.exp, sq.exp + 1);
        assert!(sq.smaller_than(a) && !a.smaller_than(sq));
        // Adding something 2^-200 smaller changes nothing.
        assert_eq!(a.plus(FloatExp::new(1.0, 0.0, -3200)), a);
        assert_eq!(FloatExp::from_f64(0.75, -3.0).to_f64(), (0.75, -3.0));
        assert_eq!(FloatExp::new(1.0, 1.0, -2000).to_f64(), (0.0, 0.0));
    }
}
