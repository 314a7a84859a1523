//! Frames from the exponential map: each pixel's radius and angle once per video, then per frame
//! a bilinear lookup in (ln r, θ) among the strips, or in the core frame inside its rectangle.
//!
//! A frame of view width `w` sees pixel offset `d` (pixels from the image centre) at radius
//! `|d|·w/width`, so its map row is `row(ln|d|) + ln(width_max/w)/Δ`: a per-pixel constant plus
//! a per-frame shift. [`StripSet`] keeps only the strips the current frame touches (about a dozen,
//! whatever the zoom's depth), rendering missing ones on demand.

use std::collections::BTreeMap;

use super::ExpMap;
use crate::par::for_each_chunk;

/// Each pixel's place in the map, computed once for a frame size.
pub struct Resampler {
    width: u32,
    height: u32,
    /// Per pixel, row-major: `ln|d| / Δ` (the row offset) and the column `θ/Δ − ½`.
    polar: Vec<(f32, f32)>,
    /// Smallest and largest `ln|d| / Δ` over the frame.
    row_span: (f64, f64),
}

/// The strips a zoom has rendered and still needs, by octave.
#[derive(Default)]
pub struct StripSet {
    strips: BTreeMap<u32, Vec<u8>>,
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
        let mut polar = Vec::with_capacity(width as usize * height as usize);
        let mut row_span = (f64::INFINITY, f64::NEG_INFINITY);
        for j in 0..height {
            let dy = f64::from(height) / 2.0 - f64::from(j) - 0.5;
            for i in 0..width {
                let dx = f64::from(i) + 0.5 - f64::from(width) / 2.0;
                let ln_r = 0.5 * (dx * dx + dy * dy).ln() / step;
                let theta = dy.atan2(dx).rem_euclid(std::f64::consts::TAU);
                polar.push((ln_r as f32, (theta / step - 0.5) as f32));
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
        let angles = map.angles as usize;
        let row_range = (
            octaves.start as usize * rpo,
            (octaves.end as usize * rpo).max(1) - 1,
        );
        let rows: Vec<Option<&[u8]>> = (0..octaves.end)
            .map(|o| strips.strips.get(&o).map(Vec::as_slice))
            .collect();
        let map_row = |row: usize| -> &[u8] {
            if row_range.0 > row_range.1 {
                return &[];
            }
            let row = row.clamp(row_range.0, row_range.1);
            let strip = rows[row / rpo].unwrap_or(&[]);
            let start = (row % rpo) * angles * 4;
            strip.get(start..start + angles * 4).unwrap_or(&[])
        };
        // Core pixels per frame pixel, and the core's half-size less the bilinear margin.
        let scale = view_width / core.view_width;
        let (half_w, half_h) = (w as f64 / 2.0, h as f64 / 2.0);
        let row_bytes = w * 4;
        for_each_chunk(rgba, row_bytes * 8, |chunk_index, out| {
            for (k, px) in out.chunks_exact_mut(4).enumerate() {
                let index = chunk_index * w * 8 + k;
                let (i, j) = (index % w, index / w);
                let cx = (i as f64 + 0.5 - half_w) * scale;
                let cy = (j as f64 + 0.5 - half_h) * scale;
                if cx.abs() <= half_w - 0.5 && cy.abs() <= half_h - 0.5 {
                    px.copy_from_slice(&bilinear_core(
                        core.rgba,
                        w,
                        cx + half_w - 0.5,
                        cy + half_h - 0.5,
                    ));
                    continue;
                }
                let (ln_r, col) = self.polar[index];
                let row = (shift - f64::from(ln_r)).max(0.0);
                let (r0, fr) = (row.floor() as usize, row.fract() as f32);
                let (c0, fc) = (col.floor(), col - col.floor());
                let c0 = (c0 as i64).rem_euclid(angles as i64) as usize;
                let c1 = (c0 + 1) % angles;
                let (top, bottom) = (map_row(r0), map_row(r0 + 1));
                px.copy_from_slice(&blend(
                    [
                        texel(top, c0),
                        texel(top, c1),
                        texel(bottom, c0),
                        texel(bottom, c1),
                    ],
                    fc,
                    fr,
                ));
            }
        });
    }
}

impl StripSet {
    /// Makes `strips` hold exactly the strips `needed`: drops the others and renders the
    /// missing ones with `render` (octave → RGBA strip).
    pub fn keep<E>(
        &mut self,
        needed: std::ops::Range<u32>,
        mut render: impl FnMut(u32) -> Result<Vec<u8>, E>,
    ) -> Result<(), E> {
        self.strips.retain(|octave, _| needed.contains(octave));
        for octave in needed {
            if let std::collections::btree_map::Entry::Vacant(slot) = self.strips.entry(octave) {
                slot.insert(render(octave)?);
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

fn texel(row: &[u8], col: usize) -> [u8; 4] {
    match row.get(col * 4..col * 4 + 4) {
        Some(px) => [px[0], px[1], px[2], px[3]],
        None => [0, 0, 0, 255],
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
    let (x0, y0) = (x.floor().max(0.0) as usize, y.floor().max(0.0) as usize);
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
