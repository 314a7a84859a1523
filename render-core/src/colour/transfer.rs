//! The sRGB transfer function, both ways. Decoding runs only while tables are built; encoding of
//! averaged (supersampled) linear colours goes through a table, so no pixel pays for a `powf`.

/// Entries of the linear → sRGB8 table: fine enough that the darkest step (where sRGB is
/// steepest) moves the output by under a quarter of a level.
const ENCODE_TABLE_SIZE: usize = 1 << 14;

/// sRGB (0..1) to linear light.
pub(super) fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear light (0..1) to sRGB (0..1).
pub(super) fn linear_to_srgb(c: f32) -> f32 {
    let c = c.clamp(0.0, 1.0);
    if c <= 0.003_130_8 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

/// Quantises a 0..1 value to 8 bits, rounding to nearest.
pub(super) fn to_u8(c: f32) -> u8 {
    (c.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

/// Linear light → sRGB8 by table lookup.
pub(super) struct Encoder {
    table: Vec<u8>,
}

impl Encoder {
    pub(super) fn new() -> Self {
        let last = (ENCODE_TABLE_SIZE - 1) as f32;
        let table = (0..ENCODE_TABLE_SIZE)
            .map(|i| to_u8(linear_to_srgb(i as f32 / last)))
            .collect();
        Self { table }
    }

    #[inline(always)]
    pub(super) fn encode(&self, linear: f32) -> u8 {
        let last = (ENCODE_TABLE_SIZE - 1) as f32;
        self.table[(linear.clamp(0.0, 1.0) * last + 0.5) as usize]
    }
}
