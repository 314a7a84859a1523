//! PNG and npy encode rates: a real coloured Julia image, rendered once, then encoded from memory
//! into a sink, so only the encoder is timed.

use std::io;
use std::time::Instant;

use render_core::encode::{NpyStreamEncoder, PngStreamEncoder};
use render_core::{Colorizer, CpuSource, EscapeSample, EscapeSource, RenderParams, plan_bands};

pub struct EncodeRates {
    pub megapixels: f64,
    pub colour_mpx_s: f64,
    pub png_mpx_s: f64,
    pub png_bytes: u64,
    pub npy_mpx_s: f64,
}

/// Counts bytes written.
struct CountingSink(u64);

impl io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

pub fn measure(size: u32) -> io::Result<EncodeRates> {
    let params = RenderParams {
        width: size,
        height: size,
        max_iter: 500,
        ..RenderParams::default()
    }
    .normalized();
    let bands = plan_bands(size, size, 1);
    let mut source = CpuSource::new();
    let mut samples_by_band = Vec::new();
    for band in &bands {
        let mut out = vec![EscapeSample::default(); (size * band.rows) as usize];
        source
            .compute_band(&params, *band, &mut out, &render_core::StopFlag::new())
            .expect("the CPU cannot fail");
        samples_by_band.push(out);
    }
    let colorizer = Colorizer::new(&params);
    let started = Instant::now();
    let rgba_by_band: Vec<Vec<u8>> = bands
        .iter()
        .zip(&samples_by_band)
        .map(|(band, samples)| {
            let mut rgba = Vec::new();
            colorizer.colour_band(samples, band.rows, &mut rgba);
            rgba
        })
        .collect();
    let colour_s = started.elapsed().as_secs_f64();
    let megapixels = f64::from(size) * f64::from(size) / 1e6;

    let mut png_s = f64::INFINITY;
    let mut png_bytes = 0;
    for _ in 0..3 {
        let mut sink = CountingSink(0);
        let started = Instant::now();
        let mut png = PngStreamEncoder::new(&mut sink, &params)?;
        for rgba in &rgba_by_band {
            png.write_rows(rgba)?;
        }
        png.finish()?;
        png_s = png_s.min(started.elapsed().as_secs_f64());
        png_bytes = sink.0;
    }

    let started = Instant::now();
    let mut npy = NpyStreamEncoder::new(CountingSink(0), size, size)?;
    for samples in &samples_by_band {
        npy.write_counts(samples)?;
    }
    npy.finish()?;
    let npy_s = started.elapsed().as_secs_f64();

    Ok(EncodeRates {
        megapixels,
        colour_mpx_s: megapixels / colour_s,
        png_mpx_s: megapixels / png_s,
        png_bytes,
        npy_mpx_s: megapixels / npy_s,
    })
}
