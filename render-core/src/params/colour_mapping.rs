//! How escape values become palette positions (docs/DESIGN.md §3.3): the default smooth
//! logarithmic mapping every existing job uses, and the alternatives a user can pick without
//! changing the escape data (`colour_mapping`, `colour_offset`).

use serde::{Deserialize, Serialize};

/// Escape value → palette position in `[0, 1]`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ColourMapping {
    /// The smooth escape value `mu` through `log2(mu + 1) / log2(max_iter + 1)`: independent of
    /// the rest of the image.
    #[default]
    Smooth,
    /// The escape count, linear between the image's smallest and largest exterior count.
    Linear,
    /// The escape count above the image's smallest, logarithmically over the image's range.
    Log,
    /// Histogram-equalised: the share of the image's exterior samples that escaped sooner.
    Histogram,
    /// The smooth escape value repeating every [`CYCLE_LENGTH`] iterations, shifted by
    /// `colour_offset` (a fraction of the cycle).
    Cyclic,
}

/// Iterations per palette cycle of the `cyclic` mapping.
pub const CYCLE_LENGTH: f32 = 32.0;

impl ColourMapping {
    /// Every mapping, in the order the UI lists them.
    pub const ALL: [ColourMapping; 5] = [
        ColourMapping::Smooth,
        ColourMapping::Linear,
        ColourMapping::Log,
        ColourMapping::Histogram,
        ColourMapping::Cyclic,
    ];

    /// The JSON name.
    pub const fn name(self) -> &'static str {
        match self {
            ColourMapping::Smooth => "smooth",
            ColourMapping::Linear => "linear",
            ColourMapping::Log => "log",
            ColourMapping::Histogram => "histogram",
            ColourMapping::Cyclic => "cyclic",
        }
    }

    pub fn from_name(name: &str) -> Option<ColourMapping> {
        ColourMapping::ALL.into_iter().find(|m| m.name() == name)
    }

    /// Whether a pixel's position depends on the whole image's counts (a first pass gathers
    /// them; see `colour::ImageStats`).
    pub const fn needs_image_stats(self) -> bool {
        matches!(
            self,
            ColourMapping::Linear | ColourMapping::Log | ColourMapping::Histogram
        )
    }

    /// Stable byte for the canonical hash.
    pub(crate) const fn hash_tag(self) -> u8 {
        match self {
            ColourMapping::Smooth => 0,
            ColourMapping::Linear => 1,
            ColourMapping::Log => 2,
            ColourMapping::Histogram => 3,
            ColourMapping::Cyclic => 4,
        }
    }
}
