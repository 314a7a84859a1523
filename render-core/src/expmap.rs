//! Exponential-map strips for fast zoom videos (docs/DESIGN.md §8.4).
//!
//! A pure zoom (only `view_width` changes) shows the same picture at every scale, so instead of
//! rendering each frame, the plane around the centre is sampled once on a grid that is
//! exponential in scale, and every frame is resampled from it. The grid is made of rings shaped
//! like the frame: the ring of scale `σ` (plane units per frame pixel) is the edge of the frame
//! whose pixel step is `σ`, a rectangle `a·σ` by `b·σ` around the centre (`a`, `b`: half the
//! frame's width and height in pixels). Each edge is sampled at (at most) one pixel apart and
//! rings follow each other at (at most) one pixel apart in `ln σ`, so the frame whose edge a ring
//! is sees it at one sample per pixel, and every other frame, which sees the ring inside its edge,
//! at more. That is exactly the density a frame needs, which a log-polar grid (equal steps in
//! `ln r` and angle, circles around the frame) exceeds by 1.8× along the frame's axes.
//!
//! The rings' four edges make four [`Edge`] planes: the left and right edges (rows of `H`
//! samples, one ring per `1/a` in `ln σ`) and the top and bottom edges (rows of `W` samples,
//! one ring per `1/b`), each a picture whose row is the ring and whose column the place along the
//! edge. Rows come in strips of one octave of scale; a frame needs only the dozen strips between
//! its edge and its centre pixel, and a zoom renders each strip once. The innermost frames'
//! middle comes from one ordinary frame at the narrowest width (the core) instead of strips
//! shrinking towards one pixel. The escape rule is unchanged: each point is iterated as in
//! docs/DESIGN.md §3.2. The geometry and the CPU kernel are here; [`resample`] makes frames.

mod mip;
pub mod resample;
mod ring_run;
mod strip_set;

use crate::escape::EscapeSample;
use crate::kernel::escape_points_f64;
use crate::par::for_each_row_piece;
use crate::params::{Precision, RenderParams};
use crate::stop::StopFlag;

/// Fewest points one task of a strip computes: a few rows' worth of SIMD batches.
const MIN_PIECE: usize = 512;

/// Samples along an edge and rows per octave are multiples of this, so every mip level
/// (`mip.rs`) halves them exactly.
const GRAIN: u32 = 1 << (mip::LEVELS - 1);

/// The four edges of a ring, in the order of a strip's planes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Right,
    Left,
    Top,
    Bottom,
}

impl Side {
    pub const ALL: [Side; 4] = [Side::Right, Side::Left, Side::Top, Side::Bottom];

    /// Left and right edges run along the frame's height; top and bottom along its width.
    fn is_vertical_edge(self) -> bool {
        matches!(self, Side::Right | Side::Left)
    }

    /// The index of its kind of edge in per-kind arrays: 0 left and right, 1 top and bottom.
    fn kind(self) -> usize {
        usize::from(!self.is_vertical_edge())
    }
}

/// One kind of edge plane: its samples along the edge and its rows (rings) per octave of scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Edge {
    pub samples: u32,
    pub rows_per_octave: u32,
    /// The frame's half-extent across this edge, in pixels (`a` for left and right, `b` for top
    /// and bottom): the ring's distance from the centre in frame pixels, at its own frame.
    half_across: f64,
    /// The frame's half-extent along this edge, in pixels.
    half_along: f64,
}

impl Edge {
    fn new(half_across: f64, half_along: f64) -> Edge {
        let round_up = |x: f64| (x / f64::from(GRAIN)).ceil().max(1.0) as u32 * GRAIN;
        Edge {
            samples: round_up(2.0 * half_along),
            rows_per_octave: round_up(std::f64::consts::LN_2 * half_across),
            half_across,
            half_along,
        }
    }

