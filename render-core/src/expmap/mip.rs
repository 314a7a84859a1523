//! A strip as the resampler reads it: column-major, with box-filtered levels of half, quarter …
//! the resolution (a mipmap).
//!
//! The map's cells are one frame pixel wide at the outermost radius `ρ_max` (pixels) and `ρ/ρ_max`
//! of a pixel at radius `ρ`, in every frame, so a pixel at `ρ` reads level `⌊log2(ρ_max/ρ)⌋`, where
//! cells are still no wider than a pixel: it averages the detail it covers instead of picking one
//! of `ρ_max/ρ` samples, and its texels are neighbours in memory. Columns (each angle's rows
//! together) because a level-0 read at radius `ρ` steps `ρ_max/ρ` rows per pixel radially.

/// Levels kept: 1, ½, ¼, ⅛ and 1/16 of the strip's resolution. Level `l` has `angles >> l`
/// columns and `rows >> l` rows; texel `(c, r)` averages the 2×2 texels `(2c.., 2r..)` of the
/// level below (an odd last column or row is left out of the coarser levels).
pub(super) const LEVELS: usize = 5;

/// One strip's levels, each column-major RGBA8.
pub(super) struct MipStrip {
    levels: Vec<Vec<u8>>,
    /// Rows (per column) of each level.
    rows: [usize; LEVELS],
}

impl MipStrip {
    /// The levels of a row-major RGBA strip `angles` pixels wide and `rows` tall.
    pub(super) fn new(row_major: &[u8], angles: usize, rows: usize) -> MipStrip {
        let mut base = vec![0; angles * rows * 4];
        for (row, line) in row_major.chunks_exact(angles * 4).take(rows).enumerate() {
            for (col, px) in line.chunks_exact(4).enumerate() {
                let at = (col * rows + row) * 4;
                base[at..at + 4].copy_from_slice(px);
            }
        }
        let mut levels = vec![base];
        let mut sizes = [0; LEVELS];
        sizes[0] = rows;
        for level in 1..LEVELS {
            let (below_rows, here_rows) = (sizes[level - 1], sizes[level - 1] / 2);
            let below = &levels[level - 1];
            let cols = angles >> level;
            let mut here = vec![0; cols * here_rows * 4];
            for col in 0..cols {
                for row in 0..here_rows {
                    let at = |c: usize, r: usize| (c * below_rows + r) * 4;
                    let quad = [
                        at(2 * col, 2 * row),
                        at(2 * col, 2 * row + 1),
                        at(2 * col + 1, 2 * row),
                        at(2 * col + 1, 2 * row + 1),
                    ];
                    for k in 0..4 {
                        let sum: u32 = quad.iter().map(|&q| u32::from(below[q + k])).sum();
                        here[(col * here_rows + row) * 4 + k] = ((sum + 2) / 4) as u8;
                    }
                }
            }
            sizes[level] = here_rows;
            levels.push(here);
        }
        MipStrip {
            levels,
            rows: sizes,
        }
    }

    /// Texel (`col`, `row`) of `level`.
    #[cfg(test)]
    fn texel(&self, level: usize, col: usize, row: usize) -> Option<[u8; 4]> {
        let (plane, rows) = self.level(level);
        let start = (col * rows + row) * 4;
        let px = plane.get(start..start + 4)?;
        Some([px[0], px[1], px[2], px[3]])
    }

    /// Level `level` (column-major RGBA8) and its rows per column.
    pub(super) fn level(&self, level: usize) -> (&[u8], usize) {
        (&self.levels[level], self.rows[level])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_average_two_by_two_and_read_back_by_column_and_row() {
        // A 32-angle, 16-row strip whose texel (col, row) is (col, row, col + row, 255).
        let (angles, rows) = (32, 16);
        let mut row_major = Vec::new();
        for row in 0..rows {
            for col in 0..angles {
                row_major.extend_from_slice(&[col as u8, row as u8, (col + row) as u8, 255]);
            }
        }
        let strip = MipStrip::new(&row_major, angles, rows);
        assert_eq!(strip.texel(0, 5, 9), Some([5, 9, 14, 255]));
        // Level 1 texel (2, 3) averages columns 4–5 and rows 6–7: (4.5, 6.5, 11) rounded.
        assert_eq!(strip.texel(1, 2, 3), Some([5, 7, 11, 255]));
        // Level 4: one texel per 16×16 block, 2 columns by 1 row.
        assert_eq!(strip.texel(4, 1, 0), Some([24, 8, 31, 255]));
        assert_eq!(strip.texel(4, 1, 1), None);
    }
}
