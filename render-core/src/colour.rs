//! Colouring: escape value → palette position → linear-light supersample average → sRGB RGBA8.
//!
//! The smooth value is the continuous escape count `mu = n + 1 - log2(ln|z_n| / ln R)`. The
//! default mapping (`smooth`) takes it to the palette by `t = log2(mu + 1) / log2(max_iter + 1)`:
//! the logarithm spreads the few iterations most of the plane needs and the hundreds the filaments
//! need over the whole palette, whatever `max_iter` is. `cyclic` repeats the palette every
//! `CYCLE_LENGTH` iterations of `mu`; `linear`, `log` and `histogram` map the integer count through
//! a table built from the whole image's counts ([`ImageStats`]). Everything per pixel is table
//! lookups and a fast `log2`.

mod fast_log;
mod image_stats;
mod maps;
mod palette_data;
mod stored_source;
mod transfer;

use crate::escape::EscapeSample;
use crate::palette::Palette;
use crate::par::for_each_chunk;
use crate::params::{CYCLE_LENGTH, ColourMapping, RenderParams};
pub use image_stats::ImageStats;
pub use stored_source::{StoredEscapes, StoredEscapesError};
use transfer::{Encoder, srgb_to_linear, to_u8};

/// Entries of the palette lookup tables: 16 per palette step, so interpolation is smooth.
const LUT_SIZE: usize = 4096;

/// Turns escape samples into RGBA pixels for one render's parameters.
pub struct Colorizer {
    width: usize,
    supersample: usize,
    max_iter: u32,
    /// `1 + log2(log2 R)`: subtracting it from `log2(log2 |z|^2)` gives `log2(ln|z| / ln R)`.
    nu_offset: f32,
    /// `1 / log2(max_iter + 1)`.
    t_scale: f32,
    /// The palette in linear light (supersample averaging).
    lut_linear: Vec<[f32; 3]>,
    /// The same entries as sRGB RGBA8 (one sample per pixel needs no averaging).
    lut_srgb: Vec<[u8; 4]>,
    interior_linear: [f32; 3],
    interior_srgb: [u8; 4],
    encoder: Encoder,
    mapping: ColourMapping,
    /// `colour_offset` (cyclic only; 0 otherwise once normalised).
    offset: f32,
    /// The image-wide mappings' position of each count below `max_iter`; empty otherwise.
    positions_by_count: Vec<f32>,
}

impl Colorizer {
    /// A colourer for `params`. An image-wide mapping (`linear`, `log`, `histogram`) needs the
    /// image's counts: use [`Self::with_stats`]; here every count of such a mapping is at 0.
    pub fn new(params: &RenderParams) -> Self {
        Self::with_stats(params, &ImageStats::new(params.max_iter))
    }

    /// A colourer for `params` whose image-wide mapping uses `stats`, the counts of the whole
    /// image (ignored by `smooth` and `cyclic`).
    pub fn with_stats(params: &RenderParams, stats: &ImageStats) -> Self {
        let positions_by_count = if params.colour_mapping.needs_image_stats() {
            stats.positions_by_count(params.colour_mapping)
        } else {
            Vec::new()
        };
        let (lut_linear, lut_srgb) = palette_tables(params.palette);
        let interior = maps::interior(params.palette);
        let interior_srgb = [interior[0], interior[1], interior[2], 255];
        let log2_radius = (params.escape_radius as f32).log2();
        Self {
            width: params.width as usize,
            supersample: params.supersample as usize,
            max_iter: params.max_iter,
            nu_offset: 1.0 + log2_radius.log2(),
            t_scale: 1.0 / ((params.max_iter as f32) + 1.0).log2(),
            lut_linear,
            lut_srgb,
            interior_linear: interior.map(|c| srgb_to_linear(f32::from(c) / 255.0)),
            interior_srgb,
            encoder: Encoder::new(),
            mapping: params.colour_mapping,
            offset: params.colour_offset as f32,
            positions_by_count,
        }
    }

    /// The smooth escape value of a sample in `[0, 1]`, or `None` for interior points.
    #[inline(always)]
    pub fn palette_position(&self, s: EscapeSample) -> Option<f32> {
        let t = match self.mapping {
            ColourMapping::Smooth => self.smooth_position(s),
            ColourMapping::Cyclic => self.cyclic_position(s),
            _ => self.position_by_count(s),
        };
        (t >= 0.0).then_some(t)
    }

    /// The smooth value `mu` of an exterior sample.
    #[inline(always)]
    fn mu(&self, s: EscapeSample) -> f32 {
        // |z_n|^2 > R^2 >= 4, so both logarithms are of numbers above 1; the clamp keeps an
        // overflowed (infinite) norm finite.
        let log2_norm2 = fast_log::log2(s.norm2.clamp(4.0, f32::MAX));
        let nu = fast_log::log2(log2_norm2) - self.nu_offset;
        (s.count as f32 + 1.0 - nu).max(0.0)
    }

    /// The `smooth` mapping without a branch (so a row of them vectorises): interior points
    /// give `-1`, as in every `*_position`.
    #[inline(always)]
    fn smooth_position(&self, s: EscapeSample) -> f32 {
        let t = (fast_log::log2(self.mu(s) + 1.0) * self.t_scale).clamp(0.0, 1.0);
        if s.count >= self.max_iter { -1.0 } else { t }
    }

