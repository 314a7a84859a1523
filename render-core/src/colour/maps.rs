//! Palette colour data (sRGB, 0..1). TEMPORARY grey ramp until the matplotlib data lands.

use crate::palette::Palette;

pub fn sample(_p: Palette, t: f32) -> [f32; 3] {
    [t, t, t]
}

pub fn interior(_p: Palette) -> [f32; 3] {
    [0.0, 0.0, 0.0]
}
