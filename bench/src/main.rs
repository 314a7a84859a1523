//! `julia-bench` (`make bench`): every figure the issues ask for, measured side by side in one run
//! so that ratios hold on a noisy machine, printed and written to docs/BENCHMARKS.md.

mod api;
mod cpu;
mod deep;
mod deep_gpu;
mod deep_section;
mod encode;
mod gpu;
mod process;
mod report;
mod video;
mod wasm;

use std::path::PathBuf;

use clap::Parser;
use render_core::Precision;

use crate::report::{Report, ms, ratio, sci};

/// Everything after this line in the report is kept across runs (the analysis of the figures).
const NOTES_MARKER: &str = "<!-- analysis: written by hand, kept by `make bench` -->";

#[derive(Parser)]
struct Args {
    /// Where to write the Markdown report.
    #[arg(long, default_value = "docs/BENCHMARKS.md")]
    out: PathBuf,
    /// Side of the square throughput renders (the figure is for 2048).
    #[arg(long, default_value_t = 2048)]
    size: u32,
    /// Side of the largest render, whose peak memory is measured (the figure: 16384).
    #[arg(long, default_value_t = 16384)]
    largest: u32,
    /// Measure only the service (API latency, cached re-request, small jobs, WASM preview).
    #[arg(long, conflicts_with = "only")]
    service_only: bool,
    /// Measure only this part; its sections replace the same sections of the report at `--out`,
    /// and every other section there is kept.
    #[arg(long, value_enum)]
    only: Option<Part>,
}

/// The parts of the benchmark that can be run alone.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Part {
    /// Peak memory of the largest render.
    LargestRender,
    /// Escape-iterations per second of every backend.
    EscapeRates,
    /// Deep zoom (perturbation) on the CPU against f64 SIMD, and on the GPU against its escape
    /// shaders.
    DeepZoom,
    /// Colouring, PNG (render-core's encoder and the `png` crate) and npy encode rates.
    Encoding,
    /// API latency, cached re-request, small jobs, WASM preview.
    Service,
    /// Zoom videos: exponential-map strips against frame by frame, and the encoder's memory.
    Video,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut report = Report::default();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runs = |part: Part| match args.only {
        Some(only) => only == part,
        None => !args.service_only || part == Part::Service,
    };
    if runs(Part::LargestRender) {
        largest_render(&args, &mut report)?;
    }
    if runs(Part::EscapeRates) {
        escape_rates(&args, &mut report, threads)?;
    }
    if runs(Part::DeepZoom) {
        deep_section::section(&mut report, threads);
        deep_section::gpu_section(&mut report)?;
        deep_section::gpu_bla_section(&mut report, threads)?;
    }
    if runs(Part::Encoding) {
        encode::section(&mut report)?;
    }
    if runs(Part::Video) {
        video::section(&mut report, threads)?;
    }
    if runs(Part::Service) {
        let runtime = tokio::runtime::Runtime::new()?;
        runtime.block_on(service_figures(&mut report))?;
    }
    if args.only.is_some() {
        let old = std::fs::read_to_string(&args.out)?;
        let spliced = report::splice_sections(&old, &report.into_markdown(), NOTES_MARKER);
        std::fs::write(&args.out, spliced)?;
        println!("\nsections replaced in {}", args.out.display());
        return Ok(());
    }

    let markdown = format!(
        "# Benchmarks\n\nWritten by `make bench` (bench/); every figure below comes from one run on \
         one machine: {}.\n{}",
        machine_description(threads),
        report.into_markdown()
    );
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Hand-written analysis below the marker survives every run.
    let kept = std::fs::read_to_string(&args.out)
        .ok()
        .and_then(|old| old.find(NOTES_MARKER).map(|i| old[i..].to_string()))
        .unwrap_or_else(|| format!("{NOTES_MARKER}\n"));
    std::fs::write(&args.out, format!("{markdown}\n{kept}"))?;
    println!("\nwritten to {}", args.out.display());

    Ok(())
}

