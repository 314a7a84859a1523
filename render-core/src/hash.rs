//! The canonical job hash: equal normalised parameters give equal hashes on every platform
//! (wasm32 included). It keys deduplication and the result cache, so its encoding never changes
//! without a new version tag.

use sha2::{Digest, Sha256};

use crate::params::{ColourMapping, OutputFormat, Precision, RenderParams};

/// Bumped whenever the encoding below or the meaning of a parameter changes.
const HASH_VERSION: &[u8] = b"julia-render-params/v1";

/// Marks the colouring section (decimal sections start with a `Coord`, 0..=4).
const COLOUR_TAG: u8 = 0xC0;

/// The hash of the escape data behind `params`: equal for jobs that differ only in palette,
/// colour mapping, offset or format, so one job's stored samples can colour the others.
pub fn escapes_hash(params: &RenderParams) -> String {
    canonical_hash(&params.escape_geometry())
}

/// 32 lowercase hex digits (the first 128 bits of a SHA-256).
pub fn canonical_hash(params: &RenderParams) -> String {
    let p = params.normalized();
    let mut h = Sha256::new();
    h.update(HASH_VERSION);
    h.update(p.width.to_le_bytes());
    h.update(p.height.to_le_bytes());
    for x in [p.c.re, p.c.im, p.center.re, p.center.im, p.view_width] {
        h.update(x.to_bits().to_le_bytes());
    }
    h.update(p.max_iter.to_le_bytes());
    h.update(p.escape_radius.to_bits().to_le_bytes());
    let name = p.palette.name().as_bytes();
    h.update((name.len() as u32).to_le_bytes());
    h.update(name);
    h.update(p.supersample.to_le_bytes());
    h.update([match p.precision {
        Precision::F32 => 1u8,
        Precision::F64 => 2,
        Precision::Deep => 3,
        Precision::Auto => unreachable!("normalized() resolves auto"),
    }]);
    h.update([match p.format {
        OutputFormat::Png => 1u8,
        OutputFormat::Npy => 2,
    }]);
    // Decimals appended after the fixed encoding, only where kept (deep renders whose coordinates
    // an f64 does not carry): every other job's bytes, and so its hash, are what they always were.
    for (coord, decimal) in p.exact.present(&p) {
        let text = decimal.as_str().as_bytes();
        h.update([coord as u8]);
        h.update((text.len() as u32).to_le_bytes());
        h.update(text);
    }
    // The colouring, likewise only when not the default: every job from before colour mappings
    // existed hashes as it did. A tag byte no decimal coordinate uses keeps the two apart.
    if p.colour_mapping != ColourMapping::default() {
        h.update([COLOUR_TAG, p.colour_mapping.hash_tag()]);
        h.update(p.colour_offset.to_bits().to_le_bytes());
    }
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}
