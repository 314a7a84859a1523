//! The view's coordinates as exact decimals (issue 13, docs/DEEP_ZOOM.md "Contract"), so pan and
//! zoom keep working far below what an f64 centre can resolve.
//!
//! Every move is `centre += f · view_width` and every zoom `view_width *= factor`, computed in
//! exact rational arithmetic (malachite, which render-core's deep path already links) and rounded
//! back to a decimal: the centre to [`CENTER_DIGITS_BELOW_WIDTH`] decimal places below the view
//! width's leading digit, the width to 17 significant digits. A width an f64 holds stays an f64,
//! exactly as before deep zoom; below the f64 range the width is a decimal string.

use malachite_base::num::arithmetic::traits::{Pow, RoundToMultiple};
use malachite_base::num::conversion::string::options::ToSciOptions;
use malachite_base::num::conversion::traits::{FromSciString, ToSci};
use malachite_base::rounding_modes::RoundingMode;
use malachite_q::Rational;
use render_core::validate::MIN_VIEW_WIDTH;
use render_core::{Coord, Decimal, RenderParams};

/// Decimal places the centre keeps below the view width's leading digit: a 65536-pixel-wide image
/// at 4×4 supersampling has samples 2.6e5 apart per width, so this leaves six or more digits below
/// the finest sample step, and a pan by a fraction of a pixel is never lost.
pub const CENTER_DIGITS_BELOW_WIDTH: i64 = 12;

/// Significant digits of the view width: it is a scale, so an f64's worth is plenty.
const WIDTH_DIGITS: i64 = 17;

/// The deepest view the UI zooms to, as a power of ten. The API accepts widths down to 1e-2000
/// but a decimal string of at most 2000 characters; the centre needs as many digits as the depth
/// plus [`CENTER_DIGITS_BELOW_WIDTH`], so the UI stops where a centre string still fits.
pub const MIN_WIDTH_EXP10: i64 = -1900;

/// The widest view: the whole Julia set fits in a radius-2 disc, more is just background.
pub const MAX_WIDTH: f64 = 64.0;

/// A coordinate's exact value: its decimal where one is kept, else its f64's shortest decimal.
pub fn rational(p: &RenderParams, coord: Coord) -> Rational {
    let decimal = p.decimal(coord);
    Rational::from_sci_string(decimal.as_str()).expect("canonical decimals are valid sci strings")
}

/// Sets a coordinate to `decimal`: the nearest f64 in its field, and the decimal beside it where
/// the f64 loses digits (the same rule as a decimal string in the API's JSON).
pub fn set_decimal(p: &mut RenderParams, coord: Coord, decimal: Decimal) {
    let value = decimal.to_f64();
    let below_f64_range = coord == Coord::ViewWidth && value < MIN_VIEW_WIDTH;
    match coord {
        Coord::CRe => p.c.re = value,
        Coord::CIm => p.c.im = value,
        Coord::CenterRe => p.center.re = value,
        Coord::CenterIm => p.center.im = value,
        Coord::ViewWidth => p.view_width = value,
    }
    p.exact.set(coord, decimal, below_f64_range);
}

/// Moves the centre by `(fx, fy)` view widths (positive `fy` is up).
pub fn shift_center(p: &mut RenderParams, fx: f64, fy: f64) {
    let width = rational(p, Coord::ViewWidth);
    let unit_exp10 = p.decimal(Coord::ViewWidth).exponent10() - CENTER_DIGITS_BELOW_WIDTH;
    for (coord, f) in [(Coord::CenterRe, fx), (Coord::CenterIm, fy)] {
        if f == 0.0 || !f.is_finite() {
            continue;
        }
        let moved = rational(p, coord) + &width * exact_f64(f);
        set_decimal(p, coord, round_to_power_of_ten(&moved, unit_exp10));
    }
}

/// Scales the view width by `factor`, within the UI's range; returns the factor applied (less
/// than asked at either end of the range).
pub fn scale_width(p: &mut RenderParams, factor: f64) -> f64 {
    if !(factor.is_finite() && factor > 0.0) {
        return 1.0;
    }
    let old = rational(p, Coord::ViewWidth);
    let mut new = &old * exact_f64(factor);
    let min = Rational::from(10u32).pow(MIN_WIDTH_EXP10);
    let max = exact_f64(MAX_WIDTH);
    if new < min {
        new = min;
    } else if new > max {
        new = max;
    }
    let decimal = round_significant(&new, WIDTH_DIGITS);
    // Where an f64 holds the width, the width is that f64: shallow views stay as they always were.
    let as_f64 = decimal.to_f64();
    let decimal = if as_f64 >= MIN_VIEW_WIDTH {
        Decimal::from_f64(as_f64).expect("a finite width")
    } else {
        decimal
    };
    set_decimal(p, Coord::ViewWidth, decimal);
    ratio_to_f64(&(rational(p, Coord::ViewWidth) / old))
}

