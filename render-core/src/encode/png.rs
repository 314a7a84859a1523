//! Streaming PNG: 8-bit RGBA rows written as bands arrive, with the normalised parameters as JSON
//! in a `tEXt` chunk so that any image can be re-rendered.
//!
//! Each band is cut into segments that are filtered and deflated in parallel, each as raw deflate
//! ending in a sync flush (so it ends on a byte boundary with no final block), and appended to one
//! zlib stream; `finish` adds the final empty block and the Adler-32 of everything. The encoder
//! holds one band's segments at a time, whatever the image size.
//!
//! Why not the `png` crate: `julia-bench --only encoding` measures it beside this encoder on the
//! same image (docs/BENCHMARKS.md). On one thread they tie; this one stays because it compresses
//! segments in parallel and yields every 32 KiB of deflate input ([`crate::pacing`]), where the
//! `png` crate compresses inside each write on the calling thread.

use std::io::{self, Write};

use flate2::{Compress, Compression};

use super::deflate_segment::{ZLIB_FINAL_EMPTY_BLOCK, ZLIB_HEADER_FAST, deflate_sync};
use crate::par::for_each_chunk;
use crate::params::RenderParams;

/// The `tEXt` keyword that carries the parameters.
pub const PARAMS_TEXT_KEYWORD: &str = "julia-params";

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
/// IDAT payload size; larger chunks save nothing measurable.
const IDAT_CHUNK: usize = 1 << 20;
/// Filtered bytes per segment: large enough that restarting the compressor's window costs
/// almost no ratio, small enough that a band gives every thread work.
const SEGMENT_BYTES: usize = 1 << 18;
/// PNG filter type 1 ("Sub"): each byte minus the same channel of the pixel to its left. Smooth
/// colour fields become runs of zeros, which makes the file smaller and fast compression faster;
/// measured on a 4096² default render it beats "Up" (0.73 vs 0.76 bytes/px) and needs no
/// previous row, so segments are independent.
const FILTER_SUB: u8 = 1;
/// Bytes per RGBA8 pixel: the distance "Sub" looks back.
const BYTES_PER_PIXEL: usize = 4;

/// Accepts RGBA rows top to bottom.
pub struct PngStreamEncoder<W: Write> {
    idat: IdatWriter<W>,
    row_bytes: usize,
    segments: Vec<Segment>,
    adler: simd_adler32::Adler32,
}

/// One segment's work buffers, reused from band to band.
struct Segment {
    filtered: Vec<u8>,
    compressed: Vec<u8>,
    compressor: Compress,
}

impl Segment {
    fn new() -> Self {
        Self {
            filtered: Vec::new(),
            compressed: Vec::new(),
            compressor: Compress::new(Compression::fast(), false),
        }
    }
}

impl<W: Write> PngStreamEncoder<W> {
    pub fn new(mut out: W, params: &RenderParams) -> io::Result<Self> {
        out.write_all(&SIGNATURE)?;
        let mut ihdr = Vec::with_capacity(13);
        ihdr.extend_from_slice(&params.width.to_be_bytes());
        ihdr.extend_from_slice(&params.height.to_be_bytes());
        ihdr.extend_from_slice(&[8, 6, 0, 0, 0]); // 8-bit, RGBA, deflate, adaptive filter, no interlace
        write_chunk(&mut out, b"IHDR", &ihdr)?;
        let json = serde_json::to_string(&params.normalized()).map_err(io::Error::other)?;
        let mut text = Vec::with_capacity(PARAMS_TEXT_KEYWORD.len() + 1 + json.len());
        text.extend_from_slice(PARAMS_TEXT_KEYWORD.as_bytes());
        text.push(0);
        text.extend_from_slice(json.as_bytes());
        write_chunk(&mut out, b"tEXt", &text)?;
        let mut idat = IdatWriter {
            out,
            buf: Vec::with_capacity(IDAT_CHUNK),
        };
        idat.write_all(&ZLIB_HEADER_FAST)?;
        let row_bytes = params.width as usize * 4;
        Ok(Self {
            idat,
            row_bytes,
            segments: Vec::new(),
            adler: simd_adler32::Adler32::new(),
        })
    }

    /// Writes whole rows of RGBA bytes.
    pub fn write_rows(&mut self, rgba: &[u8]) -> io::Result<()> {
        let row_bytes = self.row_bytes;
        let rows = rgba.len() / row_bytes;
        if rows == 0 {
            return Ok(());
        }
        let rows_per_segment = (SEGMENT_BYTES / row_bytes).clamp(1, rows);
        let count = rows.div_ceil(rows_per_segment);
        if self.segments.len() < count {
            self.segments.resize_with(count, Segment::new);
        }
        let failure = std::sync::Mutex::new(None);
        for_each_chunk(&mut self.segments[..count], 1, |index, segment| {
            let segment = &mut segment[0];
            let first = index * rows_per_segment;
            let last = (first + rows_per_segment).min(rows);
            segment.filtered.clear();
            for row in first..last {
                segment.filtered.push(FILTER_SUB);
                let current = &rgba[row * row_bytes..(row + 1) * row_bytes];
                segment
                    .filtered
                    .extend_from_slice(&current[..BYTES_PER_PIXEL]);
                let left = current.iter();
                let filtered = current[BYTES_PER_PIXEL..].iter().zip(left);
                segment
                    .filtered
                    .extend(filtered.map(|(c, l)| c.wrapping_sub(*l)));
            }
            let result = deflate_sync(
                &mut segment.compressor,
                &segment.filtered,
                &mut segment.compressed,
            );
            if let Err(err) = result {
                *failure.lock().unwrap_or_else(|e| e.into_inner()) = Some(err);
            }
        });
        if let Some(err) = failure.into_inner().unwrap_or_else(|e| e.into_inner()) {
            return Err(err);
        }
        for segment in &self.segments[..count] {
            self.adler.write(&segment.filtered);
            self.idat.write_all(&segment.compressed)?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<()> {
        self.idat.write_all(&ZLIB_FINAL_EMPTY_BLOCK)?;
        self.idat.write_all(&self.adler.finish().to_be_bytes())?;
        self.idat.flush_chunk()?;
        write_chunk(&mut self.idat.out, b"IEND", &[])?;
        self.idat.out.flush()
    }
}

/// Collects compressed bytes and emits them as IDAT chunks.
struct IdatWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
}

impl<W: Write> IdatWriter<W> {
    fn flush_chunk(&mut self) -> io::Result<()> {
        if !self.buf.is_empty() {
            write_chunk(&mut self.out, b"IDAT", &self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }
}

impl<W: Write> Write for IdatWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= IDAT_CHUNK {
            self.flush_chunk()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn write_chunk<W: Write>(out: &mut W, kind: &[u8; 4], data: &[u8]) -> io::Result<()> {
    let len = u32::try_from(data.len()).map_err(io::Error::other)?;
    out.write_all(&len.to_be_bytes())?;
    out.write_all(kind)?;
    out.write_all(data)?;
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.write_all(&crc.finalize().to_be_bytes())
}
