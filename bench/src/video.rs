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

/// Side-by-side rounds: the VM's noise moves one run by 20 %, so each round times both methods
/// back to back and every round is reported, with the median speed-up.
const ROUNDS: usize = 3;

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
             over 1280 pixels `auto` would pick deep for the last frames). {ROUNDS} rounds, each \
             timing both methods one after the other.",
            FRAMES / 30,
            params.center.re,
            params.center.im
        ),
    );
    let mut rows = Vec::new();
    let mut speed_ups = Vec::new();
    let mut last = None;
    for round in 1..=ROUNDS {
        let map_run = exponential_map(&params)?;
        let (frames_seconds, frames_checksum) = frame_by_frame(&params)?;
        let speed_up = frames_seconds / map_run.seconds;
        speed_ups.push(speed_up);
        rows.push(vec![
            round.to_string(),
            format!("{frames_seconds:.1} s"),
            format!(
                "{:.1} s (strips {:.1} s, mipmaps {:.1} s, resampling {:.1} s)",
                map_run.seconds,
                map_run.strip_seconds,
                map_run.mip_seconds,
                map_run.resample_seconds
            ),
            ratio(speed_up),
            format!("{} / {frames_checksum}", map_run.checksum),
        ]);
        last = Some(map_run);
    }
    let map_run = last.context("at least one round")?;
    report.table(
        &[
            "round",
            "frame by frame",
            "exponential map",
            "speed-up",
            "checksums",
        ],
        &rows,
    );
    let map = &map_run.map;
    let strip_samples = u64::from(map_run.strip_count) * map.strip_len() as u64;
    let frame_samples = u64::from(FRAMES) * u64::from(WIDTH * HEIGHT);
    speed_ups.sort_by(f64::total_cmp);
    report.paragraph(&format!(
        "Frame by frame computes {:.0} M samples ({FRAMES} renders). The exponential map computes \
         {:.0} M: {} strips of 2 × {}×{} + 2 × {}×{} samples, at most {} held at once, and one \
         core frame. Median speed-up of the exponential map: {}.",
        frame_samples as f64 / 1e6,
        (strip_samples + u64::from(WIDTH * HEIGHT)) as f64 / 1e6,
        map_run.strip_count,
        map.edge(Side::Right).samples,
        map.edge(Side::Right).rows_per_octave,
        map.edge(Side::Top).samples,
        map.edge(Side::Top).rows_per_octave,
        map_run.most_held,
        ratio(speed_ups[speed_ups.len() / 2])
    ));
    encoder_memory(report)
}

/// One exponential-map run of the zoom: its time and where the time went.
struct MapRun {
    map: ExpMap,
    seconds: f64,
    strip_seconds: f64,
    mip_seconds: f64,
    resample_seconds: f64,
    strip_count: u32,
    most_held: usize,
    /// Sum of one byte of every frame: the two methods' frames differ (resampled against
    /// rendered), so this only shows that the frames were made.
    checksum: u64,
}

/// The zoom from strips: the map, its core frame, every frame resampled.
fn exponential_map(params: &RenderParams) -> anyhow::Result<MapRun> {
    let stop = StopFlag::new();
    let mut rgba = Vec::new();
    let started = Instant::now();
    let map = ExpMap::new(params, WIDEST, NARROWEST).context("the zoom resolves in f64")?;
    let mut core_rgba = Vec::new();
    render_rgba(
        &map.core_params(),
        &mut CpuSource::new(),
        &stop,
        &mut core_rgba,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let core = Core {
        rgba: &core_rgba,
        view_width: NARROWEST,
    };
    let mut resampler = Resampler::new(&map);
    let mut strips = StripSet::default();
    let (mut strip_count, mut strip_seconds, mut most_held) = (0u32, 0.0, 0usize);
    let (mut mip_seconds, mut resample_seconds, mut checksum) = (0.0, 0.0, 0u64);
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
    Ok(MapRun {
        seconds: started.elapsed().as_secs_f64(),
        map,
        strip_seconds,
        mip_seconds,
        resample_seconds,
        strip_count,
        most_held,
        checksum,
    })
}

/// The zoom rendered one frame after another: its time and checksum.
fn frame_by_frame(params: &RenderParams) -> anyhow::Result<(f64, u64)> {
    let stop = StopFlag::new();
    let mut rgba = Vec::new();
    let mut checksum = 0u64;
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
    Ok((started.elapsed().as_secs_f64(), checksum))
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
