//! Palette lookup: which generated colour table and interior colour belong to a palette.

use super::palette_data as data;
use crate::palette::Palette;

/// The 256 sRGB entries of `p`, from dark/low (index 0) to high (index 255).
pub(super) fn table(p: Palette) -> &'static [[u8; 3]; 256] {
    match p {
        Palette::NipySpectral => &data::NIPY_SPECTRAL,
        Palette::Cubehelix => &data::CUBEHELIX,
        Palette::Oranges => &data::ORANGES,
        Palette::Gnuplot => &data::GNUPLOT,
        Palette::Terrain => &data::TERRAIN,
        Palette::Ocean => &data::OCEAN,
        Palette::Viridis => &data::VIRIDIS,
        Palette::Magma => &data::MAGMA,
        Palette::Turbo => &data::TURBO,
        Palette::Twilight => &data::TWILIGHT,
    }
}

/// The sRGB colour of points that never escape.
pub(super) fn interior(p: Palette) -> [u8; 3] {
    match p {
        Palette::NipySpectral => data::NIPY_SPECTRAL_INTERIOR,
        Palette::Cubehelix => data::CUBEHELIX_INTERIOR,
        Palette::Oranges => data::ORANGES_INTERIOR,
        Palette::Gnuplot => data::GNUPLOT_INTERIOR,
        Palette::Terrain => data::TERRAIN_INTERIOR,
        Palette::Ocean => data::OCEAN_INTERIOR,
        Palette::Viridis => data::VIRIDIS_INTERIOR,
        Palette::Magma => data::MAGMA_INTERIOR,
        Palette::Turbo => data::TURBO_INTERIOR,
        Palette::Twilight => data::TWILIGHT_INTERIOR,
    }
}