/// Peak memory of the largest render.
fn largest_render(args: &Args, report: &mut Report) -> anyhow::Result<()> {
    // First, while this process is small: a child's peak RSS counts the parent's at fork.
    report.section(
        "Largest render: peak memory",
        &format!(
            "`julia-server render` of a {n}×{n} PNG (1000 iterations), as a child process; peak \
             resident set size from getrusage(RUSAGE_CHILDREN).",
            n = args.largest
        ),
    );
    let out = std::env::temp_dir().join("julia-bench-largest.png");
    let size = args.largest.to_string();
    let mut rss_rows = Vec::new();
    for backend in ["cpu", "auto"] {
        let run = process::run_server_command(&[
            "render",
            "--width",
            &size,
            "--height",
            &size,
            "--max-iter",
            "1000",
            "--backend",
            backend,
            "--output",
            out.to_str().expect("temp path is UTF-8"),
        ])?;
        let summary = run
            .stdout
            .lines()
            .chain(run.stderr.lines())
            .find(|l| l.contains("escape-iterations/s"))
            .unwrap_or("")
            .to_string();
        rss_rows.push(vec![
            format!("--backend {backend}"),
            format!("{:.1} s", run.seconds),
            format!("{:.0} MiB", run.peak_rss_bytes as f64 / 1048576.0),
            summary,
        ]);
    }
    let _ = std::fs::remove_file(&out);
    report.table(&["run", "wall time", "peak RSS", "summary line"], &rss_rows);
    Ok(())
}

/// Escape-iteration rates of every backend against the scalar reference.
fn escape_rates(args: &Args, report: &mut Report, threads: usize) -> anyhow::Result<()> {
    report.section(
        "Escape-iterations per second",
        &format!(
            "{size}×{size}, 1000 iterations, c = -0.8+0.156i, view width 3, centre 0. \
             Escape-iterations/s = sum of escape counts / wall time of the escape computation \
             (colouring and encoding excluded). Ratios are against the scalar reference kernel \
             in the same precision, measured in the same run.",
            size = args.size
        ),
    );
    let mut rows = Vec::new();
    for precision in [Precision::F32, Precision::F64] {
        let params = cpu::reference_params(args.size, precision);
        let scalar = cpu::scalar(&params, 8);
        let base = scalar.per_second();
        let mut line = |t: &cpu::Throughput, per_core: f64| {
            rows.push(vec![
                t.label.clone(),
                sci(t.per_second()),
                sci(per_core),
                ratio(t.per_second() / base),
            ]);
        };
        line(&scalar, scalar.per_second());
        let one = cpu::simd(&params, 1, false);
        line(&one, one.per_second());
        let all = cpu::simd(&params, threads, false);
        line(&all, all.per_second() / threads as f64);
        let yielding = cpu::simd(&params, threads, true);
        line(&yielding, yielding.per_second() / threads as f64);
        if precision == Precision::F32 {
            for (_, gpu) in gpu::measure(&params)? {
                line(&gpu, f64::NAN);
            }
        }
    }
    report.table(
        &["backend", "escape-iterations/s", "per core", "× scalar"],
        &rows,
    );
    Ok(())
}

fn machine_description(threads: usize) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|r| r.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{model}, {threads} hardware threads")
}

/// p50/p99 of the two probe requests, idle and while `workers` heavy renders run, as table rows.
async fn latency_rows(
    server: &api::ServerProcess,
    label: &str,
    workers: usize,
) -> anyhow::Result<Vec<Vec<String>>> {
    let probe = serde_json::json!({"width": 64, "height": 64, "max_iter": 100});
    let (get_idle, post_idle) = api::latencies(server, &probe, 1000).await?;
    let load = api::start_load(server, workers).await?;
    // Let the renders reach their steady state (every core busy on bands) before measuring.
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    let (get_load, post_load) = api::latencies(server, &probe, 1000).await?;
    for id in &load {
        api::cancel(server, id).await?;
    }
    let row = |request: &str, idle: &api::Latency, loaded: &api::Latency| {
        vec![
            request.to_string(),
            label.to_string(),
            ms(idle.p50),
            ms(idle.p99),
            ms(loaded.p50),
            ms(loaded.p99),
            ratio(loaded.p99 / idle.p99),
        ]
    };
    Ok(vec![
        row("GET /api/jobs/{id}", &get_idle, &get_load),
        row("POST /api/jobs (dedup hit)", &post_idle, &post_load),
    ])
}

