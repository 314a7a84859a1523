//! Pieces of one zlib stream compressed independently: each segment is raw deflate ended with a
//! sync flush (byte-aligned, no final block), so segments can be compressed in parallel and
//! concatenated, then closed with a final empty block and the Adler-32 of all the input.

use std::io;

use flate2::{Compress, FlushCompress, Status};

/// zlib header: deflate, 32 KiB window, "fastest" level hint (0x7801 is a multiple of 31).
pub(super) const ZLIB_HEADER_FAST: [u8; 2] = [0x78, 0x01];
/// A final, empty block with fixed Huffman codes: BFINAL=1, BTYPE=01, end-of-block, padding.
pub(super) const ZLIB_FINAL_EMPTY_BLOCK: [u8; 2] = [0x03, 0x00];

/// Input fed to the compressor between yield checkpoints ([`crate::pacing`]): a 256 KiB segment
/// takes about half a millisecond to compress, a 32 KiB piece well under a tenth of that.
const PIECE_BYTES: usize = 32 * 1024;

/// Compresses `input` as a self-contained run of raw deflate blocks into `out` (cleared first),
/// ending with a sync flush. The compressor is reset, so no back-reference crosses segments.
pub(super) fn deflate_sync(
    compressor: &mut Compress,
    input: &[u8],
    out: &mut Vec<u8>,
) -> io::Result<()> {
    compressor.reset();
    out.clear();
    // Worst case of deflate plus the flush's empty stored block.
    out.reserve(input.len() + input.len() / 1000 + 64);
    for piece in input.chunks(PIECE_BYTES) {
        feed(compressor, piece, out, FlushCompress::None)?;
        crate::pacing::checkpoint();
    }
    feed(compressor, &[], out, FlushCompress::Sync)
}

/// Runs the compressor until it has taken all of `input` and, with room left in `out`, has
/// nothing more to write for `flush`.
fn feed(
    compressor: &mut Compress,
    input: &[u8],
    out: &mut Vec<u8>,
    flush: FlushCompress,
) -> io::Result<()> {
    let start_in = compressor.total_in();
    loop {
        let consumed = (compressor.total_in() - start_in) as usize;
        let status = compressor
            .compress_vec(&input[consumed..], out, flush)
            .map_err(io::Error::other)?;
        let consumed = (compressor.total_in() - start_in) as usize;
        let done = consumed == input.len() && out.len() < out.capacity();
        match status {
            Status::Ok | Status::BufError if !done => out.reserve(out.capacity().max(4096)),
            Status::Ok | Status::BufError | Status::StreamEnd => return Ok(()),
        }
    }
}
