//! Animations as parameters (docs/DESIGN.md §8): the spec of keyframes ([`spec`]) and every
//! frame's `RenderParams` between them ([`interpolate`]). Pure functions, so the server plans and
//! renders videos with them and the browser previews the same path.

pub mod interpolate;
pub mod spec;

pub use interpolate::Interpolator;
pub use spec::{AnimationLimits, AnimationSpec, Keyframe, WireKeyframe, WireSpec, parse_spec};