    #[inline(always)]
    fn cyclic_position(&self, s: EscapeSample) -> f32 {
        let cycles = self.mu(s) / CYCLE_LENGTH + self.offset;
        let t = (cycles - cycles.floor()).clamp(0.0, 1.0);
        if s.count >= self.max_iter { -1.0 } else { t }
    }

    #[inline(always)]
    fn position_by_count(&self, s: EscapeSample) -> f32 {
        match self.positions_by_count.get(s.count as usize) {
            Some(t) if s.count < self.max_iter => *t,
            _ => -1.0,
        }
    }

    /// Palette positions of a run of samples, the mapping chosen once per run.
    fn positions(&self, samples: &[EscapeSample], out: &mut [f32]) {
        let pairs = out.iter_mut().zip(samples);
        match self.mapping {
            ColourMapping::Smooth => pairs.for_each(|(t, s)| *t = self.smooth_position(*s)),
            ColourMapping::Cyclic => pairs.for_each(|(t, s)| *t = self.cyclic_position(*s)),
            _ => pairs.for_each(|(t, s)| *t = self.position_by_count(*s)),
        }
    }

    #[inline(always)]
    fn lut_index(t: f32) -> usize {
        ((t * (LUT_SIZE - 1) as f32 + 0.5) as usize).min(LUT_SIZE - 1)
    }

    #[inline(always)]
    fn srgb(&self, t: f32) -> [u8; 4] {
        if t < 0.0 {
            self.interior_srgb
        } else {
            self.lut_srgb[Self::lut_index(t)]
        }
    }

    #[inline(always)]
    fn linear(&self, t: f32) -> [f32; 3] {
        if t < 0.0 {
            self.interior_linear
        } else {
            self.lut_linear[Self::lut_index(t)]
        }
    }

    /// Colours a band: `samples` holds `rows * supersample` sample rows of `width * supersample`
    /// samples; `rgba` is resized to `rows * width * 4` bytes. Rows are coloured in parallel.
    pub fn colour_band(&self, samples: &[EscapeSample], rows: u32, rgba: &mut Vec<u8>) {
        rgba.resize(rows as usize * self.width * 4, 0);
        self.colour_band_into(samples, rgba);
    }

    /// [`Self::colour_band`] into a slice of exactly `rows * width * 4` bytes (a part of a
    /// larger picture, coloured in place).
    pub fn colour_band_into(&self, samples: &[EscapeSample], rgba: &mut [u8]) {
        let ss = self.supersample;
        let sample_row = self.width * ss;
        let row_bytes = self.width * 4;
        // Enough rows per task that scheduling costs nothing next to the work.
        let rows_per_task = (16_384 / self.width.max(1)).max(1);
        for_each_chunk(rgba, rows_per_task * row_bytes, |task, out| {
            let mut positions = vec![0.0f32; ss * sample_row];
            for (r, out_row) in out.chunks_exact_mut(row_bytes).enumerate() {
                let row = task * rows_per_task + r;
                let first = row * ss * sample_row;
                self.positions(&samples[first..first + ss * sample_row], &mut positions);
                if ss == 1 {
                    for (px, t) in out_row.chunks_exact_mut(4).zip(&positions) {
                        px.copy_from_slice(&self.srgb(*t));
                    }
                } else {
                    self.average_row(&positions, out_row);
                }
            }
        });
    }

    /// One output row from the palette positions of its `ss` sample rows, averaging in linear
    /// light.
    fn average_row(&self, positions: &[f32], out_row: &mut [u8]) {
        let ss = self.supersample;
        let sample_row = self.width * ss;
        let inv = 1.0 / (ss * ss) as f32;
        for (i, px) in out_row.chunks_exact_mut(4).enumerate() {
            let mut acc = [0.0f32; 3];
            for sy in 0..ss {
                let base = sy * sample_row + i * ss;
                for t in &positions[base..base + ss] {
                    let c = self.linear(*t);
                    acc[0] += c[0];
                    acc[1] += c[1];
                    acc[2] += c[2];
                }
            }
            px[0] = self.encoder.encode(acc[0] * inv);
            px[1] = self.encoder.encode(acc[1] * inv);
            px[2] = self.encoder.encode(acc[2] * inv);
            px[3] = 255;
        }
    }
}

/// The palette resampled to `LUT_SIZE` entries (interpolated in sRGB between matplotlib's 256
/// entries, as matplotlib itself interpolates), in linear light and as sRGB8.
fn palette_tables(p: Palette) -> (Vec<[f32; 3]>, Vec<[u8; 4]>) {
    let table = maps::table(p);
    let srgb: Vec<[f32; 3]> = (0..LUT_SIZE)
        .map(|i| {
            let pos = i as f32 / (LUT_SIZE - 1) as f32 * 255.0;
            let lo = (pos as usize).min(254);
            let f = pos - lo as f32;
            let (a, b) = (table[lo], table[lo + 1]);
            [0, 1, 2].map(|k| (f32::from(a[k]) * (1.0 - f) + f32::from(b[k]) * f) / 255.0)
        })
        .collect();
    let linear = srgb.iter().map(|c| c.map(srgb_to_linear)).collect();
    let bytes = srgb
        .iter()
        .map(|c| [to_u8(c[0]), to_u8(c[1]), to_u8(c[2]), 255])
        .collect();
    (linear, bytes)
}
