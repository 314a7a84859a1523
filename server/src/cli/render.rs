//! `julia-server render`: one image from a params file and/or flags to a file (docs/DESIGN.md §3b), here
//! or, with `--server URL`, on a remote julia-server (see [`remote`]).
//!
//! Flags override single fields of the JSON, and the merged document goes through the same
//! `render_core::parse_params` as the HTTP API, so errors name fields the same way. Bad input is
//! one line on stderr and exit code 2; the output appears under its name only when complete.

use std::fs::File;
use std::io::{BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use render_core::{Flow, Limits, OutputFormat, RenderParams, StopFlag};
use serde_json::{Map, Value};

use crate::cli::backend::BackendChoice;
use crate::cli::logging::init_logging;
use render_gpu::render_backend::{BackendKind, RenderOutcome};

pub(crate) mod remote;

/// Exit code for input the user must fix (clap uses the same for bad flags).
const EXIT_BAD_INPUT: u8 = 2;
/// Exit code for everything else that stops a render (no adapter, I/O).
const EXIT_FAILED: u8 = 1;

#[derive(clap::Args, Debug)]
pub struct RenderArgs {
    /// RenderParams JSON file (the API's request body); flags below override its fields.
    #[arg(long, value_name = "FILE.json")]
    pub params: Option<PathBuf>,
    /// Output file; `.png` (colour) or `.npy` (escape counts) picks the format.
    #[arg(long, short, value_name = "OUT.png|OUT.npy")]
    pub output: PathBuf,
    #[arg(long, value_enum, default_value = "auto")]
    pub backend: BackendChoice,
    /// Render on the julia-server at this URL (`http://HOST:PORT`) instead of here: the same
    /// parameters go to its API, its progress is shown, and the result is saved to --output.
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
    #[arg(long)]
    pub width: Option<u32>,
    #[arg(long)]
    pub height: Option<u32>,
    #[arg(long, allow_negative_numbers = true)]
    pub c_re: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    pub c_im: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    pub center_re: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    pub center_im: Option<f64>,
    #[arg(long, allow_negative_numbers = true)]
    pub view_width: Option<f64>,
    #[arg(long)]
    pub max_iter: Option<u32>,
    #[arg(long, allow_negative_numbers = true)]
    pub escape_radius: Option<f64>,
    #[arg(long)]
    pub palette: Option<String>,
    #[arg(long)]
    pub supersample: Option<u32>,
    /// `f32`, `f64`, `deep` or `auto`.
    #[arg(long)]
    pub precision: Option<String>,
    /// `png` or `npy` (default: from the output's extension).
    #[arg(long)]
    pub format: Option<String>,
}

/// A reason to stop, with its exit code.
pub(crate) struct Stop {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl Stop {
    pub(crate) fn bad_input(message: impl Into<String>) -> Self {
        Stop {
            code: EXIT_BAD_INPUT,
            message: message.into(),
        }
    }

    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Stop {
            code: EXIT_FAILED,
            message: message.into(),
        }
    }
}

pub fn run(args: RenderArgs) -> ExitCode {
    init_logging("warn");
    match render(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(stop) => {
            eprintln!("julia-server render: {}", stop.message);
            ExitCode::from(stop.code)
        }
    }
}

fn render(args: &RenderArgs) -> Result<(), Stop> {
    if let Some(server) = &args.server {
        // The server validates against its own limits, which may differ from the defaults here.
        let document = merged_document(args)?;
        return remote::render_remote(server, args.api_key.as_deref(), &document, &args.output);
    }
    let params = merged_params(args)?;
    let backends = args.backend.detect();
    let Some(target) = args.backend.target(backends.gpus()) else {
        return Err(Stop::failed(format!(
            "--backend gpu: no usable GPU adapter found (is a Vulkan/Metal/DX12 driver installed? \
             {} and WGPU_BACKEND can hide adapters)",
            render_gpu::gpu::DISABLE_GPU_ENV
        )));
    };

    let started = Instant::now();
    let outcome = write_atomically(&args.output, |out| {
        let bar = progress_bar(params.height);
        let mut on_band = |p: render_core::Progress| {
            if let Some(bar) = &bar {
                bar.set_position(u64::from(p.rows_done));
            }
            Flow::Continue
        };
        let result = backends.render(target, &params, out, &StopFlag::new(), &mut on_band);
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        result.map_err(|e| Stop::failed(format!("render failed: {e}")))
    })?;
    println!(
        "{}",
        summary(
            &args.output,
            &params,
            &outcome,
            started.elapsed().as_secs_f64()
        )
    );
    Ok(())
}

/// The params file (if any) with the flags applied, format settled against the output's
/// extension, and validated exactly as the API validates.
fn merged_params(args: &RenderArgs) -> Result<RenderParams, Stop> {
    let doc = merged_document(args)?;
    render_core::parse_params(&Value::Object(doc).to_string(), &Limits::default())
        .map_err(|e| Stop::bad_input(e.to_string()))
}

/// The params file (if any) with the flags applied and the format settled against the output's
/// extension: the request body of the same render on a server.
fn merged_document(args: &RenderArgs) -> Result<Map<String, Value>, Stop> {
    let mut doc = match &args.params {
        Some(path) => read_params_file(path)?,
        None => Map::new(),
    };
    let defaults = RenderParams::default();
    let mut set = |key: &str, value: Option<Value>| {
        if let Some(v) = value {
            doc.insert(key.to_string(), v);
        }
    };
    set("width", args.width.map(Value::from));
    set("height", args.height.map(Value::from));
    set("view_width", args.view_width.map(Value::from));
    set("max_iter", args.max_iter.map(Value::from));
    set("escape_radius", args.escape_radius.map(Value::from));
    set("palette", args.palette.clone().map(Value::from));
    set("supersample", args.supersample.map(Value::from));
    set("precision", args.precision.clone().map(Value::from));
    set("format", args.format.clone().map(Value::from));
    set_part(&mut doc, "c", "re", args.c_re, defaults.c)?;
    set_part(&mut doc, "c", "im", args.c_im, defaults.c)?;
    set_part(&mut doc, "center", "re", args.center_re, defaults.center)?;
    set_part(&mut doc, "center", "im", args.center_im, defaults.center)?;

    let from_extension = format_of_extension(&args.output);
    match (doc.get("format"), from_extension) {
        (None, Ok(format)) => {
            doc.insert("format".into(), Value::from(format.extension()));
        }
        (None, Err(ext)) => {
            return Err(Stop::bad_input(format!(
                "invalid `output`: cannot tell the format from {ext}; use .png or .npy, or set `format`"
            )));
        }
        (Some(Value::String(given)), Ok(format)) if given.as_str() != format.extension() => {
            return Err(Stop::bad_input(format!(
                "invalid `format`: `{given}` does not match the output file's extension .{}",
                format.extension()
            )));
        }
        // An explicit format with an unknown extension is the user's choice of file name.
        (Some(_), _) => {}
    }
    Ok(doc)
}

fn read_params_file(path: &Path) -> Result<Map<String, Value>, Stop> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Stop::bad_input(format!("cannot read {}: {e}", path.display())))?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Stop::bad_input(format!(
            "{}: the parameters must be a JSON object",
            path.display()
        ))),
        Err(e) => Err(Stop::bad_input(format!(
            "malformed JSON in {}: {e}",
            path.display()
        ))),
    }
}

