//! Video output (docs/DESIGN.md §8.3): frames streamed to the `ffmpeg` program's stdin, one at a
//! time, so memory stays one frame whatever the length; or a folder of PNG frames.
//!
//! MP4 is H.264 (libx264, yuv420p, `+faststart` so a browser can play it while it downloads);
//! WebM is VP9 (libvpx-vp9). Both play in Chromium. Frames go in as raw RGBA (rendered here) or as
//! PNG files (finished frame jobs, `image2pipe`), so neither path decodes or holds more than one.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::thread::JoinHandle;

/// The program run to encode; `JULIA_FFMPEG` names another.
pub const FFMPEG_ENV: &str = "JULIA_FFMPEG";

/// What a path asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputKind {
    Mp4,
    Webm,
    /// A folder of `frame-000000.png` files.
    PngFrames,
}

impl OutputKind {
    /// `.mp4` and `.webm` name videos; an existing folder, a path ending in `/` or a name without
    /// an extension names a folder of PNG frames.
    pub fn of_path(path: &Path) -> Result<OutputKind, String> {
        if path.is_dir() || path.as_os_str().to_string_lossy().ends_with('/') {
            return Ok(OutputKind::PngFrames);
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("mp4") => Ok(OutputKind::Mp4),
            Some(e) if e.eq_ignore_ascii_case("webm") => Ok(OutputKind::Webm),
            None => Ok(OutputKind::PngFrames),
            Some(e) => Err(format!(
                "cannot tell the format from the extension `.{e}`; use .mp4, .webm or a folder for PNG frames"
            )),
        }
    }

    pub fn mime_type(self) -> &'static str {
        match self {
            OutputKind::Mp4 => "video/mp4",
            OutputKind::Webm => "video/webm",
            OutputKind::PngFrames => "image/png",
        }
    }
}

/// How frames reach the encoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameInput {
    /// `width × height × 4` bytes of RGBA8 per frame.
    Rgba { width: u32, height: u32 },
    /// One complete PNG file per frame.
    Png,
}

/// Why a video could not be written.
#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    #[error(
        "cannot run `{program}`: {source} (install Debian's ffmpeg package; scripts/setup.sh does)"
    )]
    NoFfmpeg {
        program: String,
        source: std::io::Error,
    },
    #[error("ffmpeg stopped taking frames: {0}")]
    Pipe(std::io::Error),
    #[error("ffmpeg failed ({status}): {stderr}")]
    Failed { status: String, stderr: String },
    #[error("a folder of PNG frames is written without an encoder")]
    NotAVideo,
    #[error("a frame has {got} bytes, expected {want}")]
    FrameSize { got: usize, want: usize },
}

/// A running ffmpeg taking frames on its stdin and writing one video file.
pub struct FfmpegEncoder {
    child: Child,
    stdin: Option<ChildStdin>,
    stderr: Option<JoinHandle<String>>,
    input: FrameInput,
}

/// The longest ffmpeg message kept for an error.
const STDERR_KEPT: usize = 4000;

