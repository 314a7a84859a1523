//! Frames from the exponential map: each frame column's and row's ring once per video, then per
//! frame a bilinear walk along the rings, or along two blended rows of the core frame inside its
//! rectangle.
//!
//! A frame of pixel step `σ_f` sees the pixel at `t` of the way from its centre to its edge
//! (`t = |dx|/a` in the left and right edges' sectors, `|dy|/b` in the top and bottom ones) on
//! the ring of scale `t·σ_f`, so the pixel's ring row is `(ln σ_top − ln σ_f)/step − ln t/step`:
//! a per-frame shift plus a constant shared by its whole frame column (left and right sectors)
//! or frame row (top and bottom sectors); and its place along the ring is linear in its row or
//! column, the same in every frame. So a frame picks each column's and row's two neighbouring
//! rings once, then walks each run of pixels along them at a constant step (`ring_run.rs`).
//! The strips come from a [`StripSet`] (`strip_set.rs`), which holds only those the current
//! frame touches.

use std::ops::Range;

use super::mip::LEVELS;
use super::ring_run;
pub use super::strip_set::StripSet;
use super::{ExpMap, Side};
use crate::par::for_each_chunk;

/// Opaque black, where a frame reads a strip that is not there.
const BLACK: u32 = u32::from_le_bytes([0, 0, 0, 255]);

/// Frame rows one parallel task of [`Resampler::frame`] covers: the length of its runs down
/// frame columns.
const BLOCK_ROWS: usize = 48;

/// Texels of the blended rings one parallel task blends.
const BLEND_PIECE: usize = 32 * 1024;

/// Each frame column's and row's ring, computed once for a frame size.
pub struct Resampler {
    width: u32,
    height: u32,
    /// The ring of each frame column, for its pixels in the left or right edge's sector.
    column_rings: Vec<Ring>,
    /// The ring of each frame row, for its pixels in the top or bottom edge's sector.
    row_rings: Vec<Ring>,
    /// Per frame row: the columns in the top or bottom edge's sector (the middle of the row).
    vertical_sector: Vec<Range<usize>>,
    /// Per frame column: the rows in the left or right edge's sector (the middle of the column).
    horizontal_sector: Vec<Range<usize>>,
    /// Per edge kind (left-and-right, top-and-bottom): the smallest and largest level-0 row
    /// offset (`−ln t / step`) its pixels read.
    row_span: [(f64, f64); 2],
    /// The start of each read ring's blend in a frame's buffer of them (columns' rings, then
    /// rows'), with the ring's index in that order, by start.
    blend_starts: Vec<(usize, usize)>,
    /// The buffer of blended rings, kept from frame to frame (its pages stay mapped and warm).
    blended: Vec<u32>,
}

/// The ring a frame column or row reads: the plane (side and mip level), its row offset in rows
/// of that level (shifted per frame), and its pixels' places along the ring, in texels of the
/// padded rows (`mip.rs`), `along.0 · k + along.1` for the pixel in frame row or column `k`.
#[derive(Clone, Default)]
struct Ring {
    /// `side * LEVELS + level`.
    plane: u8,
    level_row: f64,
    along: (f64, f64),
    /// Where its blended row lies in a frame's buffer of them (empty where no pixel reads it).
    blend: Range<usize>,
}

impl Ring {
    /// The side and mip level of its plane.
    fn plane(&self) -> (Side, usize) {
        let plane = usize::from(self.plane);
        (Side::ALL[plane / LEVELS], plane % LEVELS)
    }

    /// The pixels `run` (frame rows or columns along this ring) into `out`: a walk along the
    /// ring's blend in `blended`, the frame's buffer of them.
    fn walk(&self, blended: &[u32], run: &Range<usize>, out: &mut [u32]) {
        let start = self.along.0 * run.start as f64 + self.along.1;
        ring_run::walk(&blended[self.blend.clone()], start, self.along.0, out);
    }

