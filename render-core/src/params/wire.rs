//! The JSON form of `RenderParams`: coordinates as numbers or decimal strings, integers as JSON
//! Schema reads them, unknown fields refused, every field defaulted.

use std::fmt;

use serde::de::{Error, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{ColourMapping, Complex, Coord, ExactCoords, OutputFormat, Precision, RenderParams};
use crate::decimal::Decimal;
use crate::palette::Palette;
use crate::validate::MIN_VIEW_WIDTH;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(super) struct WireParams {
    #[serde(deserialize_with = "crate::whole_number::deserialize")]
    width: u32,
    #[serde(deserialize_with = "crate::whole_number::deserialize")]
    height: u32,
    c: WireComplex,
    center: WireComplex,
    view_width: WireReal,
    #[serde(deserialize_with = "crate::whole_number::deserialize")]
    max_iter: u32,
    escape_radius: f64,
    palette: Palette,
    #[serde(deserialize_with = "crate::whole_number::deserialize")]
    supersample: u32,
    precision: Precision,
    format: OutputFormat,
    // Written only when not the default, so every earlier job's JSON (and PNG chunk) is unchanged.
    #[serde(skip_serializing_if = "is_default_mapping")]
    colour_mapping: ColourMapping,
    #[serde(skip_serializing_if = "is_zero")]
    colour_offset: f64,
}

fn is_default_mapping(m: &ColourMapping) -> bool {
    *m == ColourMapping::default()
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireComplex {
    re: WireReal,
    im: WireReal,
}

/// A coordinate as written: a JSON number, or a decimal string of any precision.
enum WireReal {
    Number(f64),
    Text(Decimal),
}

impl Default for WireParams {
    fn default() -> Self {
        RenderParams::default().into()
    }
}

impl From<WireParams> for RenderParams {
    fn from(w: WireParams) -> Self {
        let mut exact = ExactCoords::default();
        let mut real = |coord: Coord, value: WireReal| match value {
            WireReal::Number(x) => x,
            WireReal::Text(d) => {
                let x = d.to_f64();
                // A width the f64 paths refuse is only meaningful as a decimal (deep zoom).
                let below_f64_range = coord == Coord::ViewWidth && x < MIN_VIEW_WIDTH;
                exact.set(coord, d, below_f64_range);
                x
            }
        };
        let c = Complex::new(real(Coord::CRe, w.c.re), real(Coord::CIm, w.c.im));
        let center = Complex::new(
            real(Coord::CenterRe, w.center.re),
            real(Coord::CenterIm, w.center.im),
        );
        let view_width = real(Coord::ViewWidth, w.view_width);
        RenderParams {
            width: w.width,
            height: w.height,
            c,
            center,
            view_width,
            max_iter: w.max_iter,
            escape_radius: w.escape_radius,
            palette: w.palette,
            supersample: w.supersample,
            precision: w.precision,
            format: w.format,
            colour_mapping: w.colour_mapping,
            colour_offset: w.colour_offset,
            exact,
        }
    }
}

impl From<RenderParams> for WireParams {
    fn from(p: RenderParams) -> Self {
        let real = |coord: Coord| match p.exact.get(coord, coord.f64_in(&p)) {
            Some(d) => WireReal::Text(d.clone()),
            None => WireReal::Number(coord.f64_in(&p)),
        };
        WireParams {
            width: p.width,
            height: p.height,
            c: WireComplex {
                re: real(Coord::CRe),
                im: real(Coord::CIm),
            },
            center: WireComplex {
                re: real(Coord::CenterRe),
                im: real(Coord::CenterIm),
            },
            view_width: real(Coord::ViewWidth),
            max_iter: p.max_iter,
            escape_radius: p.escape_radius,
            palette: p.palette,
            supersample: p.supersample,
            precision: p.precision,
            format: p.format,
            colour_mapping: p.colour_mapping,
            colour_offset: p.colour_offset,
        }
    }
}

impl Serialize for WireReal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            WireReal::Number(x) => s.serialize_f64(*x),
            WireReal::Text(d) => s.serialize_str(d.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for WireReal {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RealVisitor)
    }
}

struct RealVisitor;

impl Visitor<'_> for RealVisitor {
    type Value = WireReal;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a number or a decimal string")
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<WireReal, E> {
        Ok(WireReal::Number(v))
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<WireReal, E> {
        Ok(WireReal::Number(v as f64))
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<WireReal, E> {
        Ok(WireReal::Number(v as f64))
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<WireReal, E> {
        Decimal::parse(v)
            .map(WireReal::Text)
            .map_err(|err| E::custom(format!("the decimal string {err}")))
    }
}
