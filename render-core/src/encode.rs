//! Streaming output encoders: each takes rows as bands arrive, so no encoder holds an image.

mod deflate_segment;
mod escapes;
mod npy;
mod png;

pub use self::escapes::{ESCAPE_SAMPLE_BYTES, EscapesReader, EscapesStreamEncoder, escapes_header};
pub use self::npy::{NpyStreamEncoder, npy_header};
pub use self::png::{PARAMS_TEXT_KEYWORD, PngStreamEncoder};
