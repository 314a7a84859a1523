//! Parameter validation and JSON parsing with errors that name the offending field.
//!
//! The server maps [`ParseError::Malformed`] to `400` and [`ParseError::Invalid`] to `422`; the CLI
//! prints either as one line and exits with code 2.

use serde::Serialize;

use crate::params::{Coord, OutputFormat, Precision, RenderParams};

/// Default pixel limit: 16384².
pub const DEFAULT_MAX_PIXELS: u64 = 16384 * 16384;
/// Largest accepted `max_iter`.
pub const MAX_ITER_LIMIT: u32 = 1_000_000;
/// Largest accepted `supersample`.
pub const MAX_SUPERSAMPLE: u32 = 4;
/// Default largest `width` and `height`. A band is at least one row, so this bounds a band's
/// samples: one row of 65536 pixels at supersample 4 is 2^20 samples, the band planner's target,
/// which bounds every per-band buffer of every backend (see `band.rs` and the README's memory
/// bound).
pub const DEFAULT_MAX_DIMENSION: u32 = 65_536;
/// Default work budget, in sample-iterations (`width * height * supersample² * max_iter`): admits a
/// 16384² supersample-4 render at 20000 iterations (8.6e13) and refuses 16384² × 16 samples ×
/// 10^6 iterations (4.4e15, weeks on a CPU).
pub const DEFAULT_MAX_WORK: u64 = 100_000_000_000_000;
/// Largest accepted `escape_radius`. The f32 kernels compare `|z|²` with `R²` in f32: with R up to
/// 1e9, `R²` is 1e18 and the first escaped `|z|²` (at most about `R⁴` = 1e36) are finite in f32
/// (max 3.4e38) with a margin of 300×, so escape and smooth colouring work as in f64. Beyond about
/// 1.8e19, `R²` is infinite in f32, nothing ever escapes and every sample runs to `max_iter`.
pub const MAX_ESCAPE_RADIUS: f64 = 1e9;

/// Smallest accepted `view_width`. With it and [`MAX_VIEW_WIDTH`], the pixel step of any width is
/// a normal f64 and the view's height is finite, so a schema can state the rule exactly.
pub const MIN_VIEW_WIDTH: f64 = 1e-290;
/// Largest accepted `view_width`.
pub const MAX_VIEW_WIDTH: f64 = 1e290;
/// Smallest accepted `view_width` as a decimal string (deep zoom): the power of ten of the
/// smallest. The reference orbit's precision grows with depth (about 3.3 bits per decade), so this
/// bounds its cost per iteration.
pub const MIN_DEEP_VIEW_WIDTH_EXP10: i64 = -2000;

/// Limits that depend on the deployment rather than on the definition of a render.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Largest `width * height`.
    pub max_pixels: u64,
    /// Largest `width` and largest `height` (bounds the memory of one band).
    pub max_dimension: u32,
    /// Largest `width * height * supersample² * max_iter`, in sample-iterations.
    pub max_work: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_pixels: DEFAULT_MAX_PIXELS,
            max_dimension: DEFAULT_MAX_DIMENSION,
            max_work: DEFAULT_MAX_WORK,
        }
    }
}

/// The work of a render in sample-iterations: `width * height * supersample² * max_iter`, the
/// most escape iterations it can take (u128: the product of four u32 overflows u64).
pub fn work_of(p: &RenderParams) -> u128 {
    let ss = u128::from(p.supersample);
    u128::from(p.width) * u128::from(p.height) * ss * ss * u128::from(p.max_iter)
}

/// One invalid parameter: which field and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("invalid `{field}`: {message}")]
pub struct ParamError {
    /// Dotted path of the field, e.g. `c.re`; empty when the whole document is at fault.
    pub field: String,
    pub message: String,
}

impl ParamError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a JSON document is not acceptable `RenderParams`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not JSON at all (syntax error, truncated document).
    #[error("malformed JSON: {0}")]
    Malformed(String),
    /// Well-formed JSON that does not describe valid parameters.
    #[error(transparent)]
    Invalid(#[from] ParamError),
}

/// Parses and validates parameters from JSON text.
pub fn parse_params(json: &str, limits: &Limits) -> Result<RenderParams, ParseError> {
    let de = &mut serde_json::Deserializer::from_str(json);
    let params: RenderParams = serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            // serde_json files `1e400` under syntax errors, but the document is well-formed and
            // the fault is one field's value: name it.
            serde_json::error::Category::Syntax
                if inner.to_string().starts_with("number out of range") =>
            {
                ParseError::Invalid(data_error(&path, &inner.to_string()))
            }
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ParseError::Malformed(inner.to_string())
            }
            serde_json::error::Category::Data | serde_json::error::Category::Io => {
                ParseError::Invalid(data_error(&path, &inner.to_string()))
            }
        }
    })?;
    validate(&params, limits)?;
    Ok(params)
}

/// serde_path_to_error's path ends at the unknown key itself (`c.x` for `{"c": {"x": ..}}`), so
/// the path is the field; for type errors it is the field whose value was wrong.
fn data_error(path: &str, message: &str) -> ParamError {
    let message = strip_position(message);
    let field = if path == "." {
        String::new()
    } else {
        path.to_string()
    };
    ParamError::new(field, message)
}