/// Sets `doc[outer][inner] = value`, starting from the default complex number when the
/// document has none (both parts are required in JSON).
fn set_part(
    doc: &mut Map<String, Value>,
    outer: &str,
    inner: &str,
    value: Option<f64>,
    default: render_core::Complex,
) -> Result<(), Stop> {
    let Some(value) = value else { return Ok(()) };
    let entry = doc
        .entry(outer.to_string())
        .or_insert_with(|| serde_json::json!({"re": default.re, "im": default.im}));
    match entry {
        Value::Object(map) => {
            map.insert(inner.to_string(), Value::from(value));
            Ok(())
        }
        _ => Err(Stop::bad_input(format!(
            "invalid `{outer}`: must be an object like {{\"re\": 0.0, \"im\": 0.0}}"
        ))),
    }
}

/// The format a file name asks for, or a description of its extension when it asks for none.
fn format_of_extension(path: &Path) -> Result<OutputFormat, String> {
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("png") => Ok(OutputFormat::Png),
        Some(e) if e.eq_ignore_ascii_case("npy") => Ok(OutputFormat::Npy),
        Some(e) => Err(format!("the extension `.{e}`")),
        None => Err("a file name without an extension".into()),
    }
}

/// Writes through a temporary file beside `path` and renames it into place on success, so a
/// failed or interrupted render never leaves a half-written file under the final name.
pub(crate) fn write_atomically<T>(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, Stop>,
) -> Result<T, Stop> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().ok_or_else(|| {
        Stop::bad_input(format!(
            "invalid `output`: {} names no file",
            path.display()
        ))
    })?;
    let temp = dir.join(format!(
        ".{}.{}.partial",
        name.to_string_lossy(),
        std::process::id()
    ));
    let file = File::create(&temp)
        .map_err(|e| Stop::failed(format!("cannot create {}: {e}", temp.display())))?;
    let result = (|| {
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let value = write(&mut out)?;
        let file = out.into_inner().map_err(|e| {
            Stop::failed(format!("writing {} failed: {}", path.display(), e.error()))
        })?;
        file.sync_all()
            .map_err(|e| Stop::failed(format!("writing {} failed: {e}", path.display())))?;
        std::fs::rename(&temp, path).map_err(|e| {
            Stop::failed(format!("cannot move the result to {}: {e}", path.display()))
        })?;
        Ok(value)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

/// A progress bar over image rows, only when a person is watching stderr.
fn progress_bar(rows: u32) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(u64::from(rows));
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} rows (eta {eta})",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// The precision as the JSON parameters spell it.
fn precision_name(precision: render_core::Precision) -> String {
    serde_json::to_value(precision)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn summary(output: &Path, params: &RenderParams, outcome: &RenderOutcome, seconds: f64) -> String {
    let rate = outcome.stats.escape_iterations as f64 / seconds.max(1e-9);
    let on = match outcome.backend {
        BackendKind::Gpu => format!("gpu ({})", outcome.device),
        BackendKind::Cpu => outcome.device.clone(),
    };
    let mut line = format!(
        "{}: {}x{} {} on {on} in {seconds:.2} s, {rate:.3e} escape-iterations/s, precision {}",
        output.display(),
        params.width,
        params.height,
        params.format.extension(),
        precision_name(outcome.stats.precision),
    );
    if let Some(reason) = &outcome.gpu_fallback {
        line.push_str(&format!(" (fell back from the GPU: {reason})"));
    }
    line
}
