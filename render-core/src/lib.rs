//! render-core: everything about a Julia-set render that needs no GPU, no HTTP and no filesystem.
//!
//! Shared by the server's CPU fallback, the GPU renderer (mapping, colouring, encoding), the CLI and
//! the browser preview (wasm32), so that all of them agree on what an image is.

pub mod animation;
pub mod band;
pub mod colour;
pub mod cpu;
pub mod decimal;
pub mod deep;
pub mod encode;
pub mod escape;
pub mod expmap;
pub mod gpu_layout;
pub mod hash;
pub mod kernel;
pub mod mandelbrot;
pub mod pacing;
pub mod palette;
mod par;
pub mod params;
pub mod pipeline;
pub mod source;
pub mod stop;
mod stopwatch;
pub mod validate;
pub mod viewport;
mod whole_number;

pub use band::{Band, plan_bands};
pub use colour::{Colorizer, ImageStats, StoredEscapes, StoredEscapesError};
pub use cpu::CpuSource;
pub use decimal::Decimal;
pub use escape::EscapeSample;
pub use hash::{canonical_hash, escapes_hash};
pub use palette::Palette;
pub use params::{
    ColourMapping, Complex, Coord, ExactCoords, OutputFormat, Precision, RenderParams,
};
pub use pipeline::{
    Flow, Progress, RenderError, RenderStats, render_rgba, render_to_outputs, render_to_writer,
};
pub use source::EscapeSource;
pub use stop::StopFlag;
pub use validate::{Limits, ParamError, ParseError, parse_params, validate};
pub use viewport::Viewport;
