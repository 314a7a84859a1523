//! Pixel mapping (docs/DESIGN.md §3): where in the complex plane each pixel, or sub-pixel sample, lies.
//!
//! Always computed in f64 in exactly the written order — `step` first, then the offset from the
//! image centre times `step`, then `+ center` — so every backend samples the same points.

use crate::params::{Complex, RenderParams};

/// The mapping from sample indices to points of the complex plane.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
    /// Samples per axis and pixel.
    pub supersample: u32,
    pub center: Complex,
    /// Width of one pixel in the complex plane.
    pub step: f64,
}

impl Viewport {
    pub fn new(p: &RenderParams) -> Self {
        Self {
            width: p.width,
            height: p.height,
            supersample: p.supersample,
            center: p.center,
            step: p.view_width / f64::from(p.width),
        }
    }

    /// Offset of sample `s` (0..supersample) inside its pixel, as a fraction of a pixel.
    /// With one sample per axis it is 0.5: the pixel centre.
    pub fn sub_offset(&self, s: u32) -> f64 {
        (f64::from(s) + 0.5) / f64::from(self.supersample)
    }

    /// Real part of sample column `sx` (pixel `sx / supersample`).
    pub fn sample_re(&self, sx: u32) -> f64 {
        let ss = self.supersample;
        let i = f64::from(sx / ss);
        self.center.re + (i + self.sub_offset(sx % ss) - f64::from(self.width) / 2.0) * self.step
    }

    /// Imaginary part of sample row `sy` (pixel row `sy / supersample`, row 0 at the top).
    pub fn sample_im(&self, sy: u32) -> f64 {
        let ss = self.supersample;
        let j = f64::from(sy / ss);
        self.center.im + (f64::from(self.height) / 2.0 - j - self.sub_offset(sy % ss)) * self.step
    }

    /// Sample columns across the whole image.
    pub fn sample_width(&self) -> u32 {
        self.width * self.supersample
    }

    /// Real parts of every sample column, the per-column table GPU and CPU kernels both read.
    pub fn column_re(&self) -> Vec<f64> {
        (0..self.sample_width())
            .map(|sx| self.sample_re(sx))
            .collect()
    }
}
