//! Renders the default view at SIZE x SIZE through the streaming pipeline into a PNG file (or
//! nowhere, with `-`), to check end-to-end speed and that peak memory stays bounded by a band:
//! `cargo run --release -p render-core --example stream_render -- SIZE OUT.png|- [MAX_ITER]`.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::time::Instant;

use render_core::{CpuSource, Flow, RenderParams, render_to_writer};

fn main() -> io::Result<()> {
    let mut args = std::env::args().skip(1);
    let size: u32 = args.next().map_or(4096, |s| s.parse().expect("SIZE"));
    let path = args.next().unwrap_or_else(|| "-".into());
    let max_iter: u32 = args.next().map_or(500, |s| s.parse().expect("MAX_ITER"));
    let params = RenderParams {
        width: size,
        height: size,
        max_iter,
        ..RenderParams::default()
    };
    let out: Box<dyn Write> = if path == "-" {
        Box::new(io::sink())
    } else {
        Box::new(BufWriter::new(File::create(&path)?))
    };
    let started = Instant::now();
    let stats = render_to_writer(
        &params,
        &mut CpuSource::new(),
        out,
        &render_core::StopFlag::new(),
        &mut |_| Flow::Continue,
    )
    .map_err(io::Error::other)?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{size}x{size} max_iter={max_iter}: {secs:.2} s ({:.2} s computing), {:.1} Mpx/s overall",
        stats.compute_time.as_secs_f64(),
        f64::from(size) * f64::from(size) / secs / 1e6
    );
    Ok(())
}
