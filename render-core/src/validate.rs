//! Parameter validation and JSON parsing with errors that name the offending field.
//!
//! The server maps [`ParseError::Malformed`] to `400` and [`ParseError::Invalid`] to `422`; the CLI
//! prints either as one line and exits with code 2.

use serde::Serialize;

use crate::params::{OutputFormat, RenderParams};

/// Default pixel limit: 16384².
pub const DEFAULT_MAX_PIXELS: u64 = 16384 * 16384;
/// Largest accepted `max_iter`.
pub const MAX_ITER_LIMIT: u32 = 1_000_000;
/// Largest accepted `supersample`.
pub const MAX_SUPERSAMPLE: u32 = 4;

/// Smallest accepted `view_width`. With it and [`MAX_VIEW_WIDTH`], the pixel step of any width is
/// a normal f64 and the view's height is finite, so a schema can state the rule exactly.
pub const MIN_VIEW_WIDTH: f64 = 1e-290;
/// Largest accepted `view_width`.
pub const MAX_VIEW_WIDTH: f64 = 1e290;

/// Limits that depend on the deployment rather than on the definition of a render.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }
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

/// Checks every rule of DESIGN §3; the first violation is returned.
pub fn validate(p: &RenderParams, limits: &Limits) -> Result<(), ParamError> {
    if p.width < 1 {
        return Err(ParamError::new("width", "must be at least 1"));
    }
    if p.height < 1 {
        return Err(ParamError::new("height", "must be at least 1"));
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
    if p.max_iter < 1 || p.max_iter > MAX_ITER_LIMIT {
        return Err(ParamError::new(
            "max_iter",
            format!("must be between 1 and {MAX_ITER_LIMIT}"),
        ));
    }
    finite("escape_radius", p.escape_radius)?;
    if p.escape_radius < 2.0 {
        return Err(ParamError::new("escape_radius", "must be at least 2"));
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
    Ok(())
}

fn finite(field: &str, value: f64) -> Result<(), ParamError> {
    if value.is_finite() {
        Ok(())
    } else {
        Err(ParamError::new(field, "must be a finite number"))
    }
}
