//! Files derived from a result and kept beside it, named by a hash and a kind: a render's escape
//! data (so palette and mapping changes colour it again without a render), a job's thumbnail, and
//! an animation's video (named by the animation's hash: its frames are results of their own).

use std::io;

use julia_api_types::VideoFormat;

/// A kind of derived file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Derived {
    /// Every escape sample of a render, gzip-compressed `render_core::encode::EscapesStreamEncoder`
    /// output; named by `render_core::escapes_hash`, which the jobs that differ only in colouring
    /// or format share.
    Escapes,
    /// The job's image scaled to at most `results::THUMBNAIL_SIDE` pixels; named by the
    /// job's hash.
    Thumbnail,
    /// An animation's video; named by the animation's hash.
    Video(VideoFormat),
}

impl Derived {
    pub(super) fn file_name(self, hash: &str) -> String {
        debug_assert!(
            hash.bytes().all(|b| b.is_ascii_hexdigit()),
            "hashes are hex"
        );
        match self {
            Derived::Escapes => format!("{hash}.escapes.npy.gz"),
            Derived::Thumbnail => format!("{hash}.thumb.png"),
            Derived::Video(format) => format!("{hash}.video.{}", format.as_str()),
        }
    }
}

pub(super) fn not_kept(kind: Derived) -> io::Error {
    io::Error::new(
        io::ErrorKind::Unsupported,
        format!("this result store keeps no derived files ({kind:?})"),
    )
}
