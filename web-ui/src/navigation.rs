//! Pan and zoom as pure functions of the view and of positions on the preview canvas.
//!
//! Positions are in CSS pixels of the canvas as displayed, whatever its backing resolution, so the
//! point under the pointer stays under the pointer at every preview size.

use render_core::{Complex, RenderParams};

/// Zoom factor per wheel unit (one notch of a mouse wheel is ~100 units): 100 units ≈ ×1.16.
const WHEEL_ZOOM_PER_UNIT: f64 = 0.0015;
/// Zoom step of one `+`/`-` key press.
pub const KEY_ZOOM_FACTOR: f64 = 1.25;
/// Fraction of the view width one arrow key press pans.
pub const KEY_PAN_FRACTION: f64 = 0.1;
/// Narrowest view allowed: below this the pixel step stops being representable well even in f64.
const MIN_VIEW_WIDTH: f64 = 1e-13;
/// Widest view allowed: the whole Julia set fits in a radius-2 disc, more is just background.
const MAX_VIEW_WIDTH: f64 = 64.0;

/// The size of the canvas on screen, in CSS pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Screen {
    pub width: f64,
    pub height: f64,
}

impl Screen {
    /// Complex-plane distance of one CSS pixel (square pixels: the view width sets it).
    fn step(&self, p: &RenderParams) -> f64 {
        p.view_width / self.width.max(1.0)
    }

    /// The complex point under the CSS position `(x, y)` (origin top-left, `y` down).
    pub fn point_at(&self, p: &RenderParams, x: f64, y: f64) -> Complex {
        let step = self.step(p);
        Complex::new(
            p.center.re + (x - self.width / 2.0) * step,
            p.center.im + (self.height / 2.0 - y) * step,
        )
    }
}

/// Moves the view so the picture follows a drag of `(dx, dy)` CSS pixels.
pub fn pan_by_pixels(p: &mut RenderParams, screen: Screen, dx: f64, dy: f64) {
    let step = screen.step(p);
    p.center.re -= dx * step;
    p.center.im += dy * step;
}

/// Pans by a fraction of the view width (keyboard): positive `fx` moves the view right, positive
/// `fy` moves it up.
pub fn pan_by_fraction(p: &mut RenderParams, fx: f64, fy: f64) {
    p.center.re += fx * p.view_width;
    p.center.im += fy * p.view_width;
}

/// Scales the view width by `factor` (< 1 zooms in) keeping the point under `(x, y)` fixed.
pub fn zoom_at(p: &mut RenderParams, screen: Screen, x: f64, y: f64, factor: f64) {
    let anchor = screen.point_at(p, x, y);
    let new_width = (p.view_width * factor).clamp(MIN_VIEW_WIDTH, MAX_VIEW_WIDTH);
    let applied = new_width / p.view_width;
    p.center.re = anchor.re + (p.center.re - anchor.re) * applied;
    p.center.im = anchor.im + (p.center.im - anchor.im) * applied;
    p.view_width = new_width;
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
    fn zoom_stops_at_the_narrowest_representable_view() {
        let mut p = RenderParams::default();
        for _ in 0..200 {
            zoom_at(&mut p, SCREEN, 10.0, 10.0, 0.5);
        }
        assert_eq!(p.view_width, MIN_VIEW_WIDTH);
        assert!(p.center.re.is_finite() && p.center.im.is_finite());
    }

    #[test]
    fn wheel_down_zooms_out_and_wheel_up_zooms_in() {
        assert!(wheel_factor(100.0) > 1.0);
        assert!(wheel_factor(-100.0) < 1.0);
        assert!(close(wheel_factor(100.0) * wheel_factor(-100.0), 1.0));
    }
}
