//! How deep the view is, in words the page shows ("1.2e-300"), and the iteration limit that
//! depth needs.
//!
//! The rule for `max_iter` (README.md, "The explorer page"): 500 at the default width of 3, plus
//! [`ITER_PER_DECADE`] for every power of ten zoomed in. Near a point of the Julia set where the map
//! expands distances by |λ| per iteration, a pixel at distance d needs about log(1/d)/log|λ| more
//! iterations to escape, so the count grows linearly with the decades zoomed: 25 per decade covers
//! expansion rates down to 10^(1/25) ≈ 1.096 per iteration. More is not free: where the critical
//! orbit does not escape (c in the Mandelbrot set), the reference orbits of the deep path are
//! `max_iter` long, and the browser computes them before the first deep frame (with 100 per
//! decade, the first 320×240 preview at 1e-100 took over 900 ms instead of well under 100 ms).
//! The page applies the rule until the user types a limit of their own.

use render_core::validate::MAX_ITER_LIMIT;
use render_core::{Coord, RenderParams};

/// The iteration limit of the default view (`RenderParams::default()`).
pub const BASE_ITER: u32 = 500;
/// The default view's width: depth is counted from here.
const BASE_WIDTH_LOG10: f64 = 0.477_121_254_719_662_4; // log10(3)
/// Iterations added per power of ten of zoom.
pub const ITER_PER_DECADE: f64 = 25.0;

/// log10 of the view width, from its decimal (exact at any depth; an f64 would underflow).
pub fn width_log10(p: &RenderParams) -> f64 {
    let (digits, exp10) = p.decimal(Coord::ViewWidth).digits();
    let lead: f64 = format!("{}.{}", &digits[..1], &digits[1..])
        .trim_end_matches('.')
        .parse()
        .unwrap_or(1.0);
    exp10 as f64 + lead.log10()
}

/// The view width to two significant digits: `1.2e-300`, `3e0`.
pub fn depth_label(p: &RenderParams) -> String {
    let (digits, exp10) = p.decimal(Coord::ViewWidth).digits();
    let mut lead = digits[..1].to_string();
    // Rounds the second digit from the third, carrying into the first (9.96 → 1e1).
    let rest: u32 = digits
        .get(1..3)
        .map(|d| format!("{d:0<2}"))
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    let first: u32 = lead.parse().unwrap_or(1);
    let mut tenths = first * 10 + (rest + 5) / 10;
    let mut exp10 = exp10;
    if tenths >= 100 {
        tenths /= 10;
        exp10 += 1;
    }
    lead = format!("{}", tenths / 10);
    if !tenths.is_multiple_of(10) {
        lead.push_str(&format!(".{}", tenths % 10));
    }
    format!("{lead}e{exp10}")
}

/// The iteration limit the rule above suggests for `p`'s depth.
pub fn suggested_max_iter(p: &RenderParams) -> u32 {
    let decades = (BASE_WIDTH_LOG10 - width_log10(p)).max(0.0);
    let iterations = f64::from(BASE_ITER) + ITER_PER_DECADE * decades;
    iterations.round().min(f64::from(MAX_ITER_LIMIT)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::set_decimal;
    use render_core::Decimal;

    fn at_width(width: &str) -> RenderParams {
        let mut p = RenderParams::default();
        set_decimal(&mut p, Coord::ViewWidth, Decimal::parse(width).unwrap());
        p
    }

    #[test]
    fn depth_reads_as_two_significant_digits() {
        assert_eq!(depth_label(&at_width("1.234e-300")), "1.2e-300");
        assert_eq!(depth_label(&at_width("3")), "3e0");
        assert_eq!(depth_label(&at_width("9.96e-31")), "1e-30");
        assert_eq!(depth_label(&at_width("2.05e-1000")), "2.1e-1000");
    }

    #[test]
    fn iterations_follow_depth_from_the_default_view() {
        assert_eq!(suggested_max_iter(&RenderParams::default()), BASE_ITER);
        assert_eq!(suggested_max_iter(&at_width("30")), BASE_ITER);
        assert_eq!(suggested_max_iter(&at_width("3e-30")), 1250);
        assert_eq!(suggested_max_iter(&at_width("3e-300")), 8000);
        assert!((width_log10(&at_width("1e-1500")) + 1500.0).abs() < 1e-9);
    }
}
