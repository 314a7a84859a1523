//! NumPy `.npy` (format 1.0): `<u4` escape counts, shape (height, width), C order.

use std::io::{self, Write};

use crate::escape::EscapeSample;

/// The complete `.npy` header for a `(height, width)` `<u4` array, padded so that the data starts
/// on a 64-byte boundary as the format recommends.
pub fn npy_header(width: u32, height: u32) -> Vec<u8> {
    let dict =
        format!("{{'descr': '<u4', 'fortran_order': False, 'shape': ({height}, {width}), }}");
    // magic (6) + version (2) + header length (2) + dict + padding + '\n'
    let unpadded = 10 + dict.len() + 1;
    let total = unpadded.div_ceil(64) * 64;
    let mut header = Vec::with_capacity(total);
    header.extend_from_slice(b"\x93NUMPY\x01\x00");
    header.extend_from_slice(&((total - 10) as u16).to_le_bytes());
    header.extend_from_slice(dict.as_bytes());
    header.resize(total - 1, b' ');
    header.push(b'\n');
    header
}

/// Writes the header at once and the counts band by band.
pub struct NpyStreamEncoder<W: Write> {
    out: W,
    buf: Vec<u8>,
}

impl<W: Write> NpyStreamEncoder<W> {
    pub fn new(mut out: W, width: u32, height: u32) -> io::Result<Self> {
        out.write_all(&npy_header(width, height))?;
        Ok(Self {
            out,
            buf: Vec::new(),
        })
    }

    pub fn write_counts(&mut self, samples: &[EscapeSample]) -> io::Result<()> {
        self.buf.clear();
        self.buf.reserve(samples.len() * 4);
        for s in samples {
            self.buf.extend_from_slice(&s.count.to_le_bytes());
        }
        self.out.write_all(&self.buf)
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}
