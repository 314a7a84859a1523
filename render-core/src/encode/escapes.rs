//! A render's escape data as a file, so it can be coloured again without iterating (docs/DESIGN.md
//! §3.3): NumPy format 1.0 with the structured dtype `[('count', '<u4'), ('norm2', '<f4')]`, shape
//! `(height·supersample, width·supersample)`, C order: every sample the colourer reads.

use std::io::{self, Read, Write};

use crate::escape::EscapeSample;

const MAGIC: &[u8] = b"\x93NUMPY\x01\x00";
const DESCR: &str = "[('count', '<u4'), ('norm2', '<f4')]";
/// Bytes per sample in the file.
pub const ESCAPE_SAMPLE_BYTES: usize = 8;
/// The longest header this reader accepts (ours is 128 bytes).
const MAX_HEADER: usize = 4096;

/// The header of a `(rows, cols)` escape array, padded so that the data starts on a 64-byte
/// boundary.
pub fn escapes_header(rows: u32, cols: u32) -> Vec<u8> {
    let dict = format!("{{'descr': {DESCR}, 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    let total = (10 + dict.len() + 1).div_ceil(64) * 64;
    let mut header = Vec::with_capacity(total);
    header.extend_from_slice(MAGIC);
    header.extend_from_slice(&((total - 10) as u16).to_le_bytes());
    header.extend_from_slice(dict.as_bytes());
    header.resize(total - 1, b' ');
    header.push(b'\n');
    header
}

/// Writes the header at once and the samples band by band.
pub struct EscapesStreamEncoder<W: Write> {
    out: W,
    buf: Vec<u8>,
}

impl<W: Write> EscapesStreamEncoder<W> {
    /// `rows` and `cols` count samples (pixels times the supersampling).
    pub fn new(mut out: W, rows: u32, cols: u32) -> io::Result<Self> {
        out.write_all(&escapes_header(rows, cols))?;
        Ok(Self {
            out,
            buf: Vec::new(),
        })
    }

    pub fn write_samples(&mut self, samples: &[EscapeSample]) -> io::Result<()> {
        self.buf.clear();
        self.buf.reserve(samples.len() * ESCAPE_SAMPLE_BYTES);
        for s in samples {
            self.buf.extend_from_slice(&s.count.to_le_bytes());
            self.buf.extend_from_slice(&s.norm2.to_le_bytes());
        }
        self.out.write_all(&self.buf)
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Reads an escape array written by [`EscapesStreamEncoder`], sample rows in order.
pub struct EscapesReader<R: Read> {
    inner: R,
    rows: u32,
    cols: u32,
    buf: Vec<u8>,
}

impl<R: Read> EscapesReader<R> {
    /// Reads and checks the header.
    pub fn new(mut inner: R) -> io::Result<Self> {
        let mut fixed = [0u8; 10];
        inner.read_exact(&mut fixed)?;
        if &fixed[..8] != MAGIC {
            return Err(invalid("not an npy 1.0 file"));
        }
        let len = usize::from(u16::from_le_bytes([fixed[8], fixed[9]]));
        if len > MAX_HEADER {
            return Err(invalid("npy header too long"));
        }
        let mut dict = vec![0u8; len];
        inner.read_exact(&mut dict)?;
        let dict = String::from_utf8(dict).map_err(|_| invalid("npy header is not text"))?;
        let (rows, cols) = parse_dict(&dict).ok_or_else(|| invalid("not an escape array"))?;
        Ok(Self {
            inner,
            rows,
            cols,
            buf: Vec::new(),
        })
    }

    /// Sample rows and samples per row.
    pub fn shape(&self) -> (u32, u32) {
        (self.rows, self.cols)
    }

    /// Fills `out` with the next `out.len()` samples.
    pub fn read_samples(&mut self, out: &mut [EscapeSample]) -> io::Result<()> {
        self.buf.resize(out.len() * ESCAPE_SAMPLE_BYTES, 0);
        self.inner.read_exact(&mut self.buf)?;
        for (s, bytes) in out
            .iter_mut()
            .zip(self.buf.chunks_exact(ESCAPE_SAMPLE_BYTES))
        {
            s.count = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
            s.norm2 = f32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
        }
        Ok(())
    }
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.to_string())
}

/// `(rows, cols)` from our own header dictionary; `None` for any other dtype or order.
fn parse_dict(dict: &str) -> Option<(u32, u32)> {
    let prefix = format!("{{'descr': {DESCR}, 'fortran_order': False, 'shape': (");
    let rest = dict.strip_prefix(&prefix)?;
    let (shape, _) = rest.split_once(')')?;
    let (rows, cols) = shape.split_once(',')?;
    Some((rows.trim().parse().ok()?, cols.trim().parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_arrays_read_back_what_was_written() {
        let samples: Vec<EscapeSample> = (0..6)
            .map(|i| EscapeSample {
                count: i * 7,
                norm2: 4.5 + i as f32,
            })
            .collect();
        let mut file = Vec::new();
        let mut encoder = EscapesStreamEncoder::new(&mut file, 2, 3).unwrap();
        encoder.write_samples(&samples).unwrap();
        encoder.finish().unwrap();
        assert_eq!(escapes_header(2, 3).len() % 64, 0);
        let mut reader = EscapesReader::new(&file[..]).unwrap();
        assert_eq!(reader.shape(), (2, 3));
        let mut back = vec![EscapeSample::default(); 6];
        reader.read_samples(&mut back).unwrap();
        assert_eq!(back, samples);
    }

    #[test]
    fn a_counts_npy_is_not_an_escape_array() {
        let counts = crate::encode::npy_header(3, 2);
        let err = EscapesReader::new(&counts[..]).err().expect("refused");
        assert_eq!(err.kind(), io::ErrorKind::InvalidData);
    }
}
