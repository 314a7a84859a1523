//! Colouring: smooth escape value → palette → linear-light supersample average → sRGB RGBA8.

mod maps;

use crate::escape::EscapeSample;
use crate::palette::Palette;
use crate::params::RenderParams;

/// Entries of the palette lookup table.
const LUT_SIZE: usize = 1024;

/// Turns escape samples into RGBA pixels for one render's parameters.
pub struct Colorizer {
    width: usize,
    supersample: usize,
    max_iter: u32,
    log_radius: f32,
    log_scale: f32,
    /// Palette in linear light, `LUT_SIZE` entries.
    lut: Vec<[f32; 3]>,
    interior: [f32; 3],
}

impl Colorizer {
    pub fn new(params: &RenderParams) -> Self {
        let lut = (0..LUT_SIZE)
            .map(|i| {
                let t = i as f32 / (LUT_SIZE - 1) as f32;
                maps::sample(params.palette, t).map(srgb_to_linear)
            })
            .collect();
        Self {
            width: params.width as usize,
            supersample: params.supersample as usize,
            max_iter: params.max_iter,
            log_radius: (params.escape_radius as f32).ln(),
            log_scale: 1.0 / ((params.max_iter as f32) + 1.0).ln(),
            lut,
            interior: maps::interior(params.palette).map(srgb_to_linear),
        }
    }

    /// The smooth escape value of a sample in `[0, 1]`, or `None` for interior points.
    pub fn palette_position(&self, s: EscapeSample) -> Option<f32> {
        if s.count >= self.max_iter {
            return None;
        }
        // Continuous escape count: n + 1 - log2(ln|z_n| / ln R).
        let log_z = 0.5 * s.norm2.max(1e-30).ln();
        let nu = (log_z / self.log_radius).max(1e-30).log2();
        let mu = (s.count as f32 + 1.0 - nu).max(0.0);
        Some(((mu + 1.0).ln() * self.log_scale).clamp(0.0, 1.0))
    }

    fn linear_colour(&self, s: EscapeSample) -> [f32; 3] {
        match self.palette_position(s) {
            None => self.interior,
            Some(t) => self.lut[(t * (LUT_SIZE - 1) as f32).round() as usize],
        }
    }

    /// Colours a band: `samples` holds `rows * supersample` sample rows; `rgba` is resized to
    /// `rows * width * 4` bytes.
    pub fn colour_band(&self, samples: &[EscapeSample], rows: u32, rgba: &mut Vec<u8>) {
        let ss = self.supersample;
        let sample_row = self.width * ss;
        rgba.clear();
        rgba.reserve(rows as usize * self.width * 4);
        let inv = 1.0 / (ss * ss) as f32;
        for r in 0..rows as usize {
            for i in 0..self.width {
                let mut acc = [0.0f32; 3];
                for sy in 0..ss {
                    let base = (r * ss + sy) * sample_row + i * ss;
                    for s in &samples[base..base + ss] {
                        let c = self.linear_colour(*s);
                        acc[0] += c[0];
                        acc[1] += c[1];
                        acc[2] += c[2];
                    }
                }
                rgba.extend_from_slice(&[
                    linear_to_srgb8(acc[0] * inv),
                    linear_to_srgb8(acc[1] * inv),
                    linear_to_srgb8(acc[2] * inv),
                    255,
                ]);
            }
        }
    }
}

fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn linear_to_srgb8(c: f32) -> u8 {
    let c = c.clamp(0.0, 1.0);
    let s = if c <= 0.0031308 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    };
    (s * 255.0 + 0.5) as u8
}

#[allow(dead_code)]
fn _palette_is_used(p: Palette) -> &'static str {
    p.name()
}
