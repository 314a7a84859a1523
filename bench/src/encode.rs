//! PNG and npy encode rates: a real coloured Julia image, rendered once, then encoded from memory
//! into a sink, so only the encoder is timed. render-core's own PNG encoder is measured beside the
//! `png` crate on the same image, so the choice between them rests on figures from one run.

use std::io::{self, Write};
use std::time::Instant;

use render_core::encode::{NpyStreamEncoder, PARAMS_TEXT_KEYWORD, PngStreamEncoder};
use render_core::{
    Colorizer, CpuSource, EscapeSample, EscapeSource, RenderParams, StopFlag, plan_bands,
};

use crate::report::{Report, ratio};

/// Side of the encoded image.
const SIZE: u32 = 4096;

/// One PNG encoder's figures.
pub struct PngRate {
    pub label: String,
    pub mpx_s: f64,
    pub bytes: u64,
}

pub struct EncodeRates {
    pub megapixels: f64,
    pub colour_mpx_s: f64,
    /// render-core's encoder as the product runs it first, then the alternatives.
    pub png: Vec<PngRate>,
    pub npy_mpx_s: f64,
}

/// Counts bytes written.
struct CountingSink(u64);

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The "Encoding" section of the report.
pub fn section(report: &mut Report) -> anyhow::Result<()> {
    report.section(
        "Encoding",
        &format!(
            "A {SIZE}×{SIZE} coloured render (500 iterations, twilight), encoded from memory into \
             a byte counter, best of 3; colouring timed separately. Every PNG carries the \
             `julia-params` text chunk. render-core's encoder filters every row with Sub and \
             compresses with zlib-rs at level 1, in independent segments on rayon's pool; the \
             `png` crate streams one row at a time on the calling thread, first with the same \
             filter and deflate level, then with its own fast presets (fdeflate). The last column \
             is each PNG encoder's rate over render-core's as the server runs it.{}",
            build_note()
        ),
    );
    let enc = measure(SIZE)?;
    let product = enc.png[0].mpx_s;
    let mut rows = vec![vec![
        "colour (smooth + palette + sRGB)".into(),
        format!("{:.0}", enc.colour_mpx_s),
        String::new(),
        String::new(),
    ]];
    for png in &enc.png {
        rows.push(vec![
            png.label.clone(),
            format!("{:.0}", png.mpx_s),
            format!("{:.1} MiB", png.bytes as f64 / 1048576.0),
            ratio(png.mpx_s / product),
        ]);
    }
    rows.push(vec![
        "npy encode".into(),
        format!("{:.0}", enc.npy_mpx_s),
        format!("{:.1} MiB", enc.megapixels * 4.0 / 1.048576),
        String::new(),
    ]);
    report.table(&["stage", "Mpx/s", "output", "× render-core PNG"], &rows);
    Ok(())
}

/// `make bench` builds in release; a figure from any other build says so beside it.
fn build_note() -> &'static str {
    if cfg!(debug_assertions) {
        " Measured in a dev-profile build (render-core at opt-level 2, dependencies at 3), not \
         release: compare the rows with each other, not with a release run."
    } else {
        ""
    }
}

pub fn measure(size: u32) -> anyhow::Result<EncodeRates> {
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
            .compute_band(&params, *band, &mut out, &StopFlag::new())
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

    let threads = rayon::current_num_threads();
    let render_core_png = |sink: &mut CountingSink| -> anyhow::Result<()> {
        let mut png = PngStreamEncoder::new(sink, &params)?;
        for rgba in &rgba_by_band {
            png.write_rows(rgba)?;
        }
        Ok(png.finish()?)
    };
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build()?;
    let crate_png = |sink: &mut CountingSink, settings: PngCrateSettings| {
        png_crate_encode(sink, &params, &rgba_by_band, settings)
    };
    let mut png = Vec::new();
    let mut rate =
        |label: String, encode: &mut dyn FnMut(&mut CountingSink) -> anyhow::Result<()>| {
            let (seconds, bytes) = best_of_3(encode)?;
            png.push(PngRate {
                label,
                mpx_s: megapixels / seconds,
                bytes,
            });
            anyhow::Ok(())
        };
    rate(
        format!(
            "PNG encode: render-core, Sub + zlib-rs level 1, {threads} thread(s) (the server's)"
        ),
        &mut |sink| render_core_png(sink),
    )?;
    rate(
        "PNG encode: render-core, Sub + zlib-rs level 1, 1 thread".into(),
        &mut |sink| one_thread.install(|| render_core_png(sink)),
    )?;
    rate(
        "PNG encode: png crate, Sub + zlib-rs level 1, 1 thread".into(),
        &mut |sink| crate_png(sink, PngCrateSettings::SubLevel1),
    )?;
    rate(
        "PNG encode: png crate, Compression::Fast (adaptive filter + fdeflate), 1 thread".into(),
        &mut |sink| crate_png(sink, PngCrateSettings::Fast),
    )?;
    rate(
        "PNG encode: png crate, Compression::Fastest (Up + fdeflate), 1 thread".into(),
        &mut |sink| crate_png(sink, PngCrateSettings::Fastest),
    )?;

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
        png,
        npy_mpx_s: megapixels / npy_s,
    })
}

/// Fastest of three encodes, in seconds, and the encoded size in bytes.
fn best_of_3(
    encode: &mut dyn FnMut(&mut CountingSink) -> anyhow::Result<()>,
) -> anyhow::Result<(f64, u64)> {
    let mut seconds = f64::INFINITY;
    let mut bytes = 0;
    for _ in 0..3 {
        let mut sink = CountingSink(0);
        let started = Instant::now();
        encode(&mut sink)?;
        seconds = seconds.min(started.elapsed().as_secs_f64());
        bytes = sink.0;
    }
    Ok((seconds, bytes))
}

#[derive(Clone, Copy)]
enum PngCrateSettings {
    /// The filter and deflate level render-core's encoder uses.
    SubLevel1,
    /// `png::Compression::Fast`: adaptive filtering, fdeflate.
    Fast,
    /// `png::Compression::Fastest`: Up filter, fdeflate.
    Fastest,
}

/// The image through the `png` crate's streaming writer, rows as they come, like the server.
fn png_crate_encode(
    sink: &mut CountingSink,
    params: &RenderParams,
    rgba_by_band: &[Vec<u8>],
    settings: PngCrateSettings,
) -> anyhow::Result<()> {
    let mut encoder = png::Encoder::new(sink, params.width, params.height);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    match settings {
        PngCrateSettings::SubLevel1 => {
            encoder.set_deflate_compression(png::DeflateCompression::Level(1));
            encoder.set_filter(png::Filter::Sub);
        }
        PngCrateSettings::Fast => encoder.set_compression(png::Compression::Fast),
        PngCrateSettings::Fastest => encoder.set_compression(png::Compression::Fastest),
    }
    encoder.add_text_chunk(
        PARAMS_TEXT_KEYWORD.into(),
        serde_json::to_string(&params.normalized())?,
    )?;
    let mut writer = encoder.write_header()?;
    let mut stream = writer.stream_writer()?;
    for rgba in rgba_by_band {
        stream.write_all(rgba)?;
    }
    stream.finish()?;
    writer.finish()?;
    Ok(())
}
