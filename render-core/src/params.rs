//! `RenderParams`: the one parameter type shared by the HTTP API, the CLI and the web UI (docs/DESIGN.md §3).
//!
//! Every field has a default, so a client may send only what it changes; unknown fields are rejected
//! so that a typo (`"max_iters"`) is an error instead of a silently ignored setting.

mod colour_mapping;
mod exact;
mod wire;

use serde::{Deserialize, Serialize};

pub use self::colour_mapping::{CYCLE_LENGTH, ColourMapping};
pub use self::exact::{Coord, ExactCoords};
use crate::decimal::Decimal;
use crate::palette::Palette;

/// A complex number as it appears in JSON: `{"re": .., "im": ..}`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Complex {
    /// real part (finite)
    pub re: f64,
    /// imaginary part (finite)
    pub im: f64,
}

impl Complex {
    pub const fn new(re: f64, im: f64) -> Self {
        Self { re, im }
    }
}

/// Arithmetic precision of the iteration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    F32,
    F64,
    /// Perturbation around an arbitrary-precision reference orbit, with extended-exponent deltas
    /// (`crate::deep`): any depth down to the smallest accepted `view_width`.
    Deep,
    /// The renderer picks the cheapest precision that resolves the pixel step.
    #[default]
    Auto,
}

/// What the render produces.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum OutputFormat {
    /// 8-bit RGBA colour image.
    #[default]
    Png,
    /// NumPy array of raw escape counts, `<u4`, shape (height, width).
    Npy,
}

impl OutputFormat {
    pub const fn extension(self) -> &'static str {
        match self {
            OutputFormat::Png => "png",
            OutputFormat::Npy => "npy",
        }
    }

    pub const fn mime_type(self) -> &'static str {
        match self {
            OutputFormat::Png => "image/png",
            OutputFormat::Npy => "application/octet-stream",
        }
    }
}

/// Everything that determines a rendered image.
///
/// In JSON, `c`, `center` and `view_width` are numbers or decimal strings (`params/wire.rs`); here
/// each is an f64 (the nearest one to the value given) plus, in [`ExactCoords`], the decimal
/// itself wherever an f64 does not carry it exactly. Only the deep path reads the decimals.
///
/// With the `openapi` feature the OpenAPI schema is derived from this struct: each field's doc
/// comment is its description and its `schema(..)` attribute states the bounds `validate` checks
/// (utoipa takes literals there; the server's tests check them against `validate`'s constants).
/// serde reads and writes the JSON through `WireParams`; the container and field attributes
/// besides `from`/`into` are there for the schema (additional properties refused, every field
/// optional, `exact` not on the wire).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(default, description = OPENAPI_DESCRIPTION))]
#[serde(
    from = "wire::WireParams",
    into = "wire::WireParams",
    deny_unknown_fields,
    default
)]
pub struct RenderParams {
    /// pixels, >= 1; width*height at most `x-max-pixels`, and width*height*supersample²*max_iter at most the server's max_work
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 65536, format = Int64))]
    pub width: u32,
    /// pixels, >= 1; width*height at most `x-max-pixels`
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 65536, format = Int64))]
    pub height: u32,
    /// the Julia constant c
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub c: Complex,
    /// centre of the view in the complex plane
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub center: Complex,
    /// width of the image in the complex plane; as a decimal string (deep zoom) down to 1e-2000
    #[cfg_attr(feature = "openapi", schema(minimum = 1e-290, maximum = 1e290))]
    pub view_width: f64,
    /// iteration limit
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 1_000_000, format = Int64))]
    pub max_iter: u32,
    /// finite, >= 2, <= 1e9
    #[cfg_attr(feature = "openapi", schema(minimum = 2.0, maximum = 1e9))]
    pub escape_radius: f64,
    /// colour map (png only)
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub palette: Palette,
    /// samples per axis and pixel (png only; npy needs 1)
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 4, format = Int64))]
    pub supersample: u32,
    /// iteration precision
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub precision: Precision,
    /// png: RGBA colour image; npy: <u4 escape counts
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub format: OutputFormat,
    /// how escape values map onto the palette (png only): smooth (default), linear, log,
    /// histogram or cyclic
    #[cfg_attr(feature = "openapi", schema(inline))]
    pub colour_mapping: ColourMapping,
    /// shift of the cyclic mapping, a fraction of one palette cycle (cyclic only)
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, exclusive_maximum = 1.0))]
    pub colour_offset: f64,
    /// The decimals of coordinates given with more digits (or less magnitude) than an f64 holds.
    #[serde(skip)]
    pub exact: ExactCoords,
}

/// The description of `RenderParams` in the OpenAPI document.
#[cfg(feature = "openapi")]
const OPENAPI_DESCRIPTION: &str = "Everything that determines a rendered image. Every field is \
    optional (defaults shown); unknown fields are rejected with 422. width*height must not exceed \
    `x-max-pixels`, this server's pixel limit; npy output needs supersample 1.";

