//! One preview image computed a few rows at a time on the page's own thread, so a full-resolution
//! preview never holds the page for longer than a slice of one animation frame. This is the
//! fallback for a page whose preview workers (`workers.rs`) cannot start.
//!
//! The image is cut into bands whose height adapts to the measured time per row: each call of
//! [`ProgressiveImage::step`] computes and colours bands until its time budget is spent, then
//! returns, and the caller yields to the browser until the next frame.

use super::band::render_band;
use render_core::{Band, Colorizer, CpuSource, EscapeSample, RenderParams};

/// Rows of the first band, before any time per row is known.
const FIRST_BAND_ROWS: u32 = 2;

/// An image being computed band by band.
pub struct ProgressiveImage {
    params: RenderParams,
    colorizer: Colorizer,
    samples: Vec<EscapeSample>,
    band_rgba: Vec<u8>,
    rgba: Vec<u8>,
    next_row: u32,
    /// Measured milliseconds per row (0 until the first band is done).
    ms_per_row: f64,
}

impl ProgressiveImage {
    /// Starts `params` (a preview's parameters, one sample per pixel).
    pub fn new(params: RenderParams) -> Self {
        let colorizer = Colorizer::new(&params);
        let rgba = vec![0; params.width as usize * params.height as usize * 4];
        Self {
            params,
            colorizer,
            samples: Vec::new(),
            band_rgba: Vec::new(),
            rgba,
            next_row: 0,
            ms_per_row: 0.0,
        }
    }

    pub fn params(&self) -> &RenderParams {
        &self.params
    }

    pub fn is_done(&self) -> bool {
        self.next_row >= self.params.height
    }

    /// The finished image, RGBA row-major (complete once [`Self::is_done`]).
    pub fn rgba(&self) -> &[u8] {
        &self.rgba
    }

    /// Computes bands until `budget_ms` has passed by `now` (at least one band per call).
    pub fn step(&mut self, source: &mut CpuSource, budget_ms: f64, now: &dyn Fn() -> f64) {
        let started = now();
        while !self.is_done() {
            let spent = now() - started;
            if spent >= budget_ms {
                return;
            }
            let rows = if self.ms_per_row > 0.0 {
                ((budget_ms - spent) / self.ms_per_row).floor().max(1.0) as u32
            } else {
                FIRST_BAND_ROWS
            };
            let rows = rows.min(self.params.height - self.next_row);
            let band_started = now();
            self.compute_band(source, rows);
            let per_row = (now() - band_started) / f64::from(rows);
            // Smoothed, so one slow band does not make the next ones tiny.
            self.ms_per_row = if self.ms_per_row > 0.0 {
                0.5 * (self.ms_per_row + per_row)
            } else {
                per_row
            };
        }
    }

    fn compute_band(&mut self, source: &mut CpuSource, rows: u32) {
        let band = Band {
            y0: self.next_row,
            rows,
        };
        render_band(
            source,
            &self.colorizer,
            &self.params,
            band,
            &mut self.samples,
            &mut self.band_rgba,
        );
        let start = self.next_row as usize * self.params.width as usize * 4;
        self.rgba[start..start + self.band_rgba.len()].copy_from_slice(&self.band_rgba);
        self.next_row += rows;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preview::{PreviewRenderer, preview_params};

    #[test]
    fn band_by_band_equals_the_whole_image_at_once() {
        let view = RenderParams {
            max_iter: 100,
            ..RenderParams::default()
        };
        let params = preview_params(&view, (64, 48));
        let mut whole = PreviewRenderer::default();
        let expected = whole.render(&params).to_vec();
        let mut image = ProgressiveImage::new(params);
        let mut source = CpuSource::new();
        // A clock that advances 1 ms per reading: a few rows per step.
        let clock = std::cell::Cell::new(0.0);
        let now = || {
            clock.set(clock.get() + 1.0);
            clock.get()
        };
        let mut steps = 0;
        while !image.is_done() {
            image.step(&mut source, 4.0, &now);
            steps += 1;
        }
        assert!(steps > 1, "the image was cut into slices");
        assert_eq!(image.rgba(), expected.as_slice());
    }
}
