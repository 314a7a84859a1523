//! Frames from the exponential map: each pixel's radius and angle once per video, then per frame
//! a bilinear lookup in (ln r, θ) among the strips, or in the core frame inside its rectangle.
//!
//! A frame of view width `w` sees pixel offset `d` (pixels from the image centre) at radius
//! `|d|·w/width`, so its map row is `row(ln|d|) + ln(width_max/w)/Δ`: a per-pixel constant plus
//! a per-frame shift. [`StripSet`] keeps only the strips the current frame touches (about a dozen,
//! whatever the zoom's depth), rendering missing ones on demand.

use std::collections::BTreeMap;

use super::ExpMap;
use super::mip::{LEVELS, MipStrip};
use crate::par::for_each_chunk;

/// Each pixel's place in the map, computed once for a frame size.
pub struct Resampler {
    width: u32,
    height: u32,
    /// Per pixel, row-major.
    polar: Vec<PolarPixel>,
    /// Smallest and largest `ln|d| / Δ` over the frame.
    row_span: (f64, f64),
}

/// Where a pixel reads the map: `ln|d| / Δ` (the row offset in level-0 rows, shifted per
/// frame), its mip level (`mip.rs`), and its two neighbouring columns of that level around
/// `θ/(Δ·2^level) − ½` with the weight of the second; all but the shift the same in every frame.
#[derive(Clone, Copy)]
struct PolarPixel {
    ln_r: f32,
    col_weight: f32,
    col0: u32,
    col1: u32,
    level: u8,
}

/// The strips a zoom has rendered and still needs, by octave.
#[derive(Default)]
pub struct StripSet {
    strips: BTreeMap<u32, MipStrip>,
}

/// The core frame: an ordinary render at the zoom's narrowest width.
pub struct Core<'a> {
    pub rgba: &'a [u8],
    pub view_width: f64,
}

impl Resampler {
    pub fn new(map: &ExpMap) -> Resampler {
        let (width, height) = (map.params.width, map.params.height);
        let step = map.step();
        let angles = i64::from(map.angles);
        let mut polar = Vec::with_capacity(width as usize * height as usize);
        let mut row_span = (f64::INFINITY, f64::NEG_INFINITY);
        for j in 0..height {
            let dy = f64::from(height) / 2.0 - f64::from(j) - 0.5;
            for i in 0..width {
                let dx = f64::from(i) + 0.5 - f64::from(width) / 2.0;
                let ln_r = 0.5 * (dx * dx + dy * dy).ln() / step;
                let theta = dy.atan2(dx).rem_euclid(std::f64::consts::TAU);
                // Map cells per pixel here: ρ_max/ρ, with ρ_max = 1/Δ.
                let oversampling = 1.0 / (step * (dx * dx + dy * dy).sqrt());
                let level = (oversampling.log2().floor().max(0.0) as usize).min(LEVELS - 1);
                let cols = angles >> level;
                let col = (theta / std::f64::consts::TAU * cols as f64 - 0.5) as f32;
                let col0 = (col.floor() as i64).rem_euclid(cols);
                polar.push(PolarPixel {
                    ln_r: ln_r as f32,
                    col_weight: col - col.floor(),
                    col0: col0 as u32,
                    col1: ((col0 + 1) % cols) as u32,
                    level: level as u8,
                });
                row_span = (row_span.0.min(ln_r), row_span.1.max(ln_r));
            }
        }
        Resampler {
            width,
            height,
            polar,
            row_span,
        }
    }

    /// The map row of pixel offset 1 (ln|d| = 0) in a frame of view width `view_width`.
    fn row_shift(&self, map: &ExpMap, view_width: f64) -> f64 {
        map.row_at((view_width / f64::from(self.width)).ln())
    }

    /// The strips a frame of width `view_width` reads (outside the core), outermost first.
    pub fn octaves_for(&self, map: &ExpMap, view_width: f64) -> std::ops::Range<u32> {
        let shift = self.row_shift(map, view_width);
        let rpo = f64::from(map.rows_per_octave);
        let first = ((shift - self.row_span.1 - 1.0) / rpo).floor().max(0.0);
        let last = ((shift - self.row_span.0 + 1.0) / rpo).floor() + 1.0;
        let last = last.min(f64::from(map.octaves));
        (first.min(last) as u32)..(last as u32)
    }