impl FfmpegEncoder {
    /// Starts ffmpeg writing `kind` (a video) to `output` at `fps`.
    pub fn start(
        kind: OutputKind,
        input: FrameInput,
        fps: u32,
        output: &Path,
    ) -> Result<FfmpegEncoder, VideoError> {
        let program = std::env::var(FFMPEG_ENV).unwrap_or_else(|_| "ffmpeg".into());
        let mut command = Command::new(&program);
        command.args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y"]);
        let rate = fps.to_string();
        match input {
            FrameInput::Rgba { width, height } => {
                let size = format!("{width}x{height}");
                command.args(["-f", "rawvideo", "-pix_fmt", "rgba", "-s", &size]);
                command.args(["-framerate", &rate, "-i", "pipe:0"]);
            }
            FrameInput::Png => {
                command.args(["-f", "image2pipe", "-c:v", "png", "-framerate", &rate]);
                command.args(["-i", "pipe:0"]);
            }
        }
        match kind {
            OutputKind::Mp4 => command.args([
                "-c:v",
                "libx264",
                "-preset",
                "medium",
                "-crf",
                "18",
                "-pix_fmt",
                "yuv420p",
                "-movflags",
                "+faststart",
                "-f",
                "mp4",
            ]),
            OutputKind::Webm => command.args([
                "-c:v",
                "libvpx-vp9",
                "-crf",
                "30",
                "-b:v",
                "0",
                "-pix_fmt",
                "yuv420p",
                "-deadline",
                "good",
                "-cpu-used",
                "4",
                "-row-mt",
                "1",
                "-f",
                "webm",
            ]),
            OutputKind::PngFrames => return Err(VideoError::NotAVideo),
        };
        command.arg(output);
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| VideoError::NoFfmpeg { program, source })?;
        let stdin = child.stdin.take();
        // Read stderr as it comes, so a chatty ffmpeg never blocks on a full pipe.
        let stderr = child.stderr.take().map(|mut pipe| {
            std::thread::spawn(move || {
                let mut text = String::new();
                let _ = pipe.read_to_string(&mut text);
                text.chars().take(STDERR_KEPT).collect()
            })
        });
        Ok(FfmpegEncoder {
            child,
            stdin,
            stderr,
            input,
        })
    }

    /// Sends one frame (blocks while ffmpeg is busy: the pipe is the only buffer).
    pub fn push(&mut self, frame: &[u8]) -> Result<(), VideoError> {
        if let FrameInput::Rgba { width, height } = self.input {
            let want = width as usize * height as usize * 4;
            if frame.len() != want {
                return Err(VideoError::FrameSize {
                    got: frame.len(),
                    want,
                });
            }
        }
        let stdin = self.stdin.as_mut().ok_or_else(|| {
            VideoError::Pipe(std::io::Error::other("the encoder's input is closed"))
        })?;
        match stdin.write_all(frame) {
            Ok(()) => Ok(()),
            // ffmpeg exited: its own message says why.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(self.wait_failure(e)),
            Err(e) => Err(VideoError::Pipe(e)),
        }
    }

    /// Closes the input and waits for the video to be complete.
    pub fn finish(mut self) -> Result<(), VideoError> {
        drop(self.stdin.take());
        let status = self.child.wait().map_err(VideoError::Pipe)?;
        let stderr = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        if status.success() {
            Ok(())
        } else {
            Err(VideoError::Failed {
                status: status.to_string(),
                stderr: stderr.trim().to_string(),
            })
        }
    }

    fn wait_failure(&mut self, pipe_error: std::io::Error) -> VideoError {
        drop(self.stdin.take());
        match self.child.wait() {
            Ok(status) => VideoError::Failed {
                status: status.to_string(),
                stderr: self
                    .stderr
                    .take()
                    .and_then(|h| h.join().ok())
                    .unwrap_or_default()
                    .trim()
                    .to_string(),
            },
            Err(_) => VideoError::Pipe(pipe_error),
        }
    }
}

impl Drop for FfmpegEncoder {
    /// An encoder dropped unfinished (an error, a cancel) must not linger.
    fn drop(&mut self) {
        if self.stdin.is_some() {
            drop(self.stdin.take());
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The file of frame `n` in a folder of PNG frames.
pub fn frame_file(dir: &Path, n: u64) -> PathBuf {
    dir.join(format!("frame-{n:06}.png"))
}

/// Writes one RGBA frame as a PNG (with its parameters in the `julia-params` chunk).
pub fn write_png_frame(
    path: &Path,
    params: &render_core::RenderParams,
    rgba: &[u8],
) -> std::io::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut png = render_core::encode::PngStreamEncoder::new(file, params)?;
    png.write_rows(rgba)?;
    png.finish()
}
