//! `julia-bench` (`make bench`): every figure the issues ask for, measured side by side in one run
//! so that ratios hold on a noisy machine, printed and written to docs/BENCHMARKS.md.

mod cpu;
mod encode;
mod gpu;
mod process;
mod report;

use std::path::PathBuf;

use clap::Parser;
use render_core::Precision;

use crate::report::{Report, ratio, sci};

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
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut report = Report::default();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());

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
            rows.push(vec![t.label.clone(), sci(t.per_second()), sci(per_core), ratio(t.per_second() / base)]);
        };
        line(&scalar, scalar.per_second());
        let one = cpu::simd(&params, 1);
        line(&one, one.per_second());
        let all = cpu::simd(&params, threads);
        line(&all, all.per_second() / threads as f64);
        if precision == Precision::F32 {
            for (_, gpu) in gpu::measure(&params)? {
                line(&gpu, f64::NAN);
            }
        }
    }
    report.table(&["backend", "escape-iterations/s", "per core", "× scalar"], &rows);

    report.section(
        "Encoding",
        "A 4096×4096 coloured render (500 iterations, twilight), encoded from memory into a byte \
         counter, best of 3; colouring timed separately.",
    );
    let enc = encode::measure(4096)?;
    report.table(
        &["stage", "Mpx/s", "output"],
        &[
            vec!["colour (smooth + palette + sRGB)".into(), format!("{:.0}", enc.colour_mpx_s), String::new()],
            vec!["PNG encode".into(), format!("{:.0}", enc.png_mpx_s), format!("{:.1} MiB", enc.png_bytes as f64 / 1048576.0)],
            vec!["npy encode".into(), format!("{:.0}", enc.npy_mpx_s), format!("{:.1} MiB", enc.megapixels * 4.0 / 1.048576)],
        ],
    );

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
            "render", "--width", &size, "--height", &size, "--max-iter", "1000", "--backend", backend,
            "--output", out.to_str().expect("temp path is UTF-8"),
        ])?;
        let summary = run.stderr.lines().last().unwrap_or("").to_string();
        rss_rows.push(vec![
            format!("--backend {backend}"),
            format!("{:.1} s", run.seconds),
            format!("{:.0} MiB", run.peak_rss_bytes as f64 / 1048576.0),
            summary,
        ]);
    }
    let _ = std::fs::remove_file(&out);
    report.table(&["run", "wall time", "peak RSS", "summary line"], &rss_rows);

    let markdown = format!(
        "# Benchmarks\n\nWritten by `make bench` (bench/); every figure below comes from one run on \
         one machine: {}.\n{}",
        machine_description(threads),
        report.into_markdown()
    );
    if let Some(dir) = args.out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&args.out, markdown)?;
    println!("\nwritten to {}", args.out.display());
    Ok(())
}

fn machine_description(threads: usize) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name").map(|r| r.trim_start_matches([' ', '\t', ':']).to_string()))
        .unwrap_or_else(|| "unknown CPU".into());
    format!("{model}, {threads} hardware threads")
}
