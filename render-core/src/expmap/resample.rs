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

/// Where a pixel reads the map: `ln|d| / (Δ·2^level)` (its row offset in rows of its level,
/// shifted per frame), its mip level (`mip.rs`), and its two neighbouring columns of that level
/// around `θ/(Δ·2^level) − ½` with the weight of the second; all but the shift the same in every
/// frame.
#[derive(Clone, Copy)]
struct PolarPixel {
    level_ln_r: f32,
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
                    level_ln_r: (ln_r / f64::from(1u32 << level)) as f32,
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
    /// [`Self::octaves_for`] names should be in `strips`; texels of strips not there read black.
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
        // Every level of every strip the frame reads (empty where a strip is missing: black),
        // and per level a table from its rows, counted over all strips from level-0 row
        // `row_range.0`, to (plane, row within it): rows outside the range read its first or last.
        let first_octave = octaves.start.min(octaves.end.saturating_sub(1)) as usize;
        let last_octave = octaves.end.max(1) as usize - 1;
        let planes: Vec<(&[u8], usize)> = (first_octave..=last_octave)
            .flat_map(|o| {
                let strip = strips.strips.get(&(o as u32));
                (0..LEVELS).map(move |level| strip.map_or((&[][..], 1), |s| s.level(level)))
            })
            .collect();
        let tables: [RowTable; LEVELS] = std::array::from_fn(|level| {
            RowTable::new(level, row_range, rpo, (first_octave, last_octave), &planes)
        });
        // Per level: the continuous row (of that level, from the table's first) of `ln|d| = 0`.
        let base: [f64; LEVELS] = std::array::from_fn(|level| {
            (shift + 0.5) / f64::from(1u32 << level) - 0.5 - tables[level].first as f64
        });
        // Core pixels per frame pixel, and the core's half-size less the bilinear margin.
        let scale = view_width / core.view_width;
        let (half_w, half_h) = (w as f64 / 2.0, h as f64 / 2.0);
        let row_bytes = w * 4;
        // Blocks of 8 rows by 16 columns: a block reads a compact patch of the map, so texels
        // read by one pixel are still in cache for its neighbours in both directions.
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
                        let (top, bottom, fr) =
                            tables[level].places(base[level] - f64::from(p.level_ln_r));
                        let (c0, c1) = (p.col0 as usize, p.col1 as usize);
                        px.copy_from_slice(&blend(
                            [
                                top.texel(c0),
                                top.texel(c1),
                                bottom.texel(c0),
                                bottom.texel(c1),
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

/// A map row of one level as the frame reads it: the plane (one level of one strip, empty where
/// the strip is missing), its rows per column, and the row.
#[derive(Clone, Copy)]
struct RowPlace<'a> {
    plane: &'a [u8],
    rows: usize,
    within: usize,
}

impl RowPlace<'_> {
    /// Texel `col` of this row (black where the strip is missing).
    #[inline]
    fn texel(self, col: usize) -> [u8; 4] {
        let start = (col * self.rows + self.within) * 4;
        match self.plane.get(start..start + 4) {
            Some(px) => [px[0], px[1], px[2], px[3]],
            None => [0, 0, 0, 255],
        }
    }
}

/// For one frame and one mip level, the place of every row of that level the frame can read.
struct RowTable<'a> {
    /// The level's row of `places[0]`.
    first: usize,
    places: Vec<RowPlace<'a>>,
}

impl<'a> RowTable<'a> {
    /// Rows of `level` covering level-0 rows `row_range` (inclusive), one beyond at each end,
    /// each placed by its centre: the strip holding it, and its row in that strip's level.
    fn new(
        level: usize,
        row_range: (usize, usize),
        rpo: usize,
        (first_octave, last_octave): (usize, usize),
        planes: &[(&'a [u8], usize)],
    ) -> RowTable<'a> {
        let no_rows = row_range.0 > row_range.1;
        let cell = f64::from(1u32 << level);
        let per_strip = (rpo >> level).max(1);
        let first = (row_range.0 >> level).saturating_sub(1);
        let last = (row_range.1.max(row_range.0) >> level) + 2;
        let places = (first..=last)
            .map(|row| {
                if no_rows {
                    return RowPlace {
                        plane: &[],
                        rows: 1,
                        within: 0,
                    };
                }
                let centre =
                    ((row as f64 + 0.5) * cell - 0.5).clamp(row_range.0 as f64, row_range.1 as f64);
                let octave = (centre as usize / rpo).clamp(first_octave, last_octave);
                let within = ((centre - (octave * rpo) as f64 + 0.5) / cell - 0.5)
                    .round()
                    .clamp(0.0, (per_strip - 1) as f64) as usize;
                let (plane, rows) = planes[(octave - first_octave) * LEVELS + level];
                RowPlace {
                    plane,
                    rows,
                    within,
                }
            })
            .collect();
        RowTable { first, places }
    }

    /// The rows above and below continuous row `y` (counted from `first`) and the weight of the
    /// lower one; rows beyond the table read its ends.
    #[inline]
    fn places(&self, y: f64) -> (RowPlace<'a>, RowPlace<'a>, f32) {
        let last = self.places.len() - 2;
        let y = y.max(0.0);
        // `y ≥ 0`: truncation is the floor, without a libm call.
        let index = (y as usize).min(last);
        let weight = (y - index as f64).min(1.0) as f32;
        (self.places[index], self.places[index + 1], weight)
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

/// Bilinear blend of `[top-left, top-right, bottom-left, bottom-right]`, in 8-bit fixed point
/// (weights to 1/256, rounded once at the end).
fn blend(q: [[u8; 4]; 4], fx: f32, fy: f32) -> [u8; 4] {
    let wx = (fx.clamp(0.0, 1.0) * 256.0 + 0.5) as u32;
    let wy = (fy.clamp(0.0, 1.0) * 256.0 + 0.5) as u32;
    std::array::from_fn(|k| {
        let top = u32::from(q[0][k]) * (256 - wx) + u32::from(q[1][k]) * wx;
        let bottom = u32::from(q[2][k]) * (256 - wx) + u32::from(q[3][k]) * wx;
        ((top * (256 - wy) + bottom * wy + (1 << 15)) >> 16) as u8
    })
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
