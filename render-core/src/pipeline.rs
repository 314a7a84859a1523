//! The render pipeline: bands from an `EscapeSource`, coloured (png) or counted (npy), streamed
//! into an encoder as they arrive. Memory is one band, whatever the image size.

use std::io::Write;
use std::time::Duration;

use crate::band::{Band, plan_bands};
use crate::colour::Colorizer;
use crate::encode::{NpyStreamEncoder, PngStreamEncoder};
use crate::escape::EscapeSample;
use crate::params::{OutputFormat, Precision, RenderParams};
use crate::source::EscapeSource;
use crate::stop::StopFlag;

/// What the caller wants after a band: go on, or stop now (cancellation).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Cancel,
}

/// Progress after a band.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Progress {
    pub bands_done: usize,
    pub bands_total: usize,
    pub rows_done: u32,
    /// `rows_done / height`, in 0.0 ..= 1.0.
    pub fraction: f64,
}

/// Totals of a finished render, for benchmarks and metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RenderStats {
    /// Sum of escape counts over every sample: the work done, in iterations.
    pub escape_iterations: u64,
    pub samples: u64,
    /// Time spent in `compute_band` alone.
    pub compute_time: Duration,
    /// The arithmetic used: `auto` resolved (`f32`, `f64` or `deep`), for the job record.
    pub precision: Precision,
}

/// Why a render stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RenderError<E: std::error::Error + 'static> {
    #[error("the render was canceled")]
    Canceled,
    #[error("the render backend failed: {0}")]
    Source(#[source] E),
    #[error("writing the output failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Renders `params` (valid; normalised here) through `source` into `out`.
///
/// `on_band` runs after every band with the progress so far; returning `Flow::Cancel` stops the
/// render before the next band (it is also asked once before the first band). `stop` stops it
/// inside a band (see [`EscapeSource::compute_band`]); both end in [`RenderError::Canceled`].
pub fn render_to_writer<S, W>(
    params: &RenderParams,
    source: &mut S,
    out: W,
    stop: &StopFlag,
    on_band: &mut dyn FnMut(Progress) -> Flow,
) -> Result<RenderStats, RenderError<S::Error>>
where
    S: EscapeSource + ?Sized,
    W: Write,
{
    let params = params.normalized();
    let bands = plan_bands(params.width, params.height, params.supersample);
    let mut encoder = match params.format {
        OutputFormat::Png => Encoder::Png(Box::new(PngOutput {
            png: PngStreamEncoder::new(out, &params)?,
            colorizer: Colorizer::new(&params),
            rgba: Vec::new(),
        })),
        OutputFormat::Npy => Encoder::Npy(NpyStreamEncoder::new(out, params.width, params.height)?),
    };
    let ss = params.supersample as usize;
    let samples_per_row = params.width as usize * ss * ss;
    let mut samples = Vec::<EscapeSample>::new();
    let mut stats = RenderStats {
        precision: params.resolved_precision(),
        ..RenderStats::default()
    };
    let mut progress = Progress {
        bands_done: 0,
        bands_total: bands.len(),
        rows_done: 0,
        fraction: 0.0,
    };
    if stop.is_stopped() || on_band(progress) == Flow::Cancel {
        return Err(RenderError::Canceled);
    }
    for band in &bands {
        if stop.is_stopped() {
            return Err(RenderError::Canceled);
        }
        samples.resize(
            samples_per_row * band.rows as usize,
            EscapeSample::default(),
        );
        let started = std::time::Instant::now();
        source
            .compute_band(&params, *band, &mut samples, stop)
            .map_err(RenderError::Source)?;
        if stop.is_stopped() {
            // The band may be partly computed: it must not reach the output.
            return Err(RenderError::Canceled);
        }
        stats.compute_time += started.elapsed();
        stats.samples += samples.len() as u64;
        stats.escape_iterations += samples.iter().map(|s| u64::from(s.count)).sum::<u64>();
        encoder.write_band(*band, &samples)?;
        progress.bands_done += 1;
        progress.rows_done = band.y0 + band.rows;
        progress.fraction = f64::from(progress.rows_done) / f64::from(params.height);
        if on_band(progress) == Flow::Cancel && progress.bands_done < progress.bands_total {
            return Err(RenderError::Canceled);
        }
    }
    encoder.finish()?;
    Ok(stats)
}

/// Renders `params` (valid; normalised here) as colour into `rgba`, in memory: `width × height`
/// RGBA8 pixels, top row first, as the PNG output would hold them (a video frame). The memory is
/// the image and one band. `stop` ends it like [`render_to_writer`]'s.
pub fn render_rgba<S>(
    params: &RenderParams,
    source: &mut S,
    stop: &StopFlag,
    rgba: &mut Vec<u8>,
) -> Result<RenderStats, RenderError<S::Error>>
where
    S: EscapeSource + ?Sized,
{
    let params = params.normalized();
    let colorizer = Colorizer::new(&params);
    let ss = params.supersample as usize;
    let samples_per_row = params.width as usize * ss * ss;
    let mut samples = Vec::<EscapeSample>::new();
    let mut band_rgba = Vec::new();
    let mut stats = RenderStats {
        precision: params.resolved_precision(),
        ..RenderStats::default()
    };
    rgba.clear();
    rgba.reserve(params.pixel_count() as usize * 4);
    for band in plan_bands(params.width, params.height, params.supersample) {
        samples.resize(
            samples_per_row * band.rows as usize,
            EscapeSample::default(),
        );
        let started = std::time::Instant::now();
        source
            .compute_band(&params, band, &mut samples, stop)
            .map_err(RenderError::Source)?;
        if stop.is_stopped() {
            return Err(RenderError::Canceled);
        }
        stats.compute_time += started.elapsed();
        stats.samples += samples.len() as u64;
        stats.escape_iterations += samples.iter().map(|s| u64::from(s.count)).sum::<u64>();
        colorizer.colour_band(&samples, band.rows, &mut band_rgba);
        rgba.extend_from_slice(&band_rgba);
    }
    Ok(stats)
}

enum Encoder<W: Write> {
    /// Boxed: the colourer's tables make this variant much larger than the other.
    Png(Box<PngOutput<W>>),
    Npy(NpyStreamEncoder<W>),
}

/// PNG output: colour each band, then encode it.
struct PngOutput<W: Write> {
    png: PngStreamEncoder<W>,
    colorizer: Colorizer,
    /// The current band's RGBA bytes, reused.
    rgba: Vec<u8>,
}

impl<W: Write> Encoder<W> {
    fn write_band(&mut self, band: Band, samples: &[EscapeSample]) -> std::io::Result<()> {
        match self {
            Encoder::Png(output) => {
                let PngOutput {
                    png,
                    colorizer,
                    rgba,
                } = output.as_mut();
                colorizer.colour_band(samples, band.rows, rgba);
                png.write_rows(rgba)
            }
            Encoder::Npy(npy) => npy.write_counts(samples),
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            Encoder::Png(output) => output.png.finish(),
            Encoder::Npy(npy) => npy.finish(),
        }
    }
}
