//! The local preview: render-core's CPU renderer and colourer, at low resolution, on a canvas.
//!
//! This is the very code the server's CPU fallback runs (`CpuSource` + `Colorizer`), so the
//! preview is a low-resolution version of the image a job produces, not an approximation of it.

mod band;
mod bench_hook;
mod canvas;
mod frame_loop;
mod progressive;
mod timing;
mod worker_side;
mod workers;

pub use bench_hook::install as install_bench_hook;
pub use canvas::draw_rgba;
pub use frame_loop::FrameLoop;
pub use worker_side::serve as serve_as_worker;

use render_core::{Band, Colorizer, CpuSource, EscapeSample, RenderParams};

/// Pixels of the preview drawn on every edit: 320×240 at the default 4:3 aspect.
pub const FAST_PIXELS: u32 = 320 * 240;
/// Pixels of the first sharper preview drawn once the user pauses: twice the resolution per axis
/// (then the canvas's device pixels, `frame_loop.rs`).
pub const REFINED_PIXELS: u32 = FAST_PIXELS * 4;

/// The preview's size in pixels for a pixel budget, with the aspect ratio of the full image.
pub fn preview_size(view: &RenderParams, pixel_budget: u32) -> (u32, u32) {
    let aspect = f64::from(view.width) / f64::from(view.height);
    let width = (f64::from(pixel_budget) * aspect).sqrt().round().max(1.0);
    let height = (width / aspect).round().max(1.0);
    // A preview is never sharper than the image it previews.
    if u64::from(view.width) * u64::from(view.height) <= u64::from(pixel_budget) {
        return (view.width, view.height);
    }
    (width as u32, height as u32)
}

/// The parameters of a preview of `view`: same region of the plane and colouring, fewer pixels,
/// one sample per pixel.
pub fn preview_params(view: &RenderParams, (width, height): (u32, u32)) -> RenderParams {
    RenderParams {
        width,
        height,
        supersample: 1,
        format: render_core::OutputFormat::Png,
        ..view.clone()
    }
    .normalized()
}

/// Renders previews into an RGBA buffer, reusing its buffers and colour table between frames.
#[derive(Default)]
pub struct PreviewRenderer {
    source: CpuSource,
    colorizer: Option<(ColourKey, Colorizer)>,
    samples: Vec<EscapeSample>,
    rgba: Vec<u8>,
}

/// What a `Colorizer` depends on; building its palette table costs more than a small frame's
/// colouring, so it is rebuilt only when one of these changes.
#[derive(Clone, Copy, PartialEq)]
struct ColourKey {
    palette: render_core::Palette,
    max_iter: u32,
    escape_radius_bits: u64,
    width: u32,
    mapping: render_core::ColourMapping,
    offset_bits: u64,
}

impl PreviewRenderer {
    /// Renders `params` (from [`preview_params`]) and returns its RGBA pixels, row-major.
    pub fn render(&mut self, params: &RenderParams) -> &[u8] {
        let key = ColourKey {
            palette: params.palette,
            max_iter: params.max_iter,
            escape_radius_bits: params.escape_radius.to_bits(),
            width: params.width,
            mapping: params.colour_mapping,
            offset_bits: params.colour_offset.to_bits(),
        };
        if self.colorizer.as_ref().map(|(k, _)| *k) != Some(key) {
            self.colorizer = Some((key, Colorizer::new(params)));
        }
        let (_, colorizer) = self.colorizer.as_ref().expect("just set");
        let whole = Band {
            y0: 0,
            rows: params.height,
        };
        band::render_band(
            &mut self.source,
            colorizer,
            params,
            whole,
            &mut self.samples,
            &mut self.rgba,
        );
        &self.rgba
    }

    /// The sum of the escape counts of the last render: its escape-iterations.
    pub fn escape_iterations(&self) -> u64 {
        self.samples.iter().map(|s| u64::from(s.count)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_view_previews_at_320_by_240() {
        assert_eq!(
            preview_size(&RenderParams::default(), FAST_PIXELS),
            (320, 240)
        );
        assert_eq!(
            preview_size(&RenderParams::default(), REFINED_PIXELS),
            (640, 480)
        );
    }

    #[test]
    fn a_preview_keeps_the_aspect_ratio_of_the_full_image() {
        let wide = RenderParams {
            width: 3840,
            height: 1080,
            ..RenderParams::default()
        };
        let (w, h) = preview_size(&wide, FAST_PIXELS);
        let aspect = f64::from(w) / f64::from(h);
        assert!((aspect - 3840.0 / 1080.0).abs() < 0.02, "{w}x{h}");
        assert!(w * h <= FAST_PIXELS + w + h);
    }

    #[test]
    fn a_small_image_previews_at_its_own_size() {
        let small = RenderParams {
            width: 200,
            height: 100,
            ..RenderParams::default()
        };
        assert_eq!(preview_size(&small, FAST_PIXELS), (200, 100));
    }

    #[test]
    fn the_preview_equals_the_servers_cpu_render_at_the_same_size() {
        let view = RenderParams {
            width: 1024,
            height: 768,
            max_iter: 64,
            ..RenderParams::default()
        };
        let params = preview_params(&view, (32, 24));
        let mut png = Vec::new();
        render_core::render_to_writer(
            &params,
            &mut CpuSource::new(),
            &mut png,
            &render_core::StopFlag::new(),
            &mut |_| render_core::Flow::Continue,
        )
        .expect("render");
        let decoded = decode_png_rgba(&png);
        let mut renderer = PreviewRenderer::default();
        assert_eq!(renderer.render(&params), decoded.as_slice());
    }

    #[test]
    fn a_colouring_change_recolours_the_next_frame() {
        let view = RenderParams {
            max_iter: 64,
            ..RenderParams::default()
        };
        let mut renderer = PreviewRenderer::default();
        let params = preview_params(&view, (32, 24));
        let mut previous = renderer.render(&params).to_vec();
        let cyclic = RenderParams {
            colour_mapping: render_core::ColourMapping::Cyclic,
            ..params.clone()
        };
        // The mapping changes, then only the offset (which the cyclic mapping uses).
        let shifted = RenderParams {
            colour_offset: 0.5,
            ..cyclic.clone()
        };
        for recoloured in [cyclic, shifted] {
            let fresh = PreviewRenderer::default().render(&recoloured).to_vec();
            assert_ne!(fresh, previous, "the test's change alters the colours");
            assert_eq!(renderer.render(&recoloured), fresh.as_slice());
            previous = fresh;
        }
    }

    fn decode_png_rgba(png: &[u8]) -> Vec<u8> {
        let mut reader = png::Decoder::new(std::io::Cursor::new(png))
            .read_info()
            .expect("png header");
        let mut rgba = vec![0; reader.output_buffer_size().expect("size")];
        let info = reader.next_frame(&mut rgba).expect("png frame");
        rgba.truncate(info.buffer_size());
        rgba
    }
}
