//! Colouring and PNG encoding rates on a coloured Julia image (default view, 4096x4096 unless a
//! size is given): `cargo run --release -p render-core --example png_throughput [-- SIZE]`.
//! The escape samples are computed first, so colouring and encoding are each timed alone.

#[path = "support/cpu_clock.rs"]
mod cpu_clock;

use std::io::{self, Write};
use std::time::{Duration, Instant};

use render_core::encode::PngStreamEncoder;
use render_core::{Colorizer, CpuSource, EscapeSample, EscapeSource, RenderParams, plan_bands};

/// Counts bytes instead of storing them.
struct CountingSink(u64);

impl Write for CountingSink {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.0 += data.len() as u64;
        Ok(data.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn main() -> io::Result<()> {
    let size: u32 = std::env::args()
        .nth(1)
        .map_or(4096, |s| s.parse().expect("SIZE"));
    let params = RenderParams {
        width: size,
        height: size,
        ..RenderParams::default()
    };
    let mut source = CpuSource::new();
    let bands: Vec<(u32, Vec<EscapeSample>)> = plan_bands(size, size, 1)
        .into_iter()
        .map(|band| {
            let mut samples = vec![EscapeSample::default(); (band.rows * size) as usize];
            source
                .compute_band(&params, band, &mut samples, &render_core::StopFlag::new())
                .expect("infallible");
            (band.rows, samples)
        })
        .collect();
    let colorizer = Colorizer::new(&params);
    let mut colour_time = Duration::ZERO;
    let mut encode_time = Duration::ZERO;
    let mut colour_cpu = Duration::ZERO;
    let mut encode_cpu = Duration::ZERO;
    let mut rgba = Vec::new();
    let mut sink = CountingSink(0);
    let mut encoder = PngStreamEncoder::new(&mut sink, &params)?;
    for (rows, samples) in &bands {
        let (started, cpu) = (Instant::now(), cpu_clock::process_cpu_time());
        colorizer.colour_band(samples, *rows, &mut rgba);
        colour_time += started.elapsed();
        colour_cpu += cpu_clock::process_cpu_time() - cpu;
        let (started, cpu) = (Instant::now(), cpu_clock::process_cpu_time());
        encoder.write_rows(&rgba)?;
        encode_time += started.elapsed();
        encode_cpu += cpu_clock::process_cpu_time() - cpu;
    }
    let (started, cpu) = (Instant::now(), cpu_clock::process_cpu_time());
    encoder.finish()?;
    encode_time += started.elapsed();
    encode_cpu += cpu_clock::process_cpu_time() - cpu;
    let mpx = f64::from(size) * f64::from(size) / 1e6;
    println!(
        "{size}x{size}: colour {:.1} Mpx/s, PNG encode {:.1} Mpx/s, {:.2} bytes/px",
        mpx / colour_time.as_secs_f64(),
        mpx / encode_time.as_secs_f64(),
        sink.0 as f64 / (mpx * 1e6)
    );
    println!(
        "per CPU-second: colour {:.1} Mpx, PNG encode {:.1} Mpx",
        mpx / colour_cpu.as_secs_f64(),
        mpx / encode_cpu.as_secs_f64()
    );
    Ok(())
}
