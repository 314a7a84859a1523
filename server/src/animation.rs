//! Zoom and morph videos (docs/DESIGN.md §8): a spec of keyframes in, a video out.
//!
//! render-core's `animation` parses and bounds the spec and gives every frame's parameters (re-exported here as
//! [`spec`] and [`interpolate`]), [`video`]
//! streams frames into ffmpeg (or PNG files), and [`local`] renders a whole animation in this
//! process (`julia-server animate`), by exponential-map strips for a pure zoom
//! (`render_core::expmap`) and frame by frame otherwise.

pub mod local;
pub mod video;

pub use render_core::animation::{
    AnimationLimits, AnimationSpec, Interpolator, Keyframe, interpolate, parse_spec, spec,
};
pub use video::{FfmpegEncoder, FrameInput, OutputKind, VideoError};