/// API latency idle and under full render load, cached re-request, small-job throughput.
async fn service_figures(report: &mut Report) -> anyhow::Result<()> {
    report.section(
        "API latency",
        "Release `julia-server serve` on loopback, SQLite in a temporary directory. 1000 sequential \
         requests of each kind over one keep-alive connection; \"under load\" is while one \
         8192×8192, 20000-iteration PNG render per worker keeps every core busy. With `--cpu-only` \
         that is the CPU pool (escape counts, `SCHED_IDLE`) and rayon's global pool (colouring, \
         compression, nice 19), threads that yield every 0.1 ms; with every backend, a GPU worker \
         renders too (on lavapipe, on the driver's threads, which are `SCHED_IDLE` but do not \
         yield).",
    );
    let server = api::start_server(&["--cpu-only", "--ui-dir", "dist"]).await?;
    let mut rows = latency_rows(&server, "--cpu-only", 1).await?;
    {
        let every_backend = api::start_server(&[]).await?;
        let gpus = api::gpu_names(&every_backend).await?;
        if !gpus.is_empty() {
            let label = format!("every backend: CPU pool + {}", gpus.join(", "));
            rows.extend(latency_rows(&every_backend, &label, gpus.len() + 1).await?);
        }
    }
    report.table(
        &[
            "request",
            "server",
            "idle p50",
            "idle p99",
            "loaded p50",
            "loaded p99",
            "p99 loaded / idle",
        ],
        &rows,
    );

    report.section(
        "Cached re-request",
        "1024×768 PNG renders from POST to downloaded PNG, then the same request again (dedup hit \
         + download), best of 20. A cached request costs the same whatever the render, so its \
         speed-up is the render's time over it: a light render and a final-quality one.",
    );
    let mut rows = Vec::new();
    for (label, params) in api::cached_rerequest_renders() {
        let (fresh, cached) = api::cached_rerequest(&server, &params).await?;
        rows.push(vec![
            label.to_string(),
            ms(fresh * 1e3),
            ms(cached * 1e3),
            ratio(fresh / cached),
        ]);
    }
    report.table(
        &[
            "render",
            "fresh: POST → PNG downloaded",
            "cached: dedup POST + download",
            "speed-up",
        ],
        &rows,
    );
    let python_seconds = cpu::python_reference_seconds();
    report.paragraph(&format!(
        "The light render at the seed's Python renderer rate (3.5e6 escape-iterations/s, from its \
         escape-iteration count, not run) would take {python_seconds:.1} s."
    ));

    report.section(
        "Small jobs",
        "200 distinct 64×64 jobs submitted back to back, timed until the last is done.",
    );
    let jobs_per_s = api::small_job_throughput(&server, 200).await?;
    report.table(
        &["measure", "value"],
        &[vec![
            "small-job throughput (64×64)".into(),
            format!("{jobs_per_s:.1} jobs/s"),
        ]],
    );
    report.section(
        "WASM preview in Chromium",
        "The real page from the server above, in headless Chromium (chromedriver). `c real` is \
         edited 150 times, one edit per animation frame; each fast preview (320×240, 256 iterations, \
         render-core's CpuSource + Colorizer compiled to wasm32 with simd128, one thread) is timed \
         by the page itself. Native = the same preview through the same code on one native thread. \
         Then, in a 1400×1000 window, `c real` is edited once per settled preview (7 times, the \
         first left out) and the time from the start of refinement to the full-resolution preview \
         (the canvas's device pixels) is read, with the page refining on its own thread \
         (`?workers=0`) and on the preview workers (one per core, at most 4).",
    );
    let preview = wasm::measure(&server, 150).await?;
    report.table(
        &["measure", "value"],
        &[
            vec!["preview frames timed".into(), preview.frames.to_string()],
            vec!["frame time median (wasm)".into(), ms(preview.median_ms)],
            vec!["frame time p90 (wasm)".into(), ms(preview.p90_ms)],
            vec![
                "same preview, native, 1 thread (median)".into(),
                ms(preview.native_ms),
            ],
            vec![
                "wasm / native".into(),
                ratio(preview.median_ms / preview.native_ms),
            ],
            vec![
                "first preview drawn after navigation start".into(),
                ms(preview.first_preview_ms),
            ],
            vec![
                format!(
                    "full-resolution preview ({}), page thread",
                    preview.full_size
                ),
                ms(preview.full_page_ms),
            ],
            vec![
                format!("full-resolution preview ({}), workers", preview.full_size),
                ms(preview.full_workers_ms),
            ],
            vec![
                "page thread / workers".into(),
                ratio(preview.full_page_ms / preview.full_workers_ms),
            ],
            vec![
                ".wasm size raw / gzip -9 (the page's, which its workers run too)".into(),
                format!(
                    "{} KB / {} KB",
                    preview.wasm_bytes / 1000,
                    preview.wasm_gzip_bytes / 1000
                ),
            ],
        ],
    );
    deep_section::wasm_section(report, &preview);
    Ok(())
}