    /// Frame of width `view_width` into `rgba` (`width × height` RGBA8). Every strip
    /// [`Self::octaves_for`] names must be in `strips`; rows of strips not there read as the
    /// nearest row that is.
    pub fn frame(
        &self,
        map: &ExpMap,
        strips: &StripSet,
        core: &Core<'_>,
        view_width: f64,
        rgba: &mut Vec<u8>,
    ) {
        let (w, h) = (self.width as usize, self.height as usize);
        rgba.resize(w * h * 4, 0);
        let shift = self.row_shift(map, view_width);
        let octaves = self.octaves_for(map, view_width);
        let rpo = map.rows_per_octave as usize;
        let row_range = (
            octaves.start as usize * rpo,
            (octaves.end as usize * rpo).max(1) - 1,
        );
        // The strips by octave (missing ones read black), and where a map row of a level
        // (clamped to the range) lies in them.
        let by_octave: Vec<Option<&MipStrip>> =
            (0..octaves.end).map(|o| strips.strips.get(&o)).collect();
        let no_rows = row_range.0 > row_range.1;
        let texel = |level: usize, (octave, within): (usize, usize), col: usize| -> [u8; 4] {
            match by_octave.get(octave).copied().flatten() {
                Some(strip) if !no_rows => {
                    strip.texel(level, col, within).unwrap_or([0, 0, 0, 255])
                }
                _ => [0, 0, 0, 255],
            }
        };
        // The texels above and below level-0 map row `row` (continuous, ≥ 0) in `level`, as
        // (octave, row within the strip), and the weight of the lower one. Rows outside the
        // frame's strips read the nearest row of the first or last.
        let (first_octave, last_octave) = (octaves.start as usize, octaves.end.max(1) as usize - 1);
        let places = |level: usize, row: f64| {
            let per_strip = rpo >> level;
            if no_rows || per_strip == 0 {
                return ((0, 0), (0, 0), 0.0);
            }
            let octave = (row as usize / rpo).clamp(first_octave, last_octave);
            let within = ((row - (octave * rpo) as f64 + 0.5) / f64::from(1u32 << level) - 0.5)
                .clamp(0.0, (per_strip - 1) as f64 + 1.0);
            let r0 = (within as usize).min(per_strip - 1);
            let weight = (within - r0 as f64).min(1.0) as f32;
            let top = (octave, r0);
            let bottom = if r0 + 1 < per_strip {
                (octave, r0 + 1)
            } else if octave < last_octave {
                (octave + 1, 0)
            } else {
                top
            };
            if row < (first_octave * rpo) as f64 {
                return ((first_octave, 0), (first_octave, 0), 0.0);
            }
            (top, bottom, weight)
        };
        // Core pixels per frame pixel, and the core's half-size less the bilinear margin.
        let scale = view_width / core.view_width;
        let (half_w, half_h) = (w as f64 / 2.0, h as f64 / 2.0);
        let row_bytes = w * 4;
        // Blocks of 8 rows by 16 columns: a block reads a compact patch of the map, so its
        // texels stay in cache (row by row, neighbouring pixels read map rows a strip row apart).
        for_each_chunk(rgba, row_bytes * BLOCK_ROWS, |chunk_index, out| {
            let rows_here = out.len() / row_bytes;
            for i0 in (0..w).step_by(BLOCK_COLUMNS) {
                let i1 = (i0 + BLOCK_COLUMNS).min(w);
                for r in 0..rows_here {
                    let j = chunk_index * BLOCK_ROWS + r;
                    let cy = (j as f64 + 0.5 - half_h) * scale;
                    let in_core_rows = cy.abs() <= half_h - 0.5;
                    let line = &mut out[r * row_bytes + i0 * 4..r * row_bytes + i1 * 4];
                    let polar = &self.polar[j * w + i0..j * w + i1];
                    for (i, (px, p)) in (i0..).zip(line.chunks_exact_mut(4).zip(polar)) {
                        let cx = (i as f64 + 0.5 - half_w) * scale;
                        if in_core_rows && cx.abs() <= half_w - 0.5 {
                            px.copy_from_slice(&bilinear_core(
                                core.rgba,
                                w,
                                cx + half_w - 0.5,
                                cy + half_h - 0.5,
                            ));
                            continue;
                        }
                        let level = usize::from(p.level);
                        let row = (shift - f64::from(p.ln_r)).max(0.0);
                        let (top, bottom, fr) = places(level, row);
                        let (c0, c1) = (p.col0 as usize, p.col1 as usize);
                        px.copy_from_slice(&blend(
                            [
                                texel(level, top, c0),
                                texel(level, top, c1),
                                texel(level, bottom, c0),
                                texel(level, bottom, c1),
                            ],
                            p.col_weight,
                            fr,
                        ));
                    }
                }
            }
        });
    }
}

