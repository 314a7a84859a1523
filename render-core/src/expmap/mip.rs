//! A strip as the resampler reads it: each edge plane as packed RGBA texels, with box-filtered
//! levels of half, quarter … the resolution (a mipmap).
//!
//! A frame pixel at `t` of the way from the centre to the frame's edge sees a ring's samples
//! `t` of a pixel apart, in every direction (`expmap.rs`), so it reads level `⌊log2(1/t)⌋`, where
//! texels are still no wider than a pixel: it averages the detail it covers instead of picking
//! one of `1/t²` samples, and the texels it reads lie together in memory.

use super::{ExpMap, Side};
use crate::par::for_each_chunk;

/// Levels kept: 1, ½, ¼, ⅛ and 1/16 of the strip's resolution. Level `l` of a plane has
/// `samples >> l` columns and `rows_per_octave >> l` rows (both multiples of 16, so exact);
/// texel `(c, r)` averages the 2×2 texels `(2c.., 2r..)` of the level below.
pub(super) const LEVELS: usize = 5;

/// One level of one plane: row-major texels, `columns` to a row, each row stored with one more
/// texel at each end repeating its first and last, so a bilinear read at either end of a ring
/// finds both its texels.
#[derive(Clone)]
pub(super) struct Level {
    texels: Vec<u32>,
    pub columns: usize,
}

impl Level {
    /// A level from unpadded rows of `columns` texels.
    fn new(unpadded: &[u32], columns: usize) -> Level {
        let mut texels = Vec::with_capacity(unpadded.len() / columns.max(1) * (columns + 2));
        for row in unpadded.chunks_exact(columns.max(1)) {
            texels.push(row[0]);
            texels.extend_from_slice(row);
            texels.push(row[row.len() - 1]);
        }
        Level { texels, columns }
    }

    /// Row `row` of the level, padded: `columns + 2` texels, texel `c` of the ring at `c + 1`.
    pub fn row(&self, row: usize) -> &[u32] {
        let stride = self.columns + 2;
        &self.texels[row * stride..(row + 1) * stride]
    }

    pub fn rows(&self) -> usize {
        self.texels.len() / (self.columns + 2)
    }
}

/// One strip's planes, right, left, top, bottom, each with its levels.
pub(super) struct MipStrip {
    planes: [Vec<Level>; 4],
}

impl MipStrip {
    /// The levels of every plane of an RGBA strip laid out as `ExpMap::render_strip` makes it.
    pub(super) fn new(map: &ExpMap, rgba: &[u8]) -> MipStrip {
        // The four planes in parallel: a strip's levels take a few milliseconds.
        let mut planes: Vec<Vec<Level>> = vec![Vec::new(); 4];
        for_each_chunk(&mut planes, 1, |index, plane| {
            let side = Side::ALL[index];
            let edge = map.edge(side);
            let samples = map.plane_range(side);
            let bytes =
                &rgba[(samples.start * 4).min(rgba.len())..(samples.end * 4).min(rgba.len())];
            let mut base: Vec<u32> = (bytes.chunks_exact(4))
                .map(|px| u32::from_le_bytes([px[0], px[1], px[2], px[3]]))
                .collect();
            // A short strip (a render that stopped early) reads black where it has no samples.
            base.resize(edge.plane_len(), u32::from_le_bytes([0, 0, 0, 255]));
            let mut levels = vec![Level::new(&base, edge.samples as usize)];
            for _ in 1..LEVELS {
                let half = halve(levels.last().expect("level 0 is there"));
                levels.push(half);
            }
            plane[0] = levels;
        });
        let planes = <[Vec<Level>; 4]>::try_from(planes).unwrap_or_else(|_| unreachable!());
        MipStrip { planes }
    }

    /// Level `level` of `side`'s plane.
    pub(super) fn level(&self, side: Side, level: usize) -> &Level {
        &self.planes[side as usize][level]
    }
}

/// The next level: each texel the rounded mean of a 2×2 block, two channels at a time in the
/// halves of a `u32` (four 8-bit values sum to at most 1020, which fits in 16 bits).
fn halve(below: &Level) -> Level {
    let columns = below.columns / 2;
    let rows = below.rows() / 2;
    let mut texels = vec![0; columns * rows];
    for (r, out) in texels.chunks_exact_mut(columns.max(1)).enumerate() {
        let (upper, lower) = (&below.row(2 * r)[1..], &below.row(2 * r + 1)[1..]);
        for (c, texel) in out.iter_mut().enumerate() {
            let quad = [
                upper[2 * c],
                upper[2 * c + 1],
                lower[2 * c],
                lower[2 * c + 1],
            ];
            let even = (quad[0] & 0x00ff_00ff)
                + (quad[1] & 0x00ff_00ff)
                + (quad[2] & 0x00ff_00ff)
                + (quad[3] & 0x00ff_00ff);
            let odd = ((quad[0] >> 8) & 0x00ff_00ff)
                + ((quad[1] >> 8) & 0x00ff_00ff)
                + ((quad[2] >> 8) & 0x00ff_00ff)
                + ((quad[3] >> 8) & 0x00ff_00ff);
            let even = ((even + 0x0002_0002) >> 2) & 0x00ff_00ff;
            let odd = ((odd + 0x0002_0002) >> 2) & 0x00ff_00ff;
            *texel = even | (odd << 8);
        }
    }
    Level::new(&texels, columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_level_averages_two_by_two_blocks_per_channel() {
        // A 4×2 level whose texel (c, r) has channels (c, r, c + r, 255), as little-endian u32.
        let texel = |c: u32, r: u32| u32::from_le_bytes([c as u8, r as u8, (c + r) as u8, 255]);
        let below = Level::new(
            &[
                texel(0, 0),
                texel(1, 0),
                texel(2, 0),
                texel(3, 0),
                texel(0, 1),
                texel(1, 1),
                texel(2, 1),
                texel(3, 1),
            ],
            4,
        );
        let half = halve(&below);
        assert_eq!((half.columns, half.rows()), (2, 1));
        // Columns 2–3, rows 0–1: means 2.5, 0.5, 3, 255, rounded half up.
        assert_eq!(half.row(0)[2].to_le_bytes(), [3, 1, 3, 255]);
        assert_eq!(half.row(0)[1].to_le_bytes(), [1, 1, 1, 255]);
        // The padding repeats each end.
        assert_eq!(half.row(0)[0], half.row(0)[1]);
        assert_eq!(half.row(0)[3], half.row(0)[2]);
    }
}
