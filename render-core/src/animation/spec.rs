//! The animation spec (docs/DESIGN.md §8): frame size, rate and keyframes in JSON, parsed and
//! validated into keyframes of full `RenderParams`, with errors that name the field
//! (`keyframes[2].view.view_width`) like every other parameter.
//!
//! Each keyframe's `view` is checked by the same `crate::parse_params` as a job's body, with
//! the spec's size and supersampling filled in, so a view accepts exactly what a job accepts
//! (decimal strings for deep zoom included) and every frame between keyframes is checked the same
//! way when the frames are planned ([`super::interpolate`]).

use crate::{Limits, ParamError, ParseError, RenderParams};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The fields of a keyframe's `view`: the render parameters that may change over time.
pub const VIEW_FIELDS: [&str; 7] = [
    "center",
    "view_width",
    "c",
    "max_iter",
    "palette",
    "colour_mapping",
    "colour_offset",
];

/// Bounds of an animation, on top of each frame's own `Limits`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AnimationLimits {
    /// Longest duration, in seconds (the last keyframe's `t`).
    pub max_duration_s: f64,
    /// Most frames in one animation.
    pub max_frames: u64,
    /// Most samples over all frames: `width × height × supersample² × frames`.
    pub max_total_samples: u64,
    /// Largest `width` and `height` of a video.
    pub max_side: u32,
    /// Highest frame rate.
    pub max_fps: u32,
    /// Most keyframes.
    pub max_keyframes: usize,
    /// The limits every frame's parameters must also keep.
    pub frame: Limits,
}

impl Default for AnimationLimits {
    fn default() -> Self {
        Self {
            max_duration_s: 3600.0,
            max_frames: 36_000,
            // 1080p at supersample 1 for 36000 frames (20 minutes at 30 fps) is 7.5e10.
            max_total_samples: 100_000_000_000,
            max_side: 8192,
            max_fps: 120,
            max_keyframes: 1000,
            frame: Limits::default(),
        }
    }
}

/// The spec as JSON carries it; every field but `keyframes` has a default. The schema states
/// each field's bounds; the rules between fields (times from 0, strictly increasing; frames and
/// samples from the duration) are the extension `x-animation-rules` (the server's OpenAPI document).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields, default)]
#[cfg_attr(feature = "openapi", schema(as = AnimationSpec))]
pub struct WireSpec {
    /// Even, in pixels.
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 2, maximum = 8192, multiple_of = 2, default = 1280)
    )]
    pub width: u32,
    /// Even, in pixels.
    #[cfg_attr(
        feature = "openapi",
        schema(minimum = 2, maximum = 8192, multiple_of = 2, default = 720)
    )]
    pub height: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 120, default = 30))]
    pub fps: u32,
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 4, default = 1))]
    pub supersample: u32,
    #[cfg_attr(feature = "openapi", schema(min_items = 2))]
    pub keyframes: Vec<WireKeyframe>,
}

impl Default for WireSpec {
    fn default() -> Self {
        Self {
            width: 1280,
            height: 720,
            fps: 30,
            supersample: 1,
            keyframes: Vec::new(),
        }
    }
}

/// One keyframe as JSON carries it: a time in seconds and the view's changing parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(as = AnimationKeyframe))]
pub struct WireKeyframe {
    /// Seconds from the start.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 3600))]
    pub t: f64,
    /// `center`, `view_width`, `c`, `max_iter`, `palette`, `colour_mapping`, `colour_offset`,
    /// as in RenderParams.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub view: Map<String, Value>,
}

/// A valid animation: keyframes with full, validated parameters, times strictly increasing from 0.
#[derive(Clone, Debug, PartialEq)]
pub struct AnimationSpec {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    pub supersample: u32,
    pub keyframes: Vec<Keyframe>,
    /// The spec as given (defaults filled in): what the animation is stored and hashed as.
    pub wire: WireSpec,
}

/// A keyframe: at `t` seconds the frame is exactly `params`.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyframe {
    pub t: f64,
    pub params: RenderParams,
}

impl AnimationSpec {
    /// Seconds from the first keyframe to the last.
    pub fn duration(&self) -> f64 {
        self.keyframes.last().map_or(0.0, |k| k.t)
    }

    /// Frames in the video: `duration × fps`, rounded; the first is the first keyframe and the
    /// last is the last keyframe.
    pub fn frame_count(&self) -> u64 {
        frame_count(self.duration(), self.fps)
    }
}

fn frame_count(duration: f64, fps: u32) -> u64 {
    (duration * f64::from(fps)).round() as u64
}

/// Parses and validates a spec from JSON text: [`ParseError::Malformed`] for text that is not
/// JSON, [`ParseError::Invalid`] naming the field for everything else.
pub fn parse_spec(json: &str, limits: &AnimationLimits) -> Result<AnimationSpec, ParseError> {
    let de = &mut serde_json::Deserializer::from_str(json);
    let wire: WireSpec = serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ParseError::Malformed(inner.to_string())
            }
            _ => {
                let field = if path == "." { String::new() } else { path };
                let message = inner.to_string();
                let message = match message.rfind(" at line ") {
                    Some(i) => message[..i].to_string(),
                    None => message,
                };
                ParseError::Invalid(ParamError::new(field, message))
            }
        }
    })?;
    Ok(validate_spec(wire, limits)?)
}

