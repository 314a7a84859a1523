//! The c-picker's map: its own view of the parameter plane, and drawing the Mandelbrot set there
//! with render-core's `mandelbrot_row` and `Colorizer` (the preview's palette), plus the marker.

use render_core::mandelbrot::mandelbrot_row;
use render_core::{Colorizer, Complex, EscapeSample, Palette, RenderParams};
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// The map's view of the parameter plane (f64: a map zoomed past 1e-13 is not a use case).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MapView {
    pub center: Complex,
    pub width: f64,
}

impl Default for MapView {
    /// The whole Mandelbrot set.
    fn default() -> Self {
        Self {
            center: Complex::new(-0.6, 0.0),
            width: 3.4,
        }
    }
}

/// Narrowest map view: f64 still separates a thousand pixels at any c in the set.
const MIN_MAP_WIDTH: f64 = 1e-12;
const MAX_MAP_WIDTH: f64 = 8.0;

impl MapView {
    /// The parameter under CSS position `(x, y)` of a `w`×`h` map.
    pub fn point_at(&self, w: f64, h: f64, x: f64, y: f64) -> Complex {
        let step = self.width / w.max(1.0);
        Complex::new(
            self.center.re + (x - w / 2.0) * step,
            self.center.im + (h / 2.0 - y) * step,
        )
    }

    /// Where `c` lies on a `w`×`h` map, in CSS pixels.
    pub fn position_of(&self, w: f64, h: f64, c: Complex) -> (f64, f64) {
        let step = self.width / w.max(1.0);
        (
            w / 2.0 + (c.re - self.center.re) / step,
            h / 2.0 - (c.im - self.center.im) / step,
        )
    }

    pub fn pan_by_pixels(&mut self, w: f64, dx: f64, dy: f64) {
        let step = self.width / w.max(1.0);
        self.center.re -= dx * step;
        self.center.im += dy * step;
    }

    /// Zooms by `factor` keeping the point under `(x, y)` in place.
    pub fn zoom_at(&mut self, w: f64, h: f64, x: f64, y: f64, factor: f64) {
        let anchor = self.point_at(w, h, x, y);
        self.zoom_around(anchor, factor);
    }

    /// Zooms by `factor` keeping `anchor` where it is on the map.
    pub fn zoom_around(&mut self, anchor: Complex, factor: f64) {
        let new_width = (self.width * factor).clamp(MIN_MAP_WIDTH, MAX_MAP_WIDTH);
        let applied = new_width / self.width;
        self.center.re = anchor.re + (self.center.re - anchor.re) * applied;
        self.center.im = anchor.im + (self.center.im - anchor.im) * applied;
        self.width = new_width;
    }

    /// Iterations the map needs: more as it zooms towards the boundary.
    pub fn max_iter(&self) -> u32 {
        let decades = (MapView::default().width / self.width).log10().max(0.0);
        (200.0 + 150.0 * decades).round() as u32
    }

    /// The map as Julia-style parameters for the colourer (size, palette, limit).
    fn colour_params(&self, w: u32, h: u32, palette: Palette) -> RenderParams {
        RenderParams {
            width: w,
            height: h,
            max_iter: self.max_iter(),
            palette,
            ..RenderParams::default()
        }
    }
}

/// A drawn map image, reused while only the marker moves.
pub struct MapImage {
    key: (MapView, Palette, u32, u32),
    rgba: Vec<u8>,
}

/// Renders the Mandelbrot set of `map` at `w`×`h` pixels, RGBA row-major.
pub fn render_map(map: &MapView, w: u32, h: u32, palette: Palette) -> Vec<u8> {
    let params = map.colour_params(w, h, palette);
    let step = map.width / f64::from(w);
    let re: Vec<f64> = (0..w)
        .map(|i| map.center.re + (f64::from(i) + 0.5 - f64::from(w) / 2.0) * step)
        .collect();
    let mut samples = vec![EscapeSample::default(); (w * h) as usize];
    let r2 = params.escape_radius * params.escape_radius;
    for (j, row) in samples.chunks_mut(w as usize).enumerate() {
        let im = map.center.im + (f64::from(h) / 2.0 - j as f64 - 0.5) * step;
        mandelbrot_row(&re, im, params.max_iter, r2, row);
    }
    let mut rgba = Vec::new();
    Colorizer::new(&params).colour_band(&samples, h, &mut rgba);
    rgba
}

/// Draws the map (re-rendered only when its view, palette or size changed) and the marker at `c`.
pub fn draw_map(
    canvas: &HtmlCanvasElement,
    map: &MapView,
    palette: Palette,
    c: Complex,
    cache: &mut Option<MapImage>,
) {
    let rect = canvas.get_bounding_client_rect();
    let dpr = leptos::prelude::window().device_pixel_ratio().max(1.0);
    let (w, h) = (
        (rect.width() * dpr).round().max(1.0) as u32,
        (rect.height() * dpr).round().max(1.0) as u32,
    );
    let key = (*map, palette, w, h);
    if cache.as_ref().map(|c| c.key) != Some(key) {
        *cache = Some(MapImage {
            key,
            rgba: render_map(map, w, h, palette),
        });
    }
    let image = cache.as_ref().expect("just filled");
    if canvas.width() != w || canvas.height() != h {
        canvas.set_width(w);
        canvas.set_height(h);
    }
    let Some(ctx) = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    if let Ok(data) = ImageData::new_with_u8_clamped_array_and_sh(Clamped(&image.rgba), w, h) {
        let _ = ctx.put_image_data(&data, 0.0, 0.0);
    }
    let (x, y) = map.position_of(f64::from(w), f64::from(h), c);
    for (colour, width) in [("#000", 4.0 * dpr), ("#fff", 2.0 * dpr)] {
        ctx.begin_path();
        let _ = ctx.arc(x, y, 6.0 * dpr, 0.0, std::f64::consts::TAU);
        ctx.set_stroke_style_str(colour);
        ctx.set_line_width(width);
        ctx.stroke();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_points_are_inverse_and_zoom_keeps_the_anchor() {
        let mut m = MapView::default();
        let c = m.point_at(300.0, 225.0, 40.0, 200.0);
        let (x, y) = m.position_of(300.0, 225.0, c);
        assert!((x - 40.0).abs() < 1e-9 && (y - 200.0).abs() < 1e-9);
        m.zoom_at(300.0, 225.0, 40.0, 200.0, 0.25);
        let after = m.point_at(300.0, 225.0, 40.0, 200.0);
        assert!((after.re - c.re).abs() < 1e-12 && (after.im - c.im).abs() < 1e-12);
        assert!(m.max_iter() > MapView::default().max_iter());
    }

    #[test]
    fn the_map_shows_the_set_in_the_palettes_colours() {
        let rgba = render_map(&MapView::default(), 40, 30, Palette::default());
        assert_eq!(rgba.len(), 40 * 30 * 4);
        let colours: std::collections::HashSet<&[u8]> = rgba.chunks(4).collect();
        assert!(colours.len() > 5, "only {} colours", colours.len());
    }
}
