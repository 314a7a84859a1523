//! How a band is cut into GPU dispatches: chunks of whole sample rows that fit the adapter's
//! buffer and dispatch limits, and slices of the iteration range short enough that no single
//! dispatch can trip a driver watchdog.

use render_core::gpu_layout::{WORKGROUP_SIZE, Z_STATE_BYTES};

use super::error::GpuError;

/// Worst-case sample-iterations of one dispatch: 2^28 is ~0.2 s on a software rasteriser and
/// well under a millisecond on a datacenter GPU, far below any driver watchdog (~2 s).
pub const DEFAULT_WORK_PER_DISPATCH: u64 = 1 << 28;

/// Knobs of the dispatch plan. Defaults come from the adapter; tests shrink them to force
/// splitting on small images.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GpuTuning {
    /// At most this many samples per chunk (further capped by the adapter's limits).
    pub max_chunk_samples: u64,
    /// Worst-case sample-iterations per dispatch.
    pub work_per_dispatch: u64,
}

impl Default for GpuTuning {
    fn default() -> Self {
        Self {
            max_chunk_samples: u64::MAX,
            work_per_dispatch: DEFAULT_WORK_PER_DISPATCH,
        }
    }
}

/// The largest chunk the adapter allows: the biggest per-sample buffer (the `z` state) must fit
/// one binding and one buffer, and a 1-D dispatch has at most `max_compute_workgroups_per_dimension`
/// workgroups.
pub fn chunk_sample_limit(limits: &wgpu::Limits, tuning: &GpuTuning) -> u64 {
    chunk_sample_limit_for(limits, tuning, Z_STATE_BYTES)
}

/// [`chunk_sample_limit`] for a shader whose per-sample state takes `state_bytes` (the deep
/// shaders park more than `z`).
pub fn chunk_sample_limit_for(limits: &wgpu::Limits, tuning: &GpuTuning, state_bytes: u64) -> u64 {
    let by_binding = limits.max_storage_buffer_binding_size / state_bytes;
    let by_buffer = limits.max_buffer_size / state_bytes;
    let by_dispatch =
        u64::from(limits.max_compute_workgroups_per_dimension) * u64::from(WORKGROUP_SIZE);
    by_binding
        .min(by_buffer)
        .min(by_dispatch)
        .min(tuning.max_chunk_samples)
}

/// A run of whole sample rows `first_row .. first_row + rows` within a band.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    pub first_row: u32,
    pub rows: u32,
}

/// Cuts `rows` sample rows of `row_len` samples into chunks of at most `max_samples` samples.
pub fn chunks(row_len: u32, rows: u32, max_samples: u64) -> Result<Vec<Chunk>, GpuError> {
    let rows_per_chunk = max_samples / u64::from(row_len.max(1));
    if rows_per_chunk == 0 {
        return Err(GpuError::Unsupported(format!(
            "one sample row of {row_len} samples exceeds the adapter's limit of {max_samples} samples per dispatch"
        )));
    }
    let rows_per_chunk = rows_per_chunk.min(u64::from(rows)).max(1) as u32;
    Ok((0..rows.div_ceil(rows_per_chunk))
        .map(|i| {
            let first_row = i * rows_per_chunk;
            Chunk {
                first_row,
                rows: rows_per_chunk.min(rows - first_row),
            }
        })
        .collect())
}

/// Iteration ranges `[begin, end)` covering `start .. max_iter` (at least one range, empty when
/// `start == max_iter`: the samples still need their final escape test), each at most
/// `work_per_dispatch / samples` iterations long.
pub fn iteration_slices_from(
    start: u32,
    max_iter: u32,
    samples: u64,
    work_per_dispatch: u64,
) -> Vec<(u32, u32)> {
    let left = max_iter.saturating_sub(start);
    if left == 0 {
        return vec![(start, start.max(max_iter))];
    }
    iteration_slices(left, samples, work_per_dispatch)
        .map(|(begin, end)| (start + begin, start + end))
        .collect()
}

/// Iteration ranges `[begin, end)` covering `0 .. max_iter`, each at most
/// `work_per_dispatch / samples` iterations long (at least one).
pub fn iteration_slices(
    max_iter: u32,
    samples: u64,
    work_per_dispatch: u64,
) -> impl Iterator<Item = (u32, u32)> {
    let budget = (work_per_dispatch / samples.max(1)).clamp(1, u64::from(max_iter.max(1))) as u32;
    (0..max_iter.div_ceil(budget)).map(move |i| {
        let begin = i * budget;
        (begin, begin.saturating_add(budget).min(max_iter))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_every_row_once_within_the_limit() {
        let c = chunks(1000, 37, 10_000).unwrap();
        assert_eq!(c.iter().map(|c| c.rows).sum::<u32>(), 37);
        assert!(c.iter().all(|c| u64::from(c.rows) * 1000 <= 10_000));
        for pair in c.windows(2) {
            assert_eq!(pair[0].first_row + pair[0].rows, pair[1].first_row);
        }
        assert_eq!(c[0].first_row, 0);
    }

    #[test]
    fn a_row_wider_than_the_limit_is_unsupported() {
        assert!(matches!(chunks(100, 3, 99), Err(GpuError::Unsupported(_))));
    }

    #[test]
    fn iteration_slices_are_contiguous_and_bounded() {
        let slices: Vec<_> = iteration_slices(1000, 1 << 20, 1 << 28).collect();
        assert_eq!(slices.first().unwrap().0, 0);
        assert_eq!(slices.last().unwrap().1, 1000);
        for pair in slices.windows(2) {
            assert_eq!(pair[0].1, pair[1].0);
        }
        assert!(slices.iter().all(|(b, e)| e - b <= 256 && e > b));
        assert_eq!(
            iteration_slices(5, 1 << 40, 1).count(),
            5,
            "at least one iteration each"
        );
        assert_eq!(
            iteration_slices(1_000_000, 1, u64::MAX).collect::<Vec<_>>(),
            vec![(0, 1_000_000)]
        );
    }

    #[test]
    fn iteration_slices_from_a_start_cover_the_rest_once() {
        let slices = iteration_slices_from(700, 1000, 1 << 20, 1 << 28);
        assert_eq!(slices.first().unwrap().0, 700);
        assert_eq!(slices.last().unwrap().1, 1000);
        for pair in slices.windows(2) {
            assert_eq!(pair[0].1, pair[1].0);
        }
        assert_eq!(iteration_slices_from(50, 50, 10, 10), vec![(50, 50)]);
    }

    #[test]
    fn chunk_limit_respects_binding_buffer_and_dispatch_limits() {
        let limits = wgpu::Limits {
            max_storage_buffer_binding_size: 1 << 20,
            ..wgpu::Limits::default()
        };
        assert_eq!(
            chunk_sample_limit(&limits, &GpuTuning::default()),
            (1 << 20) / 16
        );
        let limits = wgpu::Limits {
            max_compute_workgroups_per_dimension: 10,
            ..wgpu::Limits::default()
        };
        assert_eq!(chunk_sample_limit(&limits, &GpuTuning::default()), 640);
    }
}
