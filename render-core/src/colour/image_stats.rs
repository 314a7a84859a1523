//! What the image-wide colour mappings (`linear`, `log`, `histogram`) need to know about the
//! whole image before its first pixel is coloured: how many exterior samples escaped at each
//! count. Gathered band by band, so it costs one pass over the samples and no image in memory.

use crate::escape::EscapeSample;
use crate::params::ColourMapping;

/// The histogram of exterior escape counts of one image (interior samples are not counted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageStats {
    max_iter: u32,
    /// `histogram[k]`: exterior samples that escaped at count `k` (`k < max_iter`).
    histogram: Vec<u64>,
}

impl ImageStats {
    pub fn new(max_iter: u32) -> ImageStats {
        ImageStats {
            max_iter,
            histogram: vec![0; max_iter as usize],
        }
    }

    /// Counts a run of samples (any band, any order).
    pub fn add(&mut self, samples: &[EscapeSample]) {
        for s in samples {
            if let Some(bin) = self.histogram.get_mut(s.count as usize) {
                *bin += 1;
            }
        }
    }

    /// The smallest and largest exterior count; `None` when every sample is interior.
    pub fn count_range(&self) -> Option<(u32, u32)> {
        let first = self.histogram.iter().position(|&n| n > 0)?;
        let last = self.histogram.iter().rposition(|&n| n > 0)?;
        Some((first as u32, last as u32))
    }

    /// The palette position of every count `0..max_iter` under an image-wide `mapping`:
    ///
    /// - `linear`: `(k − min) / (max − min)`,
    /// - `log`: `ln(1 + k − min) / ln(1 + max − min)`,
    /// - `histogram`: the share of exterior samples with a count below `k`,
    ///
    /// each clamped to `[0, 1]`, and 0 for an image with a single exterior count (or none).
    pub fn positions_by_count(&self, mapping: ColourMapping) -> Vec<f32> {
        let n = self.max_iter as usize;
        let Some((min, max)) = self.count_range() else {
            return vec![0.0; n];
        };
        let span = f64::from(max - min);
        let above_min = |k: usize| (k as f64 - f64::from(min)).max(0.0);
        match mapping {
            ColourMapping::Linear if span > 0.0 => (0..n)
                .map(|k| (above_min(k) / span).min(1.0) as f32)
                .collect(),
            ColourMapping::Log if span > 0.0 => {
                let scale = (1.0 + span).ln();
                (0..n)
                    .map(|k| ((1.0 + above_min(k)).ln() / scale).min(1.0) as f32)
                    .collect()
            }
            ColourMapping::Histogram => {
                let total: u64 = self.histogram.iter().sum();
                let mut below = 0u64;
                self.histogram
                    .iter()
                    .map(|&here| {
                        let t = below as f64 / total as f64;
                        below += here;
                        t as f32
                    })
                    .collect()
            }
            _ => vec![0.0; n],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(count: u32) -> EscapeSample {
        EscapeSample { count, norm2: 5.0 }
    }

    #[test]
    fn interior_samples_are_not_counted() {
        let mut stats = ImageStats::new(10);
        stats.add(&[sample(10), sample(3), sample(7), sample(10)]);
        assert_eq!(stats.count_range(), Some((3, 7)));
        let mut interior_only = ImageStats::new(10);
        interior_only.add(&[sample(10)]);
        assert_eq!(interior_only.count_range(), None);
        assert_eq!(
            interior_only.positions_by_count(ColourMapping::Linear),
            vec![0.0; 10]
        );
    }
}
