//! Rendering a whole animation in this process (`julia-server animate`): every frame in order into
//! a [`FrameSink`], one frame in memory at a time.
//!
//! A pure zoom whose frames all resolve in f64 is resampled from exponential-map strips
//! (`render_core::expmap`), rendered on the CPU as the frames reach them, and one ordinary core
//! frame; anything else is rendered frame by frame on the chosen back-end (the GPU with CPU
//! fallback, or the CPU; deep frames on the CPU, as jobs are).

use render_core::expmap::ExpMap;
use render_core::expmap::resample::{Core, Resampler, StripSet};
use render_core::{CpuSource, ParamError, Precision, RenderParams, StopFlag};
use render_gpu::gpu::GpuSource;
use render_gpu::render_backend::{Backends, FallbackSource, Target};

use super::interpolate::Interpolator;
use super::spec::AnimationSpec;
use super::video::{FfmpegEncoder, VideoError, frame_file, write_png_frame};

/// Why an animation stopped.
#[derive(Debug, thiserror::Error)]
pub enum AnimateError {
    #[error(transparent)]
    Invalid(#[from] ParamError),
    #[error("the animation was canceled")]
    Canceled,
    #[error(transparent)]
    Video(#[from] VideoError),
    #[error("writing {path} failed: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Where finished frames go, in order.
pub trait FrameSink {
    fn frame(&mut self, n: u64, params: &RenderParams, rgba: &[u8]) -> Result<(), AnimateError>;
}

impl FrameSink for FfmpegEncoder {
    fn frame(&mut self, _n: u64, _params: &RenderParams, rgba: &[u8]) -> Result<(), AnimateError> {
        Ok(self.push(rgba)?)
    }
}

/// A folder of `frame-NNNNNN.png` files.
pub struct PngFolder(pub std::path::PathBuf);

impl FrameSink for PngFolder {
    fn frame(&mut self, n: u64, params: &RenderParams, rgba: &[u8]) -> Result<(), AnimateError> {
        let path = frame_file(&self.0, n);
        write_png_frame(&path, params, rgba).map_err(|source| AnimateError::Io {
            path: path.display().to_string(),
            source,
        })
    }
}

/// How the frames were made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Resampled from this many exponential-map strips and one core frame.
    ExpMap {
        strips: u32,
    },
    FrameByFrame,
}

/// Renders single frames on one back-end.
pub struct FrameRenderer {
    gpu: Option<FallbackSource<GpuSource>>,
    cpu: CpuSource,
}

impl FrameRenderer {
    pub fn new(backends: &Backends, target: Target) -> FrameRenderer {
        let gpu = match target {
            Target::Cpu => None,
            Target::Gpu(index) => Some(
                match backends.gpu_source(index, render_gpu::gpu::GpuTuning::default()) {
                    Ok(gpu) => {
                        let name = gpu.context().info().name.clone();
                        FallbackSource::new(gpu, name, backends.cpu_source())
                    }
                    Err(err) => FallbackSource::failed(err.to_string(), backends.cpu_source()),
                },
            ),
        };
        FrameRenderer {
            gpu,
            cpu: backends.cpu_source(),
        }
    }

    /// One frame as RGBA into `rgba`.
    pub fn render(
        &mut self,
        params: &RenderParams,
        stop: &StopFlag,
        rgba: &mut Vec<u8>,
    ) -> Result<(), AnimateError> {
        let result = match &mut self.gpu {
            Some(gpu) if params.resolved_precision() != Precision::Deep => {
                render_core::render_rgba(params, gpu, stop, rgba).map(|_| ())
            }
            _ => render_core::render_rgba(params, &mut self.cpu, stop, rgba).map(|_| ()),
        };
        result.map_err(|e| match e {
            render_core::RenderError::Canceled => AnimateError::Canceled,
            other => AnimateError::Io {
                path: "a frame".into(),
                source: std::io::Error::other(other.to_string()),
            },
        })
    }
}

/// Checks every frame's parameters before anything renders, so a bad spec fails at once.
pub fn check_frames(spec: &AnimationSpec) -> Result<(), ParamError> {
    let interp = Interpolator::new(spec);
    (0..spec.frame_count()).try_for_each(|n| interp.frame(n).map(|_| ()))
}

/// The exponential map for `spec` when it is a pure zoom the map can render.
pub fn zoom_map(spec: &AnimationSpec) -> Option<ExpMap> {
    let interp = Interpolator::new(spec);
    if !interp.is_pure_zoom() {
        return None;
    }
    let widths = spec.keyframes.iter().map(|k| k.params.view_width);
    let widest = widths.clone().fold(f64::NEG_INFINITY, f64::max);
    let narrowest = widths.fold(f64::INFINITY, f64::min);
    ExpMap::new(&spec.keyframes[0].params, widest, narrowest)
}

/// Renders every frame of `spec` into `sink`, calling `on_frame` after each with the number
/// done. `fast_zoom` allows the exponential map for a pure zoom.
pub fn render_animation(
    spec: &AnimationSpec,
    renderer: &mut FrameRenderer,
    sink: &mut dyn FrameSink,
    fast_zoom: bool,
    stop: &StopFlag,
    on_frame: &mut dyn FnMut(u64),
) -> Result<Method, AnimateError> {
    check_frames(spec)?;
    let interp = Interpolator::new(spec);
    let mut rgba = Vec::new();
    let map = if fast_zoom { zoom_map(spec) } else { None };
    let Some(map) = map else {
        for n in 0..spec.frame_count() {
            let params = interp.frame(n)?;
            renderer.render(&params, stop, &mut rgba)?;
            sink.frame(n, &params, &rgba)?;
            on_frame(n + 1);
        }
        return Ok(Method::FrameByFrame);
    };
    let mut core_rgba = Vec::new();
    renderer.render(&map.core_params(), stop, &mut core_rgba)?;
    let core = Core {
        rgba: &core_rgba,
        view_width: map.core_params().view_width,
    };
    let mut resampler = Resampler::new(&map);
    let mut strips = StripSet::default();
    let mut rendered = 0u32;
    for n in 0..spec.frame_count() {
        let params = interp.frame(n)?;
        let width = interp.ln_view_width_at(interp.frame_time(n)).exp();
        strips.keep(&map, resampler.octaves_for(&map, width), |octave| {
            rendered += 1;
            let strip = map.render_strip(octave, stop);
            if stop.is_stopped() {
                return Err(AnimateError::Canceled);
            }
            Ok(strip)
        })?;
        resampler.frame(&map, &strips, &core, width, &mut rgba);
        sink.frame(n, &params, &rgba)?;
        on_frame(n + 1);
    }
    Ok(Method::ExpMap { strips: rendered })
}