/// Frame rows and columns one cache-friendly block of [`Resampler::frame`] covers.
const BLOCK_ROWS: usize = 8;
const BLOCK_COLUMNS: usize = 16;

impl StripSet {
    /// Makes `strips` hold exactly the strips `needed`: drops the others and renders the
    /// missing ones with `render` (octave → RGBA strip).
    ///
    /// Strips are kept as mipmaps (`mip.rs`).
    pub fn keep<E>(
        &mut self,
        map: &ExpMap,
        needed: std::ops::Range<u32>,
        mut render: impl FnMut(u32) -> Result<Vec<u8>, E>,
    ) -> Result<(), E> {
        self.strips.retain(|octave, _| needed.contains(octave));
        for octave in needed {
            if let std::collections::btree_map::Entry::Vacant(slot) = self.strips.entry(octave) {
                let strip = render(octave)?;
                slot.insert(MipStrip::new(
                    &strip,
                    map.angles as usize,
                    map.rows_per_octave as usize,
                ));
            }
        }
        Ok(())
    }

    /// Strips held now (memory: each is `angles × rows_per_octave × 4` bytes).
    pub fn len(&self) -> usize {
        self.strips.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strips.is_empty()
    }
}

/// Bilinear blend of `[top-left, top-right, bottom-left, bottom-right]`.
fn blend(q: [[u8; 4]; 4], fx: f32, fy: f32) -> [u8; 4] {
    let mut out = [0u8; 4];
    for (k, o) in out.iter_mut().enumerate() {
        let top = f32::from(q[0][k]) * (1.0 - fx) + f32::from(q[1][k]) * fx;
        let bottom = f32::from(q[2][k]) * (1.0 - fx) + f32::from(q[3][k]) * fx;
        *o = (top * (1.0 - fy) + bottom * fy + 0.5) as u8;
    }
    out
}

/// The core frame (`width` pixels wide) at pixel coordinates `(x, y)`, both inside its edge
/// pixels' centres.
fn bilinear_core(rgba: &[u8], width: usize, x: f64, y: f64) -> [u8; 4] {
    // Truncation of the non-negative coordinates is their floor (and clamps below at 0).
    let (x0, y0) = (x.max(0.0) as usize, y.max(0.0) as usize);
    let at = |i: usize, j: usize| -> [u8; 4] {
        let i = i.min(width - 1);
        let start = (j * width + i) * 4;
        match rgba.get(start..start + 4) {
            Some(px) => [px[0], px[1], px[2], px[3]],
            None => [0, 0, 0, 255],
        }
    };
    let (fx, fy) = ((x - x0 as f64) as f32, (y - y0 as f64) as f32);
    let height = rgba.len() / 4 / width.max(1);
    let y1 = (y0 + 1).min(height.saturating_sub(1));
    blend(
        [at(x0, y0), at(x0 + 1, y0), at(x0, y1), at(x0 + 1, y1)],
        fx,
        fy,
    )
}