/// serde_json appends " at line L column C"; the field path already says where.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Checks every rule of docs/DESIGN.md §3; the first violation is returned.
pub fn validate(p: &RenderParams, limits: &Limits) -> Result<(), ParamError> {
    if p.width < 1 {
        return Err(ParamError::new("width", "must be at least 1"));
    }
    if p.height < 1 {
        return Err(ParamError::new("height", "must be at least 1"));
    }
    for (field, value) in [("width", p.width), ("height", p.height)] {
        if value > limits.max_dimension {
            return Err(ParamError::new(
                field,
                format!(
                    "{value} exceeds this server's limit of {} pixels per side",
                    limits.max_dimension
                ),
            ));
        }
    }
    if p.pixel_count() > limits.max_pixels {
        return Err(ParamError::new(
            "width",
            format!(
                "width*height = {} pixels exceeds this server's limit of {} pixels",
                p.pixel_count(),
                limits.max_pixels
            ),
        ));
    }
    finite("c.re", p.c.re)?;
    finite("c.im", p.c.im)?;
    finite("center.re", p.center.re)?;
    finite("center.im", p.center.im)?;
    if let Some(width) = p.exact.get(Coord::ViewWidth, p.view_width)
        && p.view_width < MIN_VIEW_WIDTH
    {
        check_deep_width(p, width)?;
    } else {
        check_f64_width(p)?;
    }
    if p.max_iter < 1 || p.max_iter > MAX_ITER_LIMIT {
        return Err(ParamError::new(
            "max_iter",
            format!("must be between 1 and {MAX_ITER_LIMIT}"),
        ));
    }
    finite("escape_radius", p.escape_radius)?;
    if !(2.0..=MAX_ESCAPE_RADIUS).contains(&p.escape_radius) {
        return Err(ParamError::new(
            "escape_radius",
            format!("must be between 2 and {MAX_ESCAPE_RADIUS:e}"),
        ));
    }
    if p.supersample < 1 || p.supersample > MAX_SUPERSAMPLE {
        return Err(ParamError::new(
            "supersample",
            format!("must be between 1 and {MAX_SUPERSAMPLE}"),
        ));
    }
    if p.format == OutputFormat::Npy && p.supersample != 1 {
        return Err(ParamError::new(
            "supersample",
            "must be 1 for npy output: escape counts are sampled at pixel centres",
        ));
    }
    finite("colour_offset", p.colour_offset)?;
    if !(0.0..1.0).contains(&p.colour_offset) {
        return Err(ParamError::new(
            "colour_offset",
            "must be at least 0 and less than 1 (a fraction of one palette cycle)",
        ));
    }
    check_work(p, limits.max_work)
}

/// The work budget: named after `max_iter`, the knob that usually makes a render too heavy, with
/// the largest `max_iter` that would fit at these dimensions.
pub fn check_work(p: &RenderParams, max_work: u64) -> Result<(), ParamError> {
    let work = work_of(p);
    if work <= u128::from(max_work) {
        return Ok(());
    }
    let ss = p.supersample;
    let samples = (work / u128::from(p.max_iter.max(1))).max(1);
    let fitting = u128::from(max_work) / samples;
    let advice = if fitting >= 1 {
        format!(
            "at {}x{} with supersample {ss}, max_iter may be at most {fitting}",
            p.width, p.height
        )
    } else {
        format!(
            "{}x{} with supersample {ss} is over it even at max_iter 1: reduce width, height or supersample",
            p.width, p.height
        )
    };
    Err(ParamError::new(
        "max_iter",
        format!(
            "width*height*supersample²*max_iter = {:.2e} sample-iterations exceeds this server's work budget of {:.2e}; {advice}",
            work as f64, max_work as f64
        ),
    ))
}

fn finite(field: &str, value: f64) -> Result<(), ParamError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(ParamError::new(field, "must be a finite number"))
    }
}

/// A `view_width` below the f64 paths' range, given as a decimal string: deep zoom only.
fn check_deep_width(p: &RenderParams, width: &crate::Decimal) -> Result<(), ParamError> {
    if width.is_negative() || width.is_zero() {
        return Err(ParamError::new("view_width", "must be greater than 0"));
    }
    if width.exponent10() < MIN_DEEP_VIEW_WIDTH_EXP10 {
        return Err(ParamError::new(
            "view_width",
            format!(
                "must be at least 1e{MIN_DEEP_VIEW_WIDTH_EXP10} (the deepest view this renderer supports)"
            ),
        ));
    }
    if matches!(p.precision, Precision::F32 | Precision::F64) {
        return Err(ParamError::new(
            "view_width",
            format!(
                "below {MIN_VIEW_WIDTH:e} needs precision \"deep\" or \"auto\": f32 and f64 cannot resolve the pixel step"
            ),
        ));
    }
    Ok(())
}

/// `view_width` as an f64 (the only form before deep zoom): the rules the f64 paths need.
fn check_f64_width(p: &RenderParams) -> Result<(), ParamError> {
    finite("view_width", p.view_width)?;
    if !(MIN_VIEW_WIDTH..=MAX_VIEW_WIDTH).contains(&p.view_width) {
        return Err(ParamError::new(
            "view_width",
            format!("must be between {MIN_VIEW_WIDTH:e} and {MAX_VIEW_WIDTH:e}"),
        ));
    }
    let step = p.view_width / f64::from(p.width);
    if !step.is_normal() || !p.view_height().is_finite() {
        return Err(ParamError::new(
            "view_width",
            "too small or too large: the pixel step must be a normal f64 number",
        ));
    }
    Ok(())
}
