//! `EscapeSource`: anything that can fill a band with escape samples. The CPU renderer here and
//! the GPU renderer in render-gpu both implement it, so colouring, encoding, progress and
//! cancellation are written once, in `pipeline`.

use crate::band::Band;
use crate::escape::EscapeSample;
use crate::params::RenderParams;
use crate::stop::StopFlag;

/// A backend that computes escape samples.
pub trait EscapeSource {
    type Error: std::error::Error + Send + Sync + 'static;

    /// Fills `out` with the samples of `band`: `band.rows * supersample` sample rows of
    /// `width * supersample` samples each, row-major, top row first. `params` are normalised
    /// (precision resolved) and valid.
    ///
    /// `stop` is checked inside the band (the CPU before every piece of a row, the GPU between
    /// submissions): once it is raised the call returns `Ok` early with `out` partly filled, and
    /// the caller must not use the band (the pipeline checks the flag after every call).
    fn compute_band(
        &mut self,
        params: &RenderParams,
        band: Band,
        out: &mut [EscapeSample],
        stop: &StopFlag,
    ) -> Result<(), Self::Error>;

    /// Short name for logs and the job record: `cpu` or `gpu`.
    fn backend_name(&self) -> &'static str;
}
