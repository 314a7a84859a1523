//! Exponential-map (log-polar) strips for fast zoom videos (docs/DESIGN.md §8.4).
//!
//! A pure zoom (only `view_width` changes) shows the same picture at every scale, so instead of
//! rendering each frame, the plane around the centre is sampled once on a log-polar grid and every
//! frame is resampled from it. Sample `(row, col)` of the map is the point
//! `centre + r·e^{iθ}` with `θ = (col + ½)·Δ` and `ln r = ln r_outer − (row + ½)·Δ`, `Δ = 2π / angles`:
//! equal steps in `ln r` and `θ` make the cells square, so the grid's resolution at radius `r` is
//! `r·Δ` everywhere. `angles` is chosen so that this is one frame pixel at the outermost radius
//! (the half-diagonal of the widest frame), and any frame then finds at least one sample per pixel
//! at every radius. The escape rule is unchanged: each point is iterated as in docs/DESIGN.md §3.2.
//!
//! Rows come in strips of `rows_per_octave` rows, each spanning a factor of (about) 2 in radius, so
//! a frame needs only the dozen strips between its corners and its centre pixel, and a zoom renders
//! each strip once. The innermost frames' middle comes from one ordinary frame at the narrowest
//! width (the core) instead of strips shrinking towards one pixel; strips go down to the radius of
//! the core's inscribed circle. The geometry and the CPU kernel are here, so any back-end that can
//! iterate arbitrary points can render strips; [`resample`] makes frames from them.

mod mip;
pub mod resample;

use crate::escape::EscapeSample;
use crate::kernel::escape_points_f64;
use crate::par::for_each_row_piece;
use crate::params::{Precision, RenderParams};
use crate::stop::StopFlag;

/// Fewest points one task of a strip computes: a few rows' worth of SIMD batches.
const MIN_PIECE: usize = 512;

/// The log-polar grid of one zoom.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpMap {
    /// The zoom's parameters at its widest frame (size, centre, c, max_iter, palette).
    params: RenderParams,
    /// Narrowest frame's width: the core frame's.
    narrowest: f64,
    /// `ln` of the outermost radius, in the complex plane.
    ln_outer: f64,
    angles: u32,
    rows_per_octave: u32,
    octaves: u32,
}

impl ExpMap {
    /// The grid for frames of `params`' size, centre, c and colours, from view width `widest`
    /// down to `narrowest`. `None` when the zoom cannot use it: the widths are not finite and
    /// positive, the frames are supersampled (the map samples each frame pixel about once), or the
    /// narrowest frame needs deep precision (the map's points are f64).
    pub fn new(params: &RenderParams, widest: f64, narrowest: f64) -> Option<ExpMap> {
        if !(narrowest > 0.0 && widest >= narrowest && widest.is_finite())
            || params.supersample != 1
        {
            return None;
        }
        let core = RenderParams {
            view_width: narrowest,
            ..params.clone()
        };
        if core.resolved_precision() == Precision::Deep {
            return None;
        }
        let (w, h) = (f64::from(params.width), f64::from(params.height));
        let half_diagonal_px = 0.5 * (w * w + h * h).sqrt();
        let angles = (std::f64::consts::TAU * half_diagonal_px).ceil().max(8.0) as u32;
        let step = std::f64::consts::TAU / f64::from(angles);
        let rows_per_octave = (std::f64::consts::LN_2 / step).round().max(1.0) as u32;
        let ln_outer = (widest / w * half_diagonal_px).ln();
        // Strips reach the core's inscribed circle, a pixel inside its edge.
        let inner_px = (w.min(h) / 2.0 - 1.0).max(0.5);
        let ln_inner = (narrowest / w * inner_px).ln();
        let rows = ((ln_outer - ln_inner) / step).ceil().max(1.0);
        let octaves = (rows / f64::from(rows_per_octave)).ceil() as u32;
        Some(ExpMap {
            params: params.normalized(),
            narrowest,
            ln_outer,
            angles,
            rows_per_octave,
            octaves,
        })
    }

    /// Samples around the circle: the width of every strip.
    pub fn angles(&self) -> u32 {
        self.angles
    }