    /// The step in `ln σ` between rings.
    pub fn step(&self) -> f64 {
        std::f64::consts::LN_2 / f64::from(self.rows_per_octave)
    }

    /// Samples of one plane of one strip.
    pub fn plane_len(&self) -> usize {
        self.samples as usize * self.rows_per_octave as usize
    }

    /// The place along the edge of sample `col`, from -1 to 1 (bottom to top, left to right).
    fn along(&self, col: u32) -> f64 {
        (2.0 * f64::from(col) + 1.0) / f64::from(self.samples) - 1.0
    }
}

/// The ring grid of one zoom.
#[derive(Clone, Debug, PartialEq)]
pub struct ExpMap {
    /// The zoom's parameters at its widest frame (size, centre, c, max_iter, palette).
    params: RenderParams,
    /// Narrowest frame's width: the core frame's.
    narrowest: f64,
    /// `ln σ` above the first ring: the widest frame's pixel step, one ring step out, so the
    /// widest frame's edge pixels have rings on both sides.
    ln_top: [f64; 2],
    /// Left-and-right edges, top-and-bottom edges.
    edges: [Edge; 2],
    octaves: u32,
}

impl ExpMap {
    /// The grid for frames of `params`' size, centre, c and colours, from view width `widest`
    /// down to `narrowest`. `None` when the zoom cannot use it: the widths are not finite and
    /// positive, the frames are supersampled (the map samples each frame pixel about once), the
    /// colours depend on each frame's own counts (`linear`, `log`, `histogram`: a strip is not a
    /// frame), or the narrowest frame needs deep precision (the map's points are f64).
    pub fn new(params: &RenderParams, widest: f64, narrowest: f64) -> Option<ExpMap> {
        if !(narrowest > 0.0 && widest >= narrowest && widest.is_finite())
            || params.supersample != 1
            || params.colour_mapping.needs_image_stats()
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
        let (a, b) = (
            f64::from(params.width) / 2.0,
            f64::from(params.height) / 2.0,
        );
        let edges = [Edge::new(a, b), Edge::new(b, a)];
        let ln_widest_step = (widest / f64::from(params.width)).ln();
        let ln_top = edges.map(|e| ln_widest_step + e.step());
        // Rings reach the core frame's edge pixels (half a pixel inside its edge), and two steps
        // beyond so the bilinear blend there has both neighbours.
        let ln_core_step = (narrowest / f64::from(params.width)).ln();
        let ln_bottom = ln_core_step + (1.0 - 0.5 / a.min(b)).ln();
        let octaves = edges
            .iter()
            .zip(ln_top)
            .map(|(e, top)| ((top - ln_bottom + 2.0 * e.step()) / std::f64::consts::LN_2).ceil())
            .fold(1.0, f64::max) as u32;
        Some(ExpMap {
            params: params.normalized(),
            narrowest,
            ln_top,
            edges,
            octaves,
        })
    }

    /// The plane shape of `side`'s edge.
    pub fn edge(&self, side: Side) -> &Edge {
        &self.edges[side.kind()]
    }

    /// Strips from the widest frame's edge to the core.
    pub fn octaves(&self) -> u32 {
        self.octaves
    }

    /// Samples in one strip: its four planes, right, left, top, bottom.
    pub fn strip_len(&self) -> usize {
        2 * (self.edges[0].plane_len() + self.edges[1].plane_len())
    }

