//! The video section (issue 16): the zoom rendered frame by frame and from
//! exponential-map strips side by side in one run, and the peak memory of `julia-server animate`
//! (the encoder path) for two lengths of video.

use std::process::Command;
use std::time::Instant;

use anyhow::{Context, bail};
use render_core::expmap::resample::{Core, Resampler, StripSet};
use render_core::expmap::{ExpMap, Side};
use render_core::{Complex, CpuSource, Precision, RenderParams, StopFlag, render_rgba};

use crate::process::server_binary;
use crate::report::{Report, ratio};

/// The case: 10 s at 30 fps, 1280×720, view width 3 → 1e-12.
const FRAMES: u32 = 300;
const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
const WIDEST: f64 = 3.0;
const NARROWEST: f64 = 1e-12;

/// The β fixed point `(1 + √(1 − 4c)) / 2` of `c`: repelling, so on the Julia set.
fn beta_fixed_point(c: Complex) -> Complex {
    let (re, im) = (1.0 - 4.0 * c.re, -4.0 * c.im);
    let modulus = (re * re + im * im).sqrt();
    let (s_re, s_im) = (
        ((modulus + re) / 2.0).sqrt(),
        ((modulus - re) / 2.0).sqrt() * im.signum(),
    );
    Complex::new((1.0 + s_re) / 2.0, s_im / 2.0)
}

fn zoom_params() -> RenderParams {
    let c = RenderParams::default().c;
    RenderParams {
        width: WIDTH,
        height: HEIGHT,
        center: beta_fixed_point(c),
        max_iter: 500,
        // At 1e-12 over 1280 pixels the step is 0.88 of `auto`'s f64 bound (2^-51 of the escape
        // radius), so `auto` would send the last frames to the deep path; both methods use f64.
        precision: Precision::F64,
        ..RenderParams::default()
    }
}

/// Frame `n`'s width: geometric from [`WIDEST`] to [`NARROWEST`].
fn frame_width(n: u32) -> f64 {
    WIDEST * (NARROWEST / WIDEST).powf(f64::from(n) / f64::from(FRAMES - 1))
}

pub fn section(report: &mut Report, threads: usize) -> anyhow::Result<()> {
    let params = zoom_params();
    report.section(
        "Zoom video: exponential map against frame by frame",
        &format!(
            "The issue's zoom: {FRAMES} frames ({} s at 30 fps) of {WIDTH}×{HEIGHT}, view width \
             {WIDEST} → {NARROWEST:e} geometrically, centred on the β fixed point ({}, {}) of \
             c = -0.8+0.156i (on the Julia set), 500 iterations, CPU, {threads} threads, one \
             RGBA frame after another in memory (encoding excluded from both). Frame by frame: \
             each frame rendered by render-core's CPU renderer. Exponential map: the strips, one \
             core frame at the narrowest width, and every frame resampled. Both in f64 (at 1e-12 \
             over 1280 pixels `auto` would pick deep for the last frames).",
            FRAMES / 30,
            params.center.re,
            params.center.im
        ),
    );
    let stop = StopFlag::new();
    let mut rgba = Vec::new();
    let mut checksum = 0u64;

    let started = Instant::now();
    let map = ExpMap::new(&params, WIDEST, NARROWEST).context("the zoom resolves in f64")?;
    let core_params = map.core_params();
    let mut core_rgba = Vec::new();
    render_rgba(&core_params, &mut CpuSource::new(), &stop, &mut core_rgba)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let core = Core {
        rgba: &core_rgba,
        view_width: NARROWEST,
    };
    let mut resampler = Resampler::new(&map);
    let mut strips = StripSet::default();
    let (mut strip_count, mut strip_seconds, mut most_held) = (0u32, 0.0, 0usize);
    let (mut mip_seconds, mut resample_seconds) = (0.0, 0.0);
    for n in 0..FRAMES {
        let width = frame_width(n);
        let kept = Instant::now();
        let mut rendering = 0.0;
        strips.keep(&map, resampler.octaves_for(&map, width), |octave| {
            let t = Instant::now();
            let strip = map.render_strip(octave, &stop);
            rendering += t.elapsed().as_secs_f64();
            strip_count += 1;
            Ok::<_, anyhow::Error>(strip)
        })?;
        strip_seconds += rendering;
        mip_seconds += kept.elapsed().as_secs_f64() - rendering;
        most_held = most_held.max(strips.len());
        let resampled = Instant::now();
        resampler.frame(&map, &strips, &core, width, &mut rgba);
        resample_seconds += resampled.elapsed().as_secs_f64();
        checksum = checksum.wrapping_add(u64::from(rgba[rgba.len() / 2]));
    }
    let expmap_seconds = started.elapsed().as_secs_f64();

    let started = Instant::now();
    let mut source = CpuSource::new();
    for n in 0..FRAMES {
        let frame = RenderParams {
            view_width: frame_width(n),
            ..params.clone()
        };
        render_rgba(&frame, &mut source, &stop, &mut rgba).map_err(|e| anyhow::anyhow!("{e}"))?;
        checksum = checksum.wrapping_add(u64::from(rgba[rgba.len() / 2]));
    }
    let frames_seconds = started.elapsed().as_secs_f64();

    let strip_samples = u64::from(strip_count) * map.strip_len() as u64;
    let frame_samples = u64::from(FRAMES) * u64::from(WIDTH * HEIGHT);
    report.table(
        &["method", "time", "samples", "detail"],
        &[
            vec![
                "frame by frame".into(),
                format!("{frames_seconds:.1} s"),
                format!("{:.0} M", frame_samples as f64 / 1e6),
                format!("{FRAMES} renders"),
            ],
            vec![
                "exponential map".into(),
                format!("{expmap_seconds:.1} s"),
                format!(
                    "{:.0} M",
                    (strip_samples + u64::from(WIDTH * HEIGHT)) as f64 / 1e6
                ),
                format!(
                    "{strip_count} strips of 2 × {}×{} + 2 × {}×{} samples ({strip_seconds:.1} s, \
                     mipmaps {mip_seconds:.1} s), at most {most_held} held, + 1 core frame + \
                     {FRAMES} resamplings ({resample_seconds:.1} s)",
                    map.edge(Side::Right).samples,
                    map.edge(Side::Right).rows_per_octave,
                    map.edge(Side::Top).samples,
                    map.edge(Side::Top).rows_per_octave,
                ),
            ],
        ],
    );
    report.paragraph(&format!(
        "Speed-up of the exponential map: {} (checksum {checksum}).",
        ratio(frames_seconds / expmap_seconds)
    ));
    encoder_memory(report)
}

