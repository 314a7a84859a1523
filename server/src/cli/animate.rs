//! `julia-server animate`: a zoom or morph video from a spec of keyframes (docs/DESIGN.md §8),
//! rendered here on a hardware GPU when there is one, else the CPU (`cli::backend`); or, with
//! `--server URL`, by a remote julia-server's workers (see [`remote`]).
//!
//! The format follows `--output`: `.mp4` (H.264), `.webm` (VP9) or a folder of PNG frames. Bad
//! input is one line naming the field and exit code 2, as for `render`; a video appears under its
//! name only when complete.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use render_core::{ParseError, StopFlag};

use crate::animation::local::{AnimateError, FrameRenderer, Method, PngFolder, render_animation};
use crate::animation::{AnimationLimits, FfmpegEncoder, FrameInput, OutputKind, parse_spec};
use crate::cli::backend::BackendChoice;
use crate::cli::logging::init_logging;

mod remote;

const EXIT_BAD_INPUT: u8 = 2;
const EXIT_FAILED: u8 = 1;

#[derive(clap::Args, Debug)]
pub struct AnimateArgs {
    /// Animation spec JSON: width, height, fps, supersample and keyframes ({"t", "view"}).
    #[arg(long, value_name = "ANIM.json")]
    pub spec: PathBuf,
    /// `.mp4` (H.264), `.webm` (VP9), or a folder for PNG frames.
    #[arg(long, short, value_name = "OUT.mp4|OUT.webm|DIR/")]
    pub output: PathBuf,
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: BackendChoice,
    /// Render every frame, even of a pure zoom, which is otherwise resampled from
    /// exponential-map strips rendered on the CPU (about 3.5× faster on a 2-core CPU,
    /// docs/BENCHMARKS.md "Zoom video"; on a GPU host, rendering each frame on the GPU may be
    /// faster still).
    #[arg(long)]
    pub frame_by_frame: bool,
    /// Render on the julia-server at this URL (`http://HOST:PORT`) instead of here: the spec goes
    /// to its `POST /api/animations`, its frames are followed, and the video is saved to --output.
    #[arg(long, value_name = "URL")]
    pub server: Option<String>,
    /// API key for --server, sent as `Authorization: Bearer KEY`.
    #[arg(
        long,
        env = "JULIA_API_KEY",
        hide_env_values = true,
        value_name = "KEY"
    )]
    pub api_key: Option<String>,
}

pub fn run(args: AnimateArgs) -> ExitCode {
    init_logging("warn");
    match animate(&args) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err((code, message)) => {
            eprintln!("julia-server animate: {message}");
            ExitCode::from(code)
        }
    }
}

fn animate(args: &AnimateArgs) -> Result<String, (u8, String)> {
    let bad = |m: String| (EXIT_BAD_INPUT, m);
    let failed = |m: String| (EXIT_FAILED, m);
    let text = std::fs::read_to_string(&args.spec)
        .map_err(|e| bad(format!("cannot read {}: {e}", args.spec.display())))?;
    let spec = parse_spec(&text, &AnimationLimits::default()).map_err(|e| match e {
        ParseError::Malformed(m) => bad(format!("malformed JSON in {}: {m}", args.spec.display())),
        ParseError::Invalid(e) => bad(e.to_string()),
    })?;
    let kind =
        OutputKind::of_path(&args.output).map_err(|m| bad(format!("invalid `output`: {m}")))?;
    if let Some(server) = &args.server {
        // The server checks every frame against its own limits, which may differ from these.
        return remote::animate_remote(server, args.api_key.as_deref(), &text, &args.output, kind)
            .map_err(|stop| (stop.code, stop.message));
    }
    crate::animation::local::check_frames(&spec).map_err(|e| bad(e.to_string()))?;

    let backends = args.backend.detect();
    let Some(target) = args.backend.target(backends.gpus()) else {
        return Err(failed("--backend gpu: no usable GPU adapter found".into()));
    };
    let mut renderer = FrameRenderer::new(&backends, target);
    let frames = spec.frame_count();
    let bar = progress_bar(frames);
    let mut on_frame = |done: u64| {
        if let Some(bar) = &bar {
            bar.set_position(done);
        }
    };
    let stop = StopFlag::new();
    let fast = !args.frame_by_frame;
    let started = Instant::now();
    let method = match kind {
        OutputKind::PngFrames => {
            std::fs::create_dir_all(&args.output)
                .map_err(|e| failed(format!("cannot create {}: {e}", args.output.display())))?;
            let mut sink = PngFolder(args.output.clone());
            render_animation(&spec, &mut renderer, &mut sink, fast, &stop, &mut on_frame)
        }
        OutputKind::Mp4 | OutputKind::Webm => {
            let temp = partial_name(&args.output)?;
            let input = FrameInput::Rgba {
                width: spec.width,
                height: spec.height,
            };
            let result = FfmpegEncoder::start(kind, input, spec.fps, &temp)
                .map_err(AnimateError::from)
                .and_then(|mut encoder| {
                    let method = render_animation(
                        &spec,
                        &mut renderer,
                        &mut encoder,
                        fast,
                        &stop,
                        &mut on_frame,
                    )?;
                    encoder.finish()?;
                    Ok(method)
                })
                .and_then(|method| {
                    std::fs::rename(&temp, &args.output)
                        .map(|()| method)
                        .map_err(|source| AnimateError::Io {
                            path: args.output.display().to_string(),
                            source,
                        })
                });
            if result.is_err() {
                let _ = std::fs::remove_file(&temp);
            }
            result
        }
    };
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let method = method.map_err(|e| match e {
        AnimateError::Invalid(e) => bad(e.to_string()),
        other => failed(other.to_string()),
    })?;
    let how = match method {
        Method::ExpMap { strips } => format!("resampled from {strips} exponential-map strips"),
        Method::FrameByFrame => "rendered frame by frame".to_string(),
    };
    Ok(format!(
        "{}: {frames} frames {}x{} at {} fps ({:.2} s of video), {how}, in {:.2} s",
        args.output.display(),
        spec.width,
        spec.height,
        spec.fps,
        frames as f64 / f64::from(spec.fps),
        started.elapsed().as_secs_f64()
    ))
}

/// A temporary name beside `path` that keeps it hidden until the video is complete.
fn partial_name(path: &Path) -> Result<PathBuf, (u8, String)> {
    let name = path.file_name().ok_or_else(|| {
        (
            EXIT_BAD_INPUT,
            format!("invalid `output`: {} names no file", path.display()),
        )
    })?;
    Ok(path.with_file_name(format!(
        ".{}.{}.partial",
        name.to_string_lossy(),
        std::process::id()
    )))
}

/// A progress bar over frames, only when a person is watching stderr.
fn progress_bar(frames: u64) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(frames);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} frames (eta {eta})",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}
