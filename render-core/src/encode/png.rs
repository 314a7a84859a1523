//! Streaming PNG: 8-bit RGBA rows written as bands arrive, with the normalised parameters as JSON
//! in a `tEXt` chunk so that any image can be re-rendered.
//!
//! Written chunk by chunk (signature, IHDR, tEXt, IDAT…, IEND) over a zlib stream, so the encoder
//! holds at most one band and one IDAT chunk, whatever the image size.

use std::io::{self, Write};

use flate2::Compression;
use flate2::write::ZlibEncoder;

use crate::params::RenderParams;

/// The `tEXt` keyword that carries the parameters.
pub const PARAMS_TEXT_KEYWORD: &str = "julia-params";

const SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
/// IDAT payload size; larger chunks save nothing measurable.
const IDAT_CHUNK: usize = 1 << 20;

/// Accepts RGBA rows top to bottom.
pub struct PngStreamEncoder<W: Write> {
    zlib: ZlibEncoder<IdatWriter<W>>,
    row_bytes: usize,
    filtered: Vec<u8>,
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
        let idat = IdatWriter {
            out,
            buf: Vec::with_capacity(IDAT_CHUNK),
        };
        Ok(Self {
            zlib: ZlibEncoder::new(idat, Compression::fast()),
            row_bytes: params.width as usize * 4,
            filtered: Vec::new(),
        })
    }

    /// Writes whole rows of RGBA bytes (filter type 0 per row).
    pub fn write_rows(&mut self, rgba: &[u8]) -> io::Result<()> {
        self.filtered.clear();
        for row in rgba.chunks_exact(self.row_bytes) {
            self.filtered.push(0);
            self.filtered.extend_from_slice(row);
        }
        self.zlib.write_all(&self.filtered)
    }

    pub fn finish(self) -> io::Result<()> {
        let mut idat = self.zlib.finish()?;
        idat.flush_chunk()?;
        write_chunk(&mut idat.out, b"IEND", &[])?;
        idat.out.flush()
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