/// `x` rounded to the nearest multiple of `10^exp10`, as a decimal.
pub fn round_to_power_of_ten(x: &Rational, exp10: i64) -> Decimal {
    let unit = Rational::from(10u32).pow(exp10);
    let (rounded, _) = x.round_to_multiple(unit, RoundingMode::Nearest);
    let mut options = ToSciOptions::default();
    options.set_size_complete();
    let text = rounded.to_sci_with_options(options).to_string();
    Decimal::parse(&text).expect("malachite writes valid decimals")
}

/// `x` rounded to `digits` significant decimal digits.
fn round_significant(x: &Rational, digits: i64) -> Decimal {
    let leading = approx_exp10(x);
    round_to_power_of_ten(x, leading - digits + 1)
}

/// The power of ten of `x`'s leading digit (within one: rounding may carry it up).
fn approx_exp10(x: &Rational) -> i64 {
    let mut options = ToSciOptions::default();
    options.set_precision(1);
    options.set_neg_exp_threshold(-1);
    let text = x.to_sci_with_options(options).to_string();
    Decimal::parse(&text)
        .map(|d| d.exponent10())
        .unwrap_or_default()
}

/// An f64 as the exact rational it is.
fn exact_f64(x: f64) -> Rational {
    Rational::try_from(x).expect("finite f64s are rationals")
}

/// A ratio as an f64, through 20 significant decimal digits (more than an f64 holds).
fn ratio_to_f64(x: &Rational) -> f64 {
    let mut options = ToSciOptions::default();
    options.set_precision(20);
    x.to_sci_with_options(options)
        .to_string()
        .parse()
        .unwrap_or(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shifts_keep_digits_far_below_an_f64() {
        let mut p = RenderParams::default();
        set_decimal(&mut p, Coord::ViewWidth, Decimal::parse("1e-40").unwrap());
        set_decimal(&mut p, Coord::CenterRe, Decimal::parse("-0.75").unwrap());
        shift_center(&mut p, 0.25, -0.5);
        assert_eq!(
            p.decimal(Coord::CenterRe).as_str(),
            "-7.49999999999999999999999999999999999999975e-1"
        );
        assert_eq!(p.decimal(Coord::CenterIm).as_str(), "-5e-41");
        // The f64s follow the decimals, so f64 code sees the nearest values.
        assert_eq!(p.center.re, -0.75);
        assert_eq!(p.center.im, -5e-41);
    }

    #[test]
    fn the_width_is_an_f64_while_one_holds_it_and_a_decimal_below() {
        let mut p = RenderParams::default();
        assert_eq!(scale_width(&mut p, 0.5), 0.5);
        assert_eq!(p.view_width, 1.5);
        assert_eq!(
            p.exact.present(&p).count(),
            0,
            "no decimal for an f64 width"
        );
        for _ in 0..4 {
            scale_width(&mut p, 1e-100);
        }
        assert_eq!(p.decimal(Coord::ViewWidth).as_str(), "1.5e-400");
        assert_eq!(p.view_width, 0.0);
        assert!(render_core::validate(&p, &render_core::Limits::default()).is_ok());
    }

    #[test]
    fn the_width_stops_at_both_ends_of_the_ui_range() {
        let mut p = RenderParams::default();
        for _ in 0..25 {
            scale_width(&mut p, 1e-100);
        }
        assert_eq!(p.decimal(Coord::ViewWidth).exponent10(), MIN_WIDTH_EXP10);
        assert_eq!(scale_width(&mut p, 0.5), 1.0);
        for _ in 0..7 {
            scale_width(&mut p, 1e300);
        }
        assert_eq!(p.view_width, MAX_WIDTH);
    }

    #[test]
    fn a_centre_at_the_deepest_width_still_fits_the_apis_string_limit() {
        let mut p = RenderParams::default();
        for _ in 0..19 {
            scale_width(&mut p, 1e-100);
        }
        set_decimal(&mut p, Coord::CenterRe, Decimal::parse("-1.5").unwrap());
        shift_center(&mut p, 1.0 / 3.0, 0.0);
        let text = p.decimal(Coord::CenterRe).as_str().len();
        assert!(
            text <= render_core::decimal::MAX_DECIMAL_LEN,
            "{text} characters"
        );
        assert!(text > 1900, "the centre kept its digits: {text}");
    }
}