impl Default for RenderParams {
    fn default() -> Self {
        Self {
            width: 1024,
            height: 768,
            c: Complex::new(-0.8, 0.156),
            center: Complex::new(0.0, 0.0),
            view_width: 3.0,
            max_iter: 500,
            escape_radius: 2.0,
            palette: Palette::default(),
            supersample: 1,
            precision: Precision::Auto,
            format: OutputFormat::Png,
            colour_mapping: ColourMapping::Smooth,
            colour_offset: 0.0,
            exact: ExactCoords::default(),
        }
    }
}

impl RenderParams {
    /// Total pixels, computed without overflow.
    pub fn pixel_count(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }

    /// Height of the image in the complex plane (square pixels).
    pub fn view_height(&self) -> f64 {
        self.view_width / f64::from(self.width) * f64::from(self.height)
    }

    /// The value of a coordinate as given: its decimal where one is kept, else its f64.
    pub fn decimal(&self, coord: Coord) -> Decimal {
        let value = match coord {
            Coord::CRe => self.c.re,
            Coord::CIm => self.c.im,
            Coord::CenterRe => self.center.re,
            Coord::CenterIm => self.center.im,
            Coord::ViewWidth => self.view_width,
        };
        self.exact.get(coord, value).cloned().unwrap_or_else(|| {
            Decimal::from_f64(value).unwrap_or_else(|_| Decimal::parse("0").expect("zero parses"))
        })
    }

    /// The precision the renderer will use: `auto` resolved to `f32`, `f64` or `deep`.
    ///
    /// `f32` is chosen when the pixel step stays at least 2^-14 of the largest coordinate magnitude
    /// in play, i.e. when f32's 24-bit mantissa still has ~10 bits to spare below one pixel. Below
    /// that, neighbouring pixels would start to share sample points and the iteration's error growth
    /// would show as blocks, so `f64` is used, down to a step of 2^-51 of that magnitude (two ulps
    /// of it: where f64 stops separating neighbouring pixels, the bound f64 renders had before deep
    /// zoom existed, so every view f64 rendered still renders, and hashes, as before). Below it,
    /// `deep`.
    pub fn resolved_precision(&self) -> Precision {
        match self.precision {
            Precision::F32 | Precision::F64 | Precision::Deep => self.precision,
            Precision::Auto => {
                let step = self.view_width / f64::from(self.width);
                let half_h = self.view_height() / 2.0;
                let magnitude = (self.center.re.abs() + self.view_width / 2.0)
                    .max(self.center.im.abs() + half_h)
                    .max(self.c.re.abs().max(self.c.im.abs()))
                    .max(self.escape_radius)
                    .max(1.0);
                let r2_fits_f32 = self.escape_radius * self.escape_radius <= f64::from(f32::MAX);
                if r2_fits_f32 && step >= magnitude * (2.0f64).powi(-14) {
                    Precision::F32
                } else if step >= magnitude * (2.0f64).powi(-51) {
                    Precision::F64
                } else {
                    Precision::Deep
                }
            }
        }
    }

    /// The canonical form: `auto` precision resolved, negative zeros made positive, and fields that
    /// cannot change the output (the palette and mapping of an `npy` render; the offset of any
    /// mapping but `cyclic`; the decimals, unless the deep path reads them) set to their defaults. Equal normalised parameters always produce equal output
    /// bytes.
    pub fn normalized(&self) -> RenderParams {
        fn clean(x: f64) -> f64 {
            if x == 0.0 { 0.0 } else { x }
        }
        let mut p = self.clone();
        p.precision = self.resolved_precision();
        p.c = Complex::new(clean(p.c.re), clean(p.c.im));
        p.center = Complex::new(clean(p.center.re), clean(p.center.im));
        p.view_width = clean(p.view_width);
        p.escape_radius = clean(p.escape_radius);
        if p.format == OutputFormat::Npy {
            p.palette = Palette::default();
            p.colour_mapping = ColourMapping::default();
        }
        if p.colour_mapping != ColourMapping::Cyclic {
            p.colour_offset = 0.0;
        }
        p.colour_offset = clean(p.colour_offset);
        p.exact = if p.precision == Precision::Deep {
            self.exact.consistent_with(self)
        } else {
            ExactCoords::default()
        };
        p
    }

    /// The same escape data with the default colouring and format: what two jobs that differ only
    /// in palette, mapping, offset or format share (their samples are identical).
    pub fn escape_geometry(&self) -> RenderParams {
        RenderParams {
            palette: Palette::default(),
            colour_mapping: ColourMapping::default(),
            colour_offset: 0.0,
            format: OutputFormat::Png,
            ..self.clone()
        }
    }
}