    pub fn rows_per_octave(&self) -> u32 {
        self.rows_per_octave
    }

    /// Strips from the outermost radius to the core.
    pub fn octaves(&self) -> u32 {
        self.octaves
    }

    /// Samples in one strip.
    pub fn strip_len(&self) -> usize {
        self.angles as usize * self.rows_per_octave as usize
    }

    /// The step in `ln r` and in `θ` between neighbouring samples.
    pub fn step(&self) -> f64 {
        std::f64::consts::TAU / f64::from(self.angles)
    }

    /// The ordinary frame the innermost frames' middle is resampled from.
    pub fn core_params(&self) -> RenderParams {
        RenderParams {
            view_width: self.narrowest,
            ..self.params.clone()
        }
    }

    /// The parameters every strip shares (the frame size, centre, c, colours).
    pub fn params(&self) -> &RenderParams {
        &self.params
    }

    /// The point of sample `col` of map row `row` (rows count from the outermost, over all
    /// strips), as offsets from the centre and the centre itself (so callers can add them in
    /// the precision they iterate in).
    pub fn point(&self, row: u64, col: u32) -> (f64, f64) {
        let step = self.step();
        let r = (self.ln_outer - (row as f64 + 0.5) * step).exp();
        let theta = (f64::from(col) + 0.5) * step;
        let (sin, cos) = theta.sin_cos();
        (
            self.params.center.re + r * cos,
            self.params.center.im + r * sin,
        )
    }

    /// Escape samples of strip `octave` into `out` (`strip_len` of them, row-major, outermost
    /// row first), on the CPU, rows in parallel. Returns early, partly filled, once `stop` is
    /// raised.
    pub fn compute_strip(&self, octave: u32, out: &mut [EscapeSample], stop: &StopFlag) {
        let row_len = self.angles as usize;
        let first_row = u64::from(octave) * u64::from(self.rows_per_octave);
        let r2 = self.params.escape_radius * self.params.escape_radius;
        let (c_re, c_im, max_iter) = (self.params.c.re, self.params.c.im, self.params.max_iter);
        let piece_len = (crate::cpu::MAX_PIECE_WORK / u64::from(max_iter.max(1))) as usize;
        let piece_len = piece_len.max(MIN_PIECE).min(row_len);
        let strip = &mut out[..self.strip_len()];
        // `point` without its per-sample transcendentals: every row shares the angles' sines and
        // cosines, every sample of a row its radius (the same values, so the same points).
        let step = self.step();
        let unit: Vec<(f64, f64)> = (0..self.angles)
            .map(|col| ((f64::from(col) + 0.5) * step).sin_cos())
            .collect();
        let centre = self.params.center;
        for_each_row_piece(strip, row_len, piece_len, |r, x0, piece| {
            if stop.is_stopped() {
                return;
            }
            let row = first_row + r as u64;
            let radius = (self.ln_outer - (row as f64 + 0.5) * step).exp();
            let (xs, ys): (Vec<f64>, Vec<f64>) = unit[x0..x0 + piece.len()]
                .iter()
                .map(|&(sin, cos)| (centre.re + radius * cos, centre.im + radius * sin))
                .unzip();
            escape_points_f64(&xs, &ys, c_re, c_im, max_iter, r2, piece);
        });
    }

    /// Strip `octave` coloured with the zoom's palette: `angles × rows_per_octave` RGBA8 pixels.
    pub fn render_strip(&self, octave: u32, stop: &StopFlag) -> Vec<u8> {
        let mut samples = vec![EscapeSample::default(); self.strip_len()];
        self.compute_strip(octave, &mut samples, stop);
        let colorizer = crate::Colorizer::new(&RenderParams {
            width: self.angles,
            supersample: 1,
            ..self.params.clone()
        });
        let mut rgba = Vec::new();
        colorizer.colour_band(&samples, self.rows_per_octave, &mut rgba);
        rgba
    }

    /// The map row (continuous, over all strips) at radius `e^{ln_r}`.
    fn row_at(&self, ln_r: f64) -> f64 {
        (self.ln_outer - ln_r) / self.step() - 0.5
    }
}

#[cfg(test)]
mod tests;