    /// The ring of pixels at `t` on `side` whose place along the edge (−1 to 1) is
    /// `along_per_pixel · (k + ½ − half)` for frame row or column `k`, `half` being half the
    /// frame's extent that way.
    fn new(map: &ExpMap, side: Side, t: f64, along_per_pixel: f64, half: f64) -> Ring {
        let edge = map.edge(side);
        // Texels of level l are 2^l·t of a pixel wide here; the level nearest one texel a
        // pixel (0.71 to 1.41 wide), as a GPU picks its mip level. Measured on a 640×360 zoom
        // to 1e-8: frames differ from 4×4-supersampled renders by 1.84 per channel on average,
        // against 1.91 with the finer level (0.5 to 1 wide), whose blend also costs more, and
        // 2.82 for plain 1-sample renders.
        let level = (((1.0 / t).log2() + 0.5).floor().max(0.0) as usize).min(LEVELS - 1);
        let cell = f64::from(1u32 << level);
        // The texel of place u along the edge: (u + 1)/2 · samples / cell − ½, plus the padding.
        let texels_per_along = f64::from(edge.samples) / (2.0 * cell);
        let slope = along_per_pixel * texels_per_along;
        Ring {
            plane: (side as usize * LEVELS + level) as u8,
            level_row: -t.ln() / edge.step() / cell,
            along: (slope, (0.5 - half) * slope + texels_per_along + 0.5),
            blend: 0..0,
        }
    }
}

/// The core frame: an ordinary render at the zoom's narrowest width.
pub struct Core<'a> {
    pub rgba: &'a [u8],
    pub view_width: f64,
}

impl Resampler {
    pub fn new(map: &ExpMap) -> Resampler {
        let (width, height) = (map.params.width as usize, map.params.height as usize);
        let (a, b) = (width as f64 / 2.0, height as f64 / 2.0);
        // The left and right edges' sectors: |dx|/a ≥ |dy|/b; each sector's pixels in a frame
        // row or column are a run in its middle.
        let mut horizontal = vec![(usize::MAX, 0); width];
        let mut vertical_sector = Vec::with_capacity(height);
        for j in 0..height {
            let dy = b - j as f64 - 0.5;
            let mut middle = (usize::MAX, 0);
            for (i, column) in horizontal.iter_mut().enumerate() {
                let dx = i as f64 + 0.5 - a;
                if dx == 0.0 && dy == 0.0 {
                    // The middle pixel of an odd-sized frame is in every frame's core.
                    continue;
                }
                if dx.abs() * b >= dy.abs() * a {
                    *column = (column.0.min(j), j + 1);
                } else {
                    middle = (middle.0.min(i), i + 1);
                }
            }
            vertical_sector.push(middle.0.min(middle.1)..middle.1);
        }
        let horizontal_sector: Vec<Range<usize>> = horizontal
            .iter()
            .map(|&(first, end)| first.min(end)..end)
            .collect();
        let mut row_span = [(f64::INFINITY, f64::NEG_INFINITY); 2];
        let mut widen = |fan: usize, side: Side, t: f64| {
            let row = -t.ln() / map.edge(side).step();
            row_span[fan] = (row_span[fan].0.min(row), row_span[fan].1.max(row));
        };
        // Columns: along = dy/(t·b) = −(j + ½ − b)/(t·b); rows: along = dx/(t·a).
        let column_rings = (0..width)
            .map(|i| {
                let dx = i as f64 + 0.5 - a;
                let side = if dx >= 0.0 { Side::Right } else { Side::Left };
                let t = (dx.abs() / a).max(1e-9);
                if !horizontal_sector[i].is_empty() {
                    widen(0, side, t);
                }
                Ring::new(map, side, t, -1.0 / (t * b), b)
            })
            .collect();
        let row_rings = (0..height)
            .map(|j| {
                let dy = b - j as f64 - 0.5;
                let side = if dy >= 0.0 { Side::Top } else { Side::Bottom };
                let t = (dy.abs() / b).max(1e-9);
                if !vertical_sector[j].is_empty() {
                    widen(1, side, t);
                }
                Ring::new(map, side, t, 1.0 / (t * a), a)
            })
            .collect();
        let mut resampler = Resampler {
            width: width as u32,
            height: height as u32,
            column_rings,
            row_rings,
            vertical_sector,
            horizontal_sector,
            row_span,
            blend_starts: Vec::new(),
            blended: Vec::new(),
        };
        // Each ring some pixel reads gets room for its blend: its level's padded row.
        let read = (resampler.horizontal_sector.iter()).chain(&resampler.vertical_sector);
        let read: Vec<bool> = read.map(|run| !run.is_empty()).collect();
        let rings = (resampler.column_rings.iter_mut()).chain(&mut resampler.row_rings);
        let mut end = 0;
        for (index, (ring, read)) in rings.zip(read).enumerate() {
            if read {
                let (side, level) = ring.plane();
                let texels = (map.edge(side).samples >> level) as usize + 2;
                ring.blend = end..end + texels;
                resampler.blend_starts.push((end, index));
                end += texels;
            }
        }
        resampler.blended = vec![BLACK; end];
        resampler
    }

