//! Pan and zoom as pure functions of the view and of positions on the preview canvas.
//!
//! Positions are in CSS pixels of the canvas as displayed, whatever its backing resolution, so the
//! point under the pointer stays under the pointer at every preview size. The view moves in exact
//! decimal arithmetic (`exact.rs`), so pan and zoom work at any depth, not only where f64 does.

use render_core::RenderParams;

use crate::exact::{scale_width, shift_center};

/// Zoom factor per wheel unit (one notch of a mouse wheel is ~100 units): 100 units ≈ ×1.16.
const WHEEL_ZOOM_PER_UNIT: f64 = 0.0015;
/// Zoom step of one `+`/`-` key press.
pub const KEY_ZOOM_FACTOR: f64 = 1.25;
/// Fraction of the view width one arrow key press pans.
pub const KEY_PAN_FRACTION: f64 = 0.1;

/// The size of the canvas on screen, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Screen {
    pub width: f64,
    pub height: f64,
}

/// The f64 view of positions, for tests that check the point under the pointer stays put.
#[cfg(test)]
impl Screen {
    /// Complex-plane distance of one CSS pixel (square pixels: the view width sets it).
    fn step(&self, p: &RenderParams) -> f64 {
        p.view_width / self.width.max(1.0)
    }

    /// The complex point under the CSS position `(x, y)` (origin top-left, `y` down), to f64
    /// precision.
    pub fn point_at(&self, p: &RenderParams, x: f64, y: f64) -> render_core::Complex {
        let step = self.step(p);
        render_core::Complex::new(
            p.center.re + (x - self.width / 2.0) * step,
            p.center.im + (self.height / 2.0 - y) * step,
        )
    }
}

/// Moves the view so the picture follows a drag of `(dx, dy)` CSS pixels.
pub fn pan_by_pixels(p: &mut RenderParams, screen: Screen, dx: f64, dy: f64) {
    let per_pixel = 1.0 / screen.width.max(1.0);
    shift_center(p, -dx * per_pixel, dy * per_pixel);
}

/// Pans by a fraction of the view width (keyboard): positive `fx` moves the view right, positive
/// `fy` moves it up.
pub fn pan_by_fraction(p: &mut RenderParams, fx: f64, fy: f64) {
    shift_center(p, fx, fy);
}

/// Scales the view width by `factor` (< 1 zooms in) keeping the point under `(x, y)` fixed.
pub fn zoom_at(p: &mut RenderParams, screen: Screen, x: f64, y: f64, factor: f64) {
    // The anchor's offset from the centre, in view widths; the centre moves towards it by the
    // part of that offset the zoom removes: centre' = anchor + (centre − anchor)·applied.
    // Within half a pixel of the centre, the centre itself is the anchor: a wheel or pinch at
    // the point the user centred then zooms into it exactly, at any depth, instead of drifting by
    // the sub-pixel rounding of the pointer position at every step.
    let (dx, dy) = (x - screen.width / 2.0, screen.height / 2.0 - y);
    let (dx, dy) = if dx.abs() <= 0.5 && dy.abs() <= 0.5 {
        (0.0, 0.0)
    } else {
        (dx, dy)
    };
    let w = screen.width.max(1.0);
    let (ax, ay) = (dx / w, dy / w);
    let applied = scale_width(p, factor);
    if applied == 1.0 {
        return;
    }
    // Shift by (1 − applied) anchor offsets of the *old* width, expressed in new widths.
    let pull = (1.0 - applied) / applied;
    shift_center(p, ax * pull, ay * pull);
}

/// The zoom factor of a wheel movement; scrolling down (positive delta) zooms out.
pub fn wheel_factor(delta_y: f64) -> f64 {
    (delta_y * WHEEL_ZOOM_PER_UNIT).exp()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREEN: Screen = Screen {
        width: 640.0,
        height: 480.0,
    };

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
    }

    #[test]
    fn dragging_right_and_down_moves_the_centre_left_and_up() {
        let mut p = RenderParams::default();
        pan_by_pixels(&mut p, SCREEN, 64.0, 32.0);
        let step = p.view_width / SCREEN.width;
        assert!(close(p.center.re, -64.0 * step));
        assert!(close(p.center.im, 32.0 * step));
    }

    #[test]
    fn zooming_keeps_the_point_under_the_cursor_in_place() {
        let mut p = RenderParams::default();
        let (x, y) = (100.0, 400.0);
        let before = SCREEN.point_at(&p, x, y);
        zoom_at(&mut p, SCREEN, x, y, 0.5);
        let after = SCREEN.point_at(&p, x, y);
        assert!(close(p.view_width, 1.5));
        assert!(close(before.re, after.re) && close(before.im, after.im));
    }

    #[test]
    fn zoom_goes_past_f64_and_keeps_the_point_under_the_cursor() {
        use render_core::Coord;
        let mut p = RenderParams::default();
        for _ in 0..120 {
            zoom_at(&mut p, SCREEN, 100.0, 400.0, 0.5);
        }
        // 3 · 2^-120 ≈ 2.3e-36: far below what an f64 centre resolves.
        assert_eq!(p.decimal(Coord::ViewWidth).exponent10(), -36);
        // The centre converged to the point first under the cursor, to ~36 digits.
        let anchor = SCREEN.point_at(&RenderParams::default(), 100.0, 400.0);
        assert!(close(p.center.re, anchor.re) && close(p.center.im, anchor.im));
        let digits = p.decimal(Coord::CenterRe).digits().0.len();
        assert!(digits > 36, "the centre kept its digits: {digits}");
        assert_eq!(p.resolved_precision(), render_core::Precision::Deep);
    }

    #[test]
    fn zooming_at_the_centre_keeps_the_centre_exactly_at_any_depth() {
        use render_core::{Coord, Decimal};
        let mut p = RenderParams::default();
        let centre = "1.50000000000000000000000000000000000000000000001";
        crate::exact::set_decimal(&mut p, Coord::CenterRe, Decimal::parse(centre).unwrap());
        for _ in 0..60 {
            zoom_at(&mut p, SCREEN, 320.4, 239.6, 0.2);
        }
        assert_eq!(p.decimal(Coord::CenterRe), Decimal::parse(centre).unwrap());
        assert_eq!(p.decimal(Coord::CenterIm).as_str(), "0e0");
    }

    #[test]
    fn wheel_down_zooms_out_and_wheel_up_zooms_in() {
        assert!(wheel_factor(100.0) > 1.0);
        assert!(wheel_factor(-100.0) < 1.0);
        assert!(close(wheel_factor(100.0) * wheel_factor(-100.0), 1.0));
    }
}
