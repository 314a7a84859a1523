//! The streaming pipeline end to end: PNG output decodes and carries its parameters, its pixels
//! are the colouring of the kernel's samples, images of every shape render, and cancellation stops
//! within one band.

use std::convert::Infallible;

use render_core::encode::{PARAMS_TEXT_KEYWORD, PngStreamEncoder};
use render_core::{
    Band, Colorizer, CpuSource, EscapeSample, EscapeSource, Flow, Limits, OutputFormat,
    RenderError, RenderParams, StopFlag, parse_params, plan_bands, render_to_writer,
};

fn render(params: &RenderParams) -> Vec<u8> {
    let mut out = Vec::new();
    render_to_writer(
        params,
        &mut CpuSource::new(),
        &mut out,
        &StopFlag::new(),
        &mut |_| Flow::Continue,
    )
    .expect("render");
    out
}

/// Decoded RGBA8 pixels, size, and the `julia-params` text.
fn decode_png(bytes: &[u8]) -> (Vec<u8>, u32, u32, Option<String>) {
    let mut reader = png::Decoder::new(std::io::Cursor::new(bytes))
        .read_info()
        .expect("png header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("size")];
    let frame = reader.next_frame(&mut pixels).expect("png data");
    assert_eq!(frame.color_type, png::ColorType::Rgba);
    assert_eq!(frame.bit_depth, png::BitDepth::Eight);
    pixels.truncate(frame.buffer_size());
    let info = reader.info();
    let text = info
        .uncompressed_latin1_text
        .iter()
        .find(|t| t.keyword == PARAMS_TEXT_KEYWORD)
        .map(|t| t.text.clone());
    (pixels, info.width, info.height, text)
}

#[test]
fn png_decodes_at_the_right_size_and_carries_the_normalised_params() {
    let params = RenderParams {
        width: 301,
        height: 203,
        max_iter: 200,
        ..RenderParams::default()
    };
    let (pixels, w, h, text) = decode_png(&render(&params));
    assert_eq!((w, h), (301, 203));
    assert_eq!(pixels.len(), 301 * 203 * 4);
    let text = text.expect("julia-params tEXt chunk");
    let parsed = parse_params(&text, &Limits::default()).expect("the text is valid params");
    assert_eq!(parsed, params.normalized());
}

#[test]
fn png_pixels_are_the_colouring_of_the_kernel_samples() {
    let params = RenderParams {
        width: 257,
        height: 190,
        max_iter: 300,
        supersample: 2,
        ..RenderParams::default()
    }
    .normalized();
    let (pixels, ..) = decode_png(&render(&params));
    let colorizer = Colorizer::new(&params);
    let mut source = CpuSource::new();
    let mut expected = Vec::new();
    let mut rgba = Vec::new();
    for band in plan_bands(params.width, params.height, 2) {
        let mut samples = vec![EscapeSample::default(); (band.rows * 4 * params.width) as usize];
        source
            .compute_band(&params, band, &mut samples, &StopFlag::new())
            .expect("infallible");
        colorizer.colour_band(&samples, band.rows, &mut rgba);
        expected.extend_from_slice(&rgba);
    }
    assert!(
        pixels == expected,
        "decoded pixels differ from the colourer's output"
    );
}

#[test]
fn the_parallel_png_encoder_round_trips_many_segments_and_uneven_bands() {
    // 1000 RGBA pixels per row: a 200-row band spans several compression segments.
    let (width, heights) = (1000u32, [200u32, 1, 77, 3]);
    let height: u32 = heights.iter().sum();
    let params = RenderParams {
        width,
        height,
        ..RenderParams::default()
    };
    let mut state = 12345u32;
    let image: Vec<u8> = (0..width * height * 4)
        .map(|i| {
            // Flat runs, gradients and noise, so every compressor path is exercised.
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            match (i / 40_000) % 3 {
                0 => 7,
                1 => (i / 4 % 251) as u8,
                _ => (state >> 24) as u8,
            }
        })
        .collect();
    let mut out = Vec::new();
    let mut encoder = PngStreamEncoder::new(&mut out, &params).expect("header");
    let mut row = 0usize;
    for rows in heights {
        let bytes = rows as usize * width as usize * 4;
        encoder.write_rows(&image[row..row + bytes]).expect("rows");
        row += bytes;
    }
    encoder.finish().expect("finish");
    let (pixels, w, h, _) = decode_png(&out);
    assert_eq!((w, h), (width, height));
    assert!(pixels == image, "round trip changed the pixels");
}

#[test]
fn tiny_and_degenerate_shapes_render_as_png_and_npy() {
    for (width, height) in [(1, 1), (1, 37), (53, 1), (2, 1000)] {
        let params = RenderParams {
            width,
            height,
            ..RenderParams::default()
        };
        let (pixels, w, h, _) = decode_png(&render(&params));
        assert_eq!((w, h), (width, height));
        assert_eq!(pixels.len(), (width * height * 4) as usize);
        let npy = render(&RenderParams {
            format: OutputFormat::Npy,
            ..params
        });
        let header = render_core::encode::npy_header(width, height).len();
        assert_eq!(npy.len(), header + (width * height * 4) as usize);
    }
}

/// Counts `compute_band` calls of the CPU source it wraps.
struct CountingSource {
    inner: CpuSource,
    calls: usize,
}

impl EscapeSource for CountingSource {
    type Error = Infallible;

    fn compute_band(
        &mut self,
        params: &RenderParams,
        band: Band,
        out: &mut [EscapeSample],
        stop: &StopFlag,
    ) -> Result<(), Infallible> {
        self.calls += 1;
        self.inner.compute_band(params, band, out, stop)
    }

    fn backend_name(&self) -> &'static str {
        "counting"
    }
}

#[test]
fn cancel_from_on_band_stops_within_one_band() {
    let params = RenderParams {
        width: 64,
        height: 640,
        max_iter: 50,
        ..RenderParams::default()
    };
    let total = plan_bands(64, 640, 1).len();
    assert!(total > 5);
    let mut source = CountingSource {
        inner: CpuSource::new(),
        calls: 0,
    };
    let mut reports = 0;
    let result = render_to_writer(
        &params,
        &mut source,
        Vec::new(),
        &StopFlag::new(),
        &mut |progress| {
            reports += 1;
            if progress.bands_done == 3 {
                Flow::Cancel
            } else {
                Flow::Continue
            }
        },
    );
    assert!(matches!(result, Err(RenderError::Canceled)), "{result:?}");
    assert_eq!(source.calls, 3, "no band may be computed after the cancel");
    assert_eq!(
        reports, 4,
        "one report before the first band and one after each band"
    );
}

#[test]
fn cancel_before_the_first_band_computes_nothing() {
    let mut source = CountingSource {
        inner: CpuSource::new(),
        calls: 0,
    };
    let result = render_to_writer(
        &RenderParams::default(),
        &mut source,
        Vec::new(),
        &StopFlag::new(),
        &mut |_| Flow::Cancel,
    );
    assert!(matches!(result, Err(RenderError::Canceled)));
    assert_eq!(source.calls, 0);
}