    /// Where `side`'s plane lies in a strip.
    fn plane_range(&self, side: Side) -> std::ops::Range<usize> {
        let (across_h, across_w) = (self.edges[0].plane_len(), self.edges[1].plane_len());
        let start = match side {
            Side::Right => 0,
            Side::Left => across_h,
            Side::Top => 2 * across_h,
            Side::Bottom => 2 * across_h + across_w,
        };
        start..start + self.edge(side).plane_len()
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

    /// `ln σ` of ring `row` (counted over all strips from the outermost) of `side`'s planes.
    fn ln_scale(&self, side: Side, row: u64) -> f64 {
        let kind = side.kind();
        self.ln_top[kind] - (row as f64 + 0.5) * self.edges[kind].step()
    }

    /// The point of sample `col` of ring `row` of `side`'s planes.
    pub fn point(&self, side: Side, row: u64, col: u32) -> (f64, f64) {
        let sigma = self.ln_scale(side, row).exp();
        let (across, along) = self.offsets(side, sigma);
        let edge = self.edge(side);
        let c = self.params.center;
        let t = edge.along(col) * along;
        if side.is_vertical_edge() {
            (c.re + across, c.im + t)
        } else {
            (c.re + t, c.im + across)
        }
    }

    /// The signed offset of `side`'s edge across it, and its half-length along it, at scale `σ`.
    fn offsets(&self, side: Side, sigma: f64) -> (f64, f64) {
        let edge = self.edge(side);
        let sign = if matches!(side, Side::Right | Side::Top) {
            1.0
        } else {
            -1.0
        };
        (sign * edge.half_across * sigma, edge.half_along * sigma)
    }

    /// Escape samples of strip `octave` into `out` (`strip_len` of them: the four planes, each
    /// row-major, outermost ring first), on the CPU, rows in parallel. Returns early, partly
    /// filled, once `stop` is raised.
    pub fn compute_strip(&self, octave: u32, out: &mut [EscapeSample], stop: &StopFlag) {
        let r2 = self.params.escape_radius * self.params.escape_radius;
        let (c_re, c_im, max_iter) = (self.params.c.re, self.params.c.im, self.params.max_iter);
        let centre = self.params.center;
        for side in Side::ALL {
            let edge = *self.edge(side);
            let row_len = edge.samples as usize;
            let piece_len = (crate::cpu::MAX_PIECE_WORK / u64::from(max_iter.max(1))) as usize;
            let piece_len = piece_len.max(MIN_PIECE).min(row_len);
            let plane = &mut out[self.plane_range(side)];
            let first_row = u64::from(octave) * u64::from(edge.rows_per_octave);
            // `point` without its per-sample exponential: a ring's samples share its scale.
            for_each_row_piece(plane, row_len, piece_len, |r, x0, piece| {
                if stop.is_stopped() {
                    return;
                }
                let sigma = self.ln_scale(side, first_row + r as u64).exp();
                let (across, along) = self.offsets(side, sigma);
                let ts = (x0..x0 + piece.len()).map(|col| edge.along(col as u32) * along);
                let (xs, ys): (Vec<f64>, Vec<f64>) = if side.is_vertical_edge() {
                    ts.map(|t| (centre.re + across, centre.im + t)).unzip()
                } else {
                    ts.map(|t| (centre.re + t, centre.im + across)).unzip()
                };
                escape_points_f64(&xs, &ys, c_re, c_im, max_iter, r2, piece);
            });
        }
    }

    /// Strip `octave` coloured with the zoom's palette: its four planes, RGBA8, in the layout of
    /// [`Self::compute_strip`].
    pub fn render_strip(&self, octave: u32, stop: &StopFlag) -> Vec<u8> {
        let mut samples = vec![EscapeSample::default(); self.strip_len()];
        self.compute_strip(octave, &mut samples, stop);
        let mut rgba = vec![0; samples.len() * 4];
        // One colouriser per edge kind: building one fills its palette tables.
        let colorizers = self.edges.map(|edge| {
            crate::Colorizer::new(&RenderParams {
                width: edge.samples,
                supersample: 1,
                ..self.params.clone()
            })
        });
        for side in Side::ALL {
            let colorizer = &colorizers[side.kind()];
            let plane = self.plane_range(side);
            colorizer.colour_band_into(
                &samples[plane.clone()],
                &mut rgba[plane.start * 4..plane.end * 4],
            );
        }
        rgba
    }
}

#[cfg(test)]
mod tests;
