//! The named palettes a render can use. Their colour data lives in `colour`; this is the name list
//! shared by the API (`GET /api/info`), the UI's select box and the hash.

use serde::{Deserialize, Serialize};

/// A named colour map.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Palette {
    #[serde(rename = "nipy_spectral")]
    NipySpectral,
    #[serde(rename = "cubehelix")]
    Cubehelix,
    #[serde(rename = "Oranges")]
    Oranges,
    #[serde(rename = "gnuplot")]
    Gnuplot,
    #[serde(rename = "terrain")]
    Terrain,
    #[serde(rename = "ocean")]
    Ocean,
    #[serde(rename = "viridis")]
    Viridis,
    #[serde(rename = "magma")]
    Magma,
    #[serde(rename = "turbo")]
    Turbo,
    #[serde(rename = "twilight")]
    #[default]
    Twilight,
}

impl Palette {
    /// Every palette, in the order the UI lists them.
    pub const ALL: [Palette; 10] = [
        Palette::Twilight,
        Palette::Viridis,
        Palette::Magma,
        Palette::Turbo,
        Palette::NipySpectral,
        Palette::Cubehelix,
        Palette::Oranges,
        Palette::Gnuplot,
        Palette::Terrain,
        Palette::Ocean,
    ];

    /// The JSON name (matplotlib's name for the same colour map).
    pub const fn name(self) -> &'static str {
        match self {
            Palette::NipySpectral => "nipy_spectral",
            Palette::Cubehelix => "cubehelix",
            Palette::Oranges => "Oranges",
            Palette::Gnuplot => "gnuplot",
            Palette::Terrain => "terrain",
            Palette::Ocean => "ocean",
            Palette::Viridis => "viridis",
            Palette::Magma => "magma",
            Palette::Turbo => "turbo",
            Palette::Twilight => "twilight",
        }
    }

    pub fn from_name(name: &str) -> Option<Palette> {
        Palette::ALL.into_iter().find(|p| p.name() == name)
    }
}
