//! The tiled multi-core CPU renderer: the server's fallback and the browser's preview engine.

use std::convert::Infallible;
use std::sync::Arc;

use crate::band::Band;
use crate::deep::DeepView;
use crate::escape::EscapeSample;
use crate::kernel::{escape_row_f32, escape_row_f64};
use crate::par::for_each_row_piece;
use crate::params::{Precision, RenderParams};
use crate::source::EscapeSource;
use crate::stop::StopFlag;
use crate::viewport::Viewport;

/// Computes bands on the CPU, rows in parallel on a rayon pool.
#[derive(Clone, Default)]
pub struct CpuSource {
    /// The pool to run on; `None` uses rayon's global pool (or the calling thread on wasm32).
    pool: Option<Arc<rayon::ThreadPool>>,
    /// Column tables, cached per image so each band does not recompute them.
    columns: Option<ColumnCache>,
    /// The deep-zoom view of the image being rendered (orbits, linear start), keyed by its hash.
    deep: Option<(String, Arc<DeepView>)>,
}

#[derive(Clone)]
struct ColumnCache {
    key: (u32, u32, u64, u64),
    re64: Vec<f64>,
    re32: Vec<f32>,
}

impl CpuSource {
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs on `pool` instead of rayon's global pool (the server uses a low-priority pool).
    pub fn with_pool(pool: Arc<rayon::ThreadPool>) -> Self {
        Self {
            pool: Some(pool),
            columns: None,
            deep: None,
        }
    }

    fn columns(&mut self, vp: &Viewport) -> &ColumnCache {
        let key = (
            vp.width,
            vp.supersample,
            vp.step.to_bits(),
            vp.center.re.to_bits(),
        );
        if self.columns.as_ref().map(|c| c.key) != Some(key) {
            let re64 = vp.column_re();
            let re32 = re64.iter().map(|&x| x as f32).collect();
            self.columns = Some(ColumnCache { key, re64, re32 });
        }
        self.columns.as_ref().expect("just filled")
    }
}

impl EscapeSource for CpuSource {
    type Error = Infallible;

    fn compute_band(
        &mut self,
        params: &RenderParams,
        band: Band,
        out: &mut [EscapeSample],
        stop: &StopFlag,
    ) -> Result<(), Infallible> {
        if params.resolved_precision() == Precision::Deep {
            self.compute_band_deep(params, band, out, stop);
            return Ok(());
        }
        let vp = Viewport::new(params);
        let pool = self.pool.clone();
        let cols = self.columns(&vp).clone_ref();
        let row_len = vp.sample_width() as usize;
        let ss = vp.supersample;
        let max_iter = params.max_iter;
        let r2 = params.escape_radius * params.escape_radius;
        let f64_mode = params.resolved_precision() == Precision::F64;
        let (c_re, c_im) = (params.c.re, params.c.im);
        let mut run = move || {
            let piece_len = piece_len(row_len, band.rows as usize * ss as usize, max_iter);
            for_each_row_piece(out, row_len, piece_len, |r, x0, piece| {
                // Checked before every piece, and a piece is bounded in work, so a stopped render
                // ends within one piece per thread however heavy the band is.
                if stop.is_stopped() {
                    return;
                }
                let y = vp.sample_im(band.y0 * ss + r as u32);
                let x1 = x0 + piece.len();
                if f64_mode {
                    escape_row_f64(&cols.re64[x0..x1], y, c_re, c_im, max_iter, r2, piece);
                } else {
                    let (y, c_re, c_im) = (y as f32, c_re as f32, c_im as f32);
                    escape_row_f32(
                        &cols.re32[x0..x1],
                        y,
                        c_re,
                        c_im,
                        max_iter,
                        r2 as f32,
                        piece,
                    );
                }
            });
        };
        match pool {
            Some(pool) => pool.install(run),
            None => run(),
        }
        Ok(())
    }

    fn backend_name(&self) -> &'static str {
        "cpu"
    }
}

impl CpuSource {
    /// The deep view for `params`, prepared once per image (the reference orbits themselves are
    /// shared between images through the orbit cache). `None` when stopped while preparing.
    pub fn deep_view(&mut self, params: &RenderParams, stop: &StopFlag) -> Option<Arc<DeepView>> {
        let key = crate::canonical_hash(params);
        if let Some((cached, view)) = &self.deep
            && *cached == key
        {
            return Some(Arc::clone(view));
        }
        let run = || DeepView::prepare(params, stop);
        let view = Arc::new(match &self.pool {
            Some(pool) => pool.install(run)?,
            None => run()?,
        });
        self.deep = Some((key, Arc::clone(&view)));
        Some(view)
    }

    /// [`EscapeSource::compute_band`] by perturbation (`crate::deep`), rows in parallel like the
    /// f64 kernels, with the same pieces and stop checks.
    fn compute_band_deep(
        &mut self,
        params: &RenderParams,
        band: Band,
        out: &mut [EscapeSample],
        stop: &StopFlag,
    ) {
        let Some(view) = self.deep_view(params, stop) else {
            return;
        };
        let ss = params.supersample;
        let row_len = (params.width * ss) as usize;
        let max_iter = params.max_iter.saturating_sub(view.skipped_iterations());
        let mut run = || {
            let piece_len = piece_len(row_len, band.rows as usize * ss as usize, max_iter);
            for_each_row_piece(out, row_len, piece_len, |r, x0, piece| {
                if stop.is_stopped() {
                    return;
                }
                view.compute_row(band.y0 * ss + r as u32, x0, piece);
            });
        };
        match &self.pool {
            Some(pool) => pool.install(run),
            None => run(),
        }
    }
}

/// Fewest samples worth a task of their own: below this, scheduling would cost more than it saves.
const MIN_PIECE: usize = 256;

/// Worst-case sample-iterations of one piece: between two checks of the stop flag a thread does
/// at most this much work, about 10-30 ms on one core (f32 SIMD to scalar f64), so a canceled or
/// timed-out render stops within tens of milliseconds even at `max_iter` 10^6.
pub const MAX_PIECE_WORK: u64 = 1 << 24;

/// Fewest samples of a piece however heavy each sample is (a whole SIMD batch or two).
const MIN_HEAVY_PIECE: usize = 16;

/// How long a piece of a row one task computes: whole rows when the band has plenty of them,
/// otherwise rows split so that every thread of the pool gets several pieces; and never more
/// than [`MAX_PIECE_WORK`] sample-iterations, so that the stop flag is checked often.
fn piece_len(row_len: usize, rows: usize, max_iter: u32) -> usize {
    let by_work = (MAX_PIECE_WORK / u64::from(max_iter.max(1))) as usize;
    let by_work = by_work.max(MIN_HEAVY_PIECE);
    let wanted_tasks = 4 * current_threads();
    let by_threads = if rows >= wanted_tasks {
        row_len
    } else {
        let pieces_per_row = wanted_tasks.div_ceil(rows.max(1));
        row_len.div_ceil(pieces_per_row).max(MIN_PIECE)
    };
    by_threads.min(by_work).min(row_len).max(1)
}

/// Threads of the pool this call runs in (1 where there are no threads).
fn current_threads() -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    {
        rayon::current_num_threads()
    }
    #[cfg(target_arch = "wasm32")]
    {
        1
    }
}

/// Borrowed views of the column tables, cheap to share across rayon tasks.
struct ColumnRefs<'a> {
    re64: &'a [f64],
    re32: &'a [f32],
}

impl ColumnCache {
    fn clone_ref(&self) -> ColumnRefs<'_> {
        ColumnRefs {
            re64: &self.re64,
            re32: &self.re32,
        }
    }
}
