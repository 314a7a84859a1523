//! Data parallelism that degrades to the calling thread where there are no threads.
//!
//! Every task ends with a yield checkpoint ([`crate::pacing`]).
//!
//! rayon's pool needs OS threads, which wasm32-unknown-unknown lacks (the browser preview), so
//! there the same chunked loop runs sequentially.

use crate::pacing::checkpoint;

/// Runs `f(index, chunk)` for every `chunk_len`-sized chunk of `data`, in parallel on the current
/// rayon pool where threads exist.
pub fn for_each_chunk<T, F>(data: &mut [T], chunk_len: usize, f: F)
where
    T: Send,
    F: Fn(usize, &mut [T]) + Send + Sync,
{
    let chunk_len = chunk_len.max(1);
    #[cfg(not(target_arch = "wasm32"))]
    if data.len() > chunk_len {
        use rayon::prelude::*;
        data.par_chunks_mut(chunk_len)
            .enumerate()
            .for_each(|(i, c)| {
                f(i, c);
                checkpoint();
            });
        return;
    }
    // One chunk (or no threads): on the calling thread, which is cheaper than handing a small
    // image's colouring or compression to a pool thread and waiting for it.
    for (i, c) in data.chunks_mut(chunk_len).enumerate() {
        f(i, c);
        checkpoint();
    }
}

/// Runs `f(row, first_column, piece)` for every piece of at most `piece_len` elements of every
/// `row_len`-sized row of `data`: rows and the pieces within them in parallel where threads exist,
/// so a band of a few long rows still spreads over every core.
pub fn for_each_row_piece<T, F>(data: &mut [T], row_len: usize, piece_len: usize, f: F)
where
    T: Send,
    F: Fn(usize, usize, &mut [T]) + Send + Sync,
{
    let (row_len, piece_len) = (row_len.max(1), piece_len.max(1));
    #[cfg(not(target_arch = "wasm32"))]
    {
        use rayon::prelude::*;
        data.par_chunks_mut(row_len)
            .enumerate()
            .for_each(|(r, row)| {
                row.par_chunks_mut(piece_len)
                    .enumerate()
                    .for_each(|(p, piece)| {
                        f(r, p * piece_len, piece);
                        checkpoint();
                    });
            });
    }
    #[cfg(target_arch = "wasm32")]
    for (r, row) in data.chunks_mut(row_len).enumerate() {
        for (p, piece) in row.chunks_mut(piece_len).enumerate() {
            f(r, p * piece_len, piece);
            checkpoint();
        }
    }
}