    /// Per edge kind: the level-0 ring row of `t = 1` in a frame of view width `view_width`.
    fn row_shift(&self, map: &ExpMap, view_width: f64) -> [f64; 2] {
        let ln_step = (view_width / f64::from(self.width)).ln();
        std::array::from_fn(|fan| (map.ln_top[fan] - ln_step) / map.edges[fan].step() - 0.5)
    }

    /// The strips a frame of width `view_width` reads (outside the core), outermost first.
    pub fn octaves_for(&self, map: &ExpMap, view_width: f64) -> std::ops::Range<u32> {
        let shift = self.row_shift(map, view_width);
        let (mut first, mut last) = (f64::INFINITY, f64::NEG_INFINITY);
        for ((shift, (low, high)), edge) in shift.iter().zip(self.row_span).zip(&map.edges) {
            if low > high {
                continue;
            }
            let rows = f64::from(edge.rows_per_octave);
            first = first.min(((shift + low - 1.0) / rows).floor());
            last = last.max(((shift + high + 1.0) / rows).floor() + 1.0);
        }
        let octaves = f64::from(map.octaves);
        let last = last.clamp(0.0, octaves);
        (first.clamp(0.0, last) as u32)..(last as u32)
    }

    /// Frame of width `view_width` into `rgba` (`width × height` RGBA8). Every strip
    /// [`Self::octaves_for`] names should be in `strips`; texels of strips not there read black.
    pub fn frame(
        &mut self,
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
        // Each ring the frame reads: its two neighbouring rows (padded, black where a strip is
        // missing) and the weight of the lower. Rows count over the frame's strips, from the
        // first; the ring row of `t = 1` in level l is `(shift + ½)/2^l − ½`.
        let black =
            vec![BLACK; map.edges.iter().map(|e| e.samples).max().unwrap_or(1) as usize + 2];
        let row_of = |side: Side, level: usize, row: usize| -> &[u32] {
            let edge = map.edge(side);
            let per_strip = (edge.rows_per_octave >> level) as usize;
            let octave = octaves.start + (row / per_strip) as u32;
            match strips.get(octave) {
                Some(strip) if octaves.contains(&octave) => {
                    strip.level(side, level).row(row % per_strip)
                }
                _ => &black[..(edge.samples >> level) as usize + 2],
            }
        };
        let pairs: Vec<(&[u32], &[u32], u32)> = (self.column_rings.iter())
            .chain(&self.row_rings)
            .map(|ring| {
                let (side, level) = ring.plane();
                let edge = map.edge(side);
                let per_strip = (edge.rows_per_octave >> level) as usize;
                let rows = (octaves.len() * per_strip).max(2);
                let cell = f64::from(1u32 << level);
                let first = (octaves.start as usize * per_strip) as f64;
                let y = ((shift[side.kind()] + 0.5) / cell - 0.5 - first + ring.level_row).max(0.0);
                // `y ≥ 0`: truncation is the floor.
                let index = (y as usize).min(rows - 2);
                let weight = ((y - index as f64).min(1.0) * 256.0) as u32;
                (
                    row_of(side, level, index),
                    row_of(side, level, index + 1),
                    weight,
                )
            })
            .collect();
        // Blended once per frame, in parallel pieces of the buffer (a piece may hold the end of
        // one ring and the start of the next).
        let starts = &self.blend_starts;
        let rings: Vec<&Ring> = self.column_rings.iter().chain(&self.row_rings).collect();
        for_each_chunk(&mut self.blended, BLEND_PIECE, |piece, out| {
            let piece_start = piece * BLEND_PIECE;
            let mut owner = starts.partition_point(|&(start, _)| start <= piece_start) - 1;
            let mut at = piece_start;
            while at < piece_start + out.len() {
                let (start, index) = starts[owner];
                let ring_end = rings[index].blend.end;
                let end = ring_end.min(piece_start + out.len());
                let (upper, lower, weight) = pairs[index];
                let (from, to) = (at - start, end - start);
                ring_run::blend_rows(
                    &upper[from..to],
                    &lower[from..to],
                    weight,
                    &mut out[at - piece_start..end - piece_start],
                );
                at = end;
                owner += 1;
            }
        });
        // The core's pixels per frame pixel; frame pixels inside the core's edge pixels' centres
        // (a rectangle of columns and rows) read the core.
        let scale = view_width / core.view_width;
        let (a, b) = (w as f64 / 2.0, h as f64 / 2.0);
        let inside_core = |half: f64, pixels: usize| {
            let reach = (half - 0.5) / scale;
            let first = ((half - 0.5) - reach).ceil().max(0.0) as usize;
            let last = ((half - 0.5) + reach).floor().min(pixels as f64 - 1.0);
            first..(last.max(-1.0) + 1.0) as usize
        };
        let (core_columns, core_rows) = (inside_core(a, w), inside_core(b, h));
        let row_bytes = w * 4;
        let (this, blended) = (&*self, &self.blended);
        for_each_chunk(rgba, row_bytes * BLOCK_ROWS, |chunk_index, out| {
            let first_row = chunk_index * BLOCK_ROWS;
            let rows = first_row..first_row + out.len() / row_bytes;
            let mut run_texels = vec![0u32; w.max(BLOCK_ROWS)];
            // Top and bottom sectors: along each frame row's ring.
            for j in rows.clone() {
                let line = &mut out[(j - first_row) * row_bytes..][..row_bytes];
                let core = if core_rows.contains(&j) {
                    core_columns.clone()
                } else {
                    0..0
                };
                let ring = &this.row_rings[j];
                for run in outside(this.vertical_sector[j].clone(), core) {
                    let texels = &mut run_texels[..run.len()];
                    ring.walk(blended, &run, texels);
                    put_pixels(line, run, texels);
                }
            }
            // Left and right sectors: down each frame column's ring.
            for (i, ring) in this.column_rings.iter().enumerate() {
                let sector = &this.horizontal_sector[i];
                let sector = sector.start.max(rows.start)..sector.end.min(rows.end);
                let core = if core_columns.contains(&i) {
                    core_rows.clone()
                } else {
                    0..0
                };
                for run in outside(sector, core) {
                    let texels = &mut run_texels[..run.len()];
                    ring.walk(blended, &run, texels);
                    for (j, texel) in run.zip(texels.iter()) {
                        let at = (j - first_row) * row_bytes + i * 4;
                        out[at..at + 4].copy_from_slice(&texel.to_le_bytes());
                    }
                }
            }
            // The core: per frame row, its two neighbouring core rows blended, then a walk
            // along them, as for a ring (places in core pixels, linear in the frame column).
            let mut core_row = vec![BLACK; w + 1];
            for j in core_rows.start.max(rows.start)..core_rows.end.min(rows.end) {
                let y = (j as f64 + 0.5 - b) * scale + b - 0.5;
                // `y ≥ 0` inside the core: truncation is the floor.
                let y0 = (y.max(0.0) as usize).min(h - 1);
                let weight = (((y - y0 as f64) * 256.0) as u32).min(256);
                let core_texels = |row: usize| {
                    core.rgba[row.min(h - 1) * row_bytes..][..row_bytes]
                        .chunks_exact(4)
                        .map(|px| u32::from_le_bytes([px[0], px[1], px[2], px[3]]))
                };
                for ((texel, upper), lower) in core_row
                    .iter_mut()
                    .zip(core_texels(y0))
                    .zip(core_texels(y0 + 1))
                {
                    *texel = ring_run::lerp(upper, lower, weight);
                }
                // A copy of the last texel, so a place on the last pixel's centre has a right
                // neighbour.
                core_row[w] = core_row[w - 1];
                let run = core_columns.clone();
                let texels = &mut run_texels[..run.len()];
                let start = (run.start as f64 + 0.5 - a) * scale + a - 0.5;
                ring_run::walk(&core_row, start, scale, texels);
                put_pixels(&mut out[(j - first_row) * row_bytes..], run, texels);
            }
        });
    }
}

/// `texels` into the pixels `run` of a frame row starting at `line`.
fn put_pixels(line: &mut [u8], run: Range<usize>, texels: &[u32]) {
    let pixels = line[run.start * 4..run.end * 4].chunks_exact_mut(4);
    for (px, texel) in pixels.zip(texels) {
        px.copy_from_slice(&texel.to_le_bytes());
    }
}

/// The parts of `run` outside `hole`: before it and after it.
fn outside(run: Range<usize>, hole: Range<usize>) -> [Range<usize>; 2] {
    if hole.is_empty() {
        return [run, 0..0];
    }
    [
        run.start..run.end.min(hole.start).max(run.start),
        run.start.max(hole.end).min(run.end)..run.end,
    ]
}
