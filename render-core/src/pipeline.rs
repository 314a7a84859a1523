//! The render pipeline: bands from an `EscapeSource`, coloured (png) or counted (npy), streamed
//! into an encoder as they arrive, and optionally into an escape-data file as well. Memory is one
//! band, whatever the image size: an image-wide colour mapping (`linear`, `log`, `histogram`)
//! costs a first pass over the bands that only counts, not an image held in memory.

use std::io::Write;
use std::time::Duration;

use crate::band::{Band, plan_bands};
use crate::colour::{Colorizer, ImageStats};
use crate::encode::{EscapesStreamEncoder, NpyStreamEncoder, PngStreamEncoder};
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
    render_to_outputs(params, source, out, None, stop, on_band)
}

/// [`render_to_writer`], also writing every sample to `escapes` (`encode::EscapesStreamEncoder`)
/// when given, so that the image can later be coloured again without iterating
/// (`colour::StoredEscapes`).
pub fn render_to_outputs<S, W>(
    params: &RenderParams,
    source: &mut S,
    out: W,
    escapes: Option<&mut dyn Write>,
    stop: &StopFlag,
    on_band: &mut dyn FnMut(Progress) -> Flow,
) -> Result<RenderStats, RenderError<S::Error>>
where
    S: EscapeSource + ?Sized,
    W: Write,
{
    let params = params.normalized();
    let bands = plan_bands(params.width, params.height, params.supersample);
    let ss = params.supersample;
    let mut escapes = match escapes {
        Some(w) => Some(EscapesStreamEncoder::new(
            w,
            params.height * ss,
            params.width * ss,
        )?),
        None => None,
    };
    let counting_pass =
        params.format == OutputFormat::Png && params.colour_mapping.needs_image_stats();
    let passes = if counting_pass { 2 } else { 1 };
    let mut run = BandRun {
        params: &params,
        samples_per_row: params.width as usize * (ss * ss) as usize,
        samples: Vec::new(),
        stats: RenderStats {
            precision: params.resolved_precision(),
            ..RenderStats::default()
        },
        progress: Progress {
            bands_done: 0,
            bands_total: bands.len() * passes,
            rows_done: 0,
            fraction: 0.0,
        },
        pass: 0,
        passes,
    };
    if stop.is_stopped() || on_band(run.progress) == Flow::Cancel {
        return Err(RenderError::Canceled);
    }
    let mut image_stats = ImageStats::new(params.max_iter);
    if counting_pass {
        for band in &bands {
            run.compute(source, *band, stop)?;
            image_stats.add(&run.samples);
            if let Some(escapes) = escapes.as_mut() {
                escapes.write_samples(&run.samples)?;
            }
            run.band_done(*band, on_band)?;
        }
        run.pass = 1;
    }
    let mut encoder = match params.format {
        OutputFormat::Png => Encoder::Png(Box::new(PngOutput {
            png: PngStreamEncoder::new(out, &params)?,
            colorizer: Colorizer::with_stats(&params, &image_stats),
            rgba: Vec::new(),
        })),
        OutputFormat::Npy => Encoder::Npy(NpyStreamEncoder::new(out, params.width, params.height)?),
    };
    for band in &bands {
        run.compute(source, *band, stop)?;
        if let Some(escapes) = escapes.as_mut().filter(|_| !counting_pass) {
            escapes.write_samples(&run.samples)?;
        }
        encoder.write_band(*band, &run.samples)?;
        run.band_done(*band, on_band)?;
    }
    encoder.finish()?;
    if let Some(escapes) = escapes {
        escapes.finish()?;
    }
    Ok(run.stats)
}

/// The state of one render's walk over its bands (one or two passes).
struct BandRun<'a> {
    params: &'a RenderParams,
    samples_per_row: usize,
    /// The current band's samples, reused.
    samples: Vec<EscapeSample>,
    stats: RenderStats,
    progress: Progress,
    pass: usize,
    passes: usize,
}

impl BandRun<'_> {
    fn compute<S: EscapeSource + ?Sized>(
        &mut self,
        source: &mut S,
        band: Band,
        stop: &StopFlag,
    ) -> Result<(), RenderError<S::Error>> {
        if stop.is_stopped() {
            return Err(RenderError::Canceled);
        }
        self.samples.resize(
            self.samples_per_row * band.rows as usize,
            EscapeSample::default(),
        );
        let started = std::time::Instant::now();
        source
            .compute_band(self.params, band, &mut self.samples, stop)
            .map_err(RenderError::Source)?;
        if stop.is_stopped() {
            // The band may be partly computed: it must not reach the output.
            return Err(RenderError::Canceled);
        }
        self.stats.compute_time += started.elapsed();
        self.stats.samples += self.samples.len() as u64;
        self.stats.escape_iterations +=
            self.samples.iter().map(|s| u64::from(s.count)).sum::<u64>();
        Ok(())
    }

    fn band_done<E: std::error::Error + 'static>(
        &mut self,
        band: Band,
        on_band: &mut dyn FnMut(Progress) -> Flow,
    ) -> Result<(), RenderError<E>> {
        let p = &mut self.progress;
        p.bands_done += 1;
        p.rows_done = band.y0 + band.rows;
        let height = f64::from(self.params.height);
        p.fraction =
            (self.pass as f64 * height + f64::from(p.rows_done)) / (self.passes as f64 * height);
        if on_band(*p) == Flow::Cancel && p.bands_done < p.bands_total {
            return Err(RenderError::Canceled);
        }
        Ok(())
    }
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