/// Checks every rule of docs/DESIGN.md §8.1; the first violation is returned.
pub fn validate_spec(
    wire: WireSpec,
    limits: &AnimationLimits,
) -> Result<AnimationSpec, ParamError> {
    for (name, value) in [("width", wire.width), ("height", wire.height)] {
        if !(2..=limits.max_side).contains(&value) || value % 2 != 0 {
            return Err(ParamError::new(
                name,
                format!(
                    "must be an even number of pixels in 2 ..= {} (video frames are 4:2:0), got {value}",
                    limits.max_side
                ),
            ));
        }
    }
    if wire.fps == 0 || wire.fps > limits.max_fps {
        return Err(ParamError::new(
            "fps",
            format!("must be in 1 ..= {}, got {}", limits.max_fps, wire.fps),
        ));
    }
    if !(1..=crate::validate::MAX_SUPERSAMPLE).contains(&wire.supersample) {
        return Err(ParamError::new(
            "supersample",
            format!(
                "must be in 1 ..= {}, got {}",
                crate::validate::MAX_SUPERSAMPLE,
                wire.supersample
            ),
        ));
    }
    if wire.keyframes.len() < 2 || wire.keyframes.len() > limits.max_keyframes {
        return Err(ParamError::new(
            "keyframes",
            format!(
                "must hold 2 ..= {} keyframes (the first at t = 0, the last at the duration), got {}",
                limits.max_keyframes,
                wire.keyframes.len()
            ),
        ));
    }
    let mut keyframes = Vec::with_capacity(wire.keyframes.len());
    for (i, key) in wire.keyframes.iter().enumerate() {
        let field = format!("keyframes[{i}].t");
        let previous = keyframes.last().map(|k: &Keyframe| k.t);
        match previous {
            None if key.t != 0.0 => {
                return Err(ParamError::new(
                    field,
                    "the first keyframe must be at t = 0",
                ));
            }
            Some(before) if key.t <= before => {
                return Err(ParamError::new(
                    field,
                    format!("must be later than the keyframe before it (t = {before})"),
                ));
            }
            _ if !key.t.is_finite() || key.t > limits.max_duration_s => {
                return Err(ParamError::new(
                    field,
                    format!("must be at most {} seconds", limits.max_duration_s),
                ));
            }
            _ => {}
        }
        let params = view_params(&wire, i, &key.view, &limits.frame)?;
        keyframes.push(Keyframe { t: key.t, params });
    }
    let duration = keyframes.last().map_or(0.0, |k| k.t);
    let frames = frame_count(duration, wire.fps);
    let last_t = format!("keyframes[{}].t", keyframes.len() - 1);
    if frames < 2 {
        return Err(ParamError::new(
            last_t,
            format!(
                "the duration gives {frames} frame(s) at {} fps; a video needs at least 2",
                wire.fps
            ),
        ));
    }
    if frames > limits.max_frames {
        return Err(ParamError::new(
            last_t,
            format!(
                "the duration gives {frames} frames at {} fps; at most {} are allowed",
                wire.fps, limits.max_frames
            ),
        ));
    }
    let ss = u128::from(wire.supersample);
    let samples = u128::from(wire.width) * u128::from(wire.height) * ss * ss * u128::from(frames);
    if samples > u128::from(limits.max_total_samples) {
        return Err(ParamError::new(
            "",
            format!(
                "width × height × supersample² × frames is {samples}, over this server's limit of {}",
                limits.max_total_samples
            ),
        ));
    }
    Ok(AnimationSpec {
        width: wire.width,
        height: wire.height,
        fps: wire.fps,
        supersample: wire.supersample,
        keyframes,
        wire,
    })
}

/// The parameters of keyframe `index`: its view on top of the spec's size, checked by
/// `crate::parse_params`, with the field renamed into the spec.
fn view_params(
    wire: &WireSpec,
    index: usize,
    view: &Map<String, Value>,
    limits: &Limits,
) -> Result<RenderParams, ParamError> {
    let prefix = format!("keyframes[{index}].view");
    if let Some(unknown) = view.keys().find(|k| !VIEW_FIELDS.contains(&k.as_str())) {
        return Err(ParamError::new(
            format!("{prefix}.{unknown}"),
            format!(
                "is not a view field; a view holds {} (size, fps and supersample belong to the whole animation)",
                VIEW_FIELDS.join(", ")
            ),
        ));
    }
    let mut doc = view.clone();
    doc.insert("width".into(), wire.width.into());
    doc.insert("height".into(), wire.height.into());
    doc.insert("supersample".into(), wire.supersample.into());
    frame_params(&Value::Object(doc), limits).map_err(|e| ParamError {
        field: if e.field.is_empty() {
            prefix
        } else {
            format!("{prefix}.{}", e.field)
        },
        message: e.message,
    })
}

/// Parses one frame's full parameter document as a job's body is parsed.
pub(crate) fn frame_params(doc: &Value, limits: &Limits) -> Result<RenderParams, ParamError> {
    crate::parse_params(&doc.to_string(), limits).map_err(|e| match e {
        ParseError::Invalid(e) => e,
        ParseError::Malformed(message) => ParamError::new("", message),
    })
}

#[cfg(test)]
mod tests;
