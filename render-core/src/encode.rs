//! Streaming output encoders: each takes rows as bands arrive, so no encoder holds an image.

mod deflate_segment;
mod npy;
mod png;

pub use self::npy::{NpyStreamEncoder, npy_header};
pub use self::png::{PARAMS_TEXT_KEYWORD, PngStreamEncoder};
