//! `ExactCoords`: the decimals of the coordinates an f64 does not carry exactly.
//!
//! Each decimal is kept beside its field's f64 (the nearest f64 to it) and counts only while the
//! field still holds that f64: code that sets `center.re` to a new f64 (the UI's drag, a test's
//! struct update) thereby drops a stale decimal instead of rendering a place it no longer means.

use crate::decimal::Decimal;
use crate::params::RenderParams;

/// One of the five coordinates that may be given as a decimal string.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Coord {
    CRe,
    CIm,
    CenterRe,
    CenterIm,
    ViewWidth,
}

impl Coord {
    pub const ALL: [Coord; 5] = [
        Coord::CRe,
        Coord::CIm,
        Coord::CenterRe,
        Coord::CenterIm,
        Coord::ViewWidth,
    ];

    /// The field's dotted path, as errors name it.
    pub const fn field(self) -> &'static str {
        match self {
            Coord::CRe => "c.re",
            Coord::CIm => "c.im",
            Coord::CenterRe => "center.re",
            Coord::CenterIm => "center.im",
            Coord::ViewWidth => "view_width",
        }
    }

    /// The field's f64 in `p`.
    pub fn f64_in(self, p: &RenderParams) -> f64 {
        match self {
            Coord::CRe => p.c.re,
            Coord::CIm => p.c.im,
            Coord::CenterRe => p.center.re,
            Coord::CenterIm => p.center.im,
            Coord::ViewWidth => p.view_width,
        }
    }
}

/// Decimals of the coordinates, where an f64 would lose digits; `None` where the f64 is exact.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExactCoords {
    values: [Option<Decimal>; 5],
}

impl ExactCoords {
    /// The decimal for `coord` if one is kept and still belongs to the field's f64 `value`.
    pub fn get(&self, coord: Coord, value: f64) -> Option<&Decimal> {
        self.values[coord as usize]
            .as_ref()
            .filter(|d| d.to_f64() == value)
    }

    /// Keeps `decimal` for `coord` unless an f64 carries it exactly (then the f64 alone is the
    /// value, so `0.5` and `"0.5"` give equal parameters). `keep_anyway` keeps it even then: a
    /// `view_width` below the f64 paths' range is only valid as a decimal.
    pub fn set(&mut self, coord: Coord, decimal: Decimal, keep_anyway: bool) {
        self.values[coord as usize] = (keep_anyway || !decimal.is_f64()).then_some(decimal);
    }

    /// Only the decimals that still belong to `p`'s fields.
    pub fn consistent_with(&self, p: &RenderParams) -> ExactCoords {
        let mut out = ExactCoords::default();
        for coord in Coord::ALL {
            out.values[coord as usize] = self.get(coord, coord.f64_in(p)).cloned();
        }
        out
    }

    /// The kept decimals that belong to `p`, in [`Coord::ALL`] order.
    pub fn present<'a>(
        &'a self,
        p: &'a RenderParams,
    ) -> impl Iterator<Item = (Coord, &'a Decimal)> {
        Coord::ALL
            .into_iter()
            .filter_map(move |coord| self.get(coord, coord.f64_in(p)).map(|d| (coord, d)))
    }
}