/// Peak RSS of `julia-server animate` to MP4 for two lengths of the same zoom.
fn encoder_memory(report: &mut Report) -> anyhow::Result<()> {
    report.section(
        "Zoom video: memory of the encoder path",
        "`julia-server animate --backend cpu` to MP4 (ffmpeg, libx264) of a \
         640×360 zoom, 100 iterations, at two lengths; peak resident set size of the julia-server \
         process and the ffmpeg it waits for (wait4's rusage).",
    );
    let dir = tempfile::tempdir()?;
    let mut rows = Vec::new();
    for seconds in [2, 8] {
        let spec = serde_json::json!({
            "width": 640, "height": 360, "fps": 30,
            "keyframes": [
                {"t": 0, "view": {"view_width": 3, "max_iter": 100}},
                {"t": seconds, "view": {"view_width": 0.01, "max_iter": 100,
                    "center": {"re": 0.0, "im": 0.0}}}
            ]
        });
        let spec_path = dir.path().join(format!("zoom-{seconds}.json"));
        std::fs::write(&spec_path, spec.to_string())?;
        let out = dir.path().join(format!("zoom-{seconds}.mp4"));
        let (wall, peak) = run_measured(&[
            "animate",
            "--backend",
            "cpu",
            "--spec",
            spec_path.to_str().context("UTF-8 path")?,
            "--output",
            out.to_str().context("UTF-8 path")?,
        ])?;
        rows.push(vec![
            format!("{} frames", seconds * 30),
            format!("{wall:.1} s"),
            format!("{:.0} MiB", peak as f64 / 1048576.0),
            format!(
                "{:.1} MiB",
                std::fs::metadata(&out)?.len() as f64 / 1048576.0
            ),
        ]);
    }
    report.table(&["video", "wall time", "peak RSS", "MP4 size"], &rows);
    Ok(())
}

/// Runs `julia-server ARGS`, returning its wall time and its own peak RSS (with its children's).
fn run_measured(args: &[&str]) -> anyhow::Result<(f64, u64)> {
    let started = Instant::now();
    let child = Command::new(server_binary()?)
        .args(args)
        .spawn()
        .context("starting julia-server")?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: wait4 only writes into the two values we pass; the child is ours and not waited
    // for elsewhere (`child` is dropped without waiting).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if waited != pid || !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        bail!("julia-server {args:?} failed (status {status})");
    }
    Ok((
        started.elapsed().as_secs_f64(),
        usage.ru_maxrss as u64 * 1024,
    ))
}
