//! Bands of rows: the unit of work of every backend. Each band is one progress update, one
//! cancellation check, one GPU submission, and one piece of the streamed output file.

/// A horizontal band of whole image rows `y0 .. y0 + rows`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Band {
    pub y0: u32,
    pub rows: u32,
}

/// Samples per band we aim for: large enough to keep every core (or a GPU dispatch) busy,
/// small enough to bound memory and to report progress often. A band holds at most
/// `max(TARGET_SAMPLES_PER_BAND, one sample row)` samples; with validation's per-side limit
/// (65536 pixels at supersample 4: 2^20 samples a row) that is 2^20 whatever the image's shape,
/// which is what bounds every per-band buffer (README, "Memory per job").
pub const TARGET_SAMPLES_PER_BAND: u64 = 1 << 20;
/// At least this many bands per image, so progress moves even for small renders.
const MIN_BANDS: u32 = 32;

/// Splits an image into bands, top to bottom.
pub fn plan_bands(width: u32, height: u32, supersample: u32) -> Vec<Band> {
    let samples_per_row = u64::from(width) * u64::from(supersample) * u64::from(supersample);
    let by_size = (TARGET_SAMPLES_PER_BAND / samples_per_row.max(1)).max(1);
    let by_count = u64::from(height.div_ceil(MIN_BANDS));
    let rows = by_size.min(by_count).clamp(1, u64::from(height)) as u32;
    (0..height.div_ceil(rows))
        .map(|b| {
            let y0 = b * rows;
            Band {
                y0,
                rows: rows.min(height - y0),
            }
        })
        .collect()
}
