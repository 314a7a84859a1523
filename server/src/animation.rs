//! Zoom and morph videos (docs/DESIGN.md §8): a spec of keyframes in, a video out.
//!
//! [`spec`] parses and bounds the spec, [`interpolate`] gives every frame's parameters, [`video`]
//! streams frames into ffmpeg (or PNG files), and [`local`] renders a whole animation in this
//! process (`julia-server animate`), by exponential-map strips for a pure zoom
//! (`render_core::expmap`) and frame by frame otherwise.

pub mod interpolate;
pub mod local;
pub mod spec;
pub mod video;

pub use interpolate::Interpolator;
pub use spec::{AnimationLimits, AnimationSpec, Keyframe, parse_spec};
pub use video::{FfmpegEncoder, FrameInput, OutputKind, VideoError};
