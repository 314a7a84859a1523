//! Puts RGBA pixels on the preview canvas.

use wasm_bindgen::{Clamped, JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

/// Resizes the canvas's backing store to `width`×`height` if needed and draws `rgba` on it.
/// The canvas's on-screen size is set by CSS, so resizing only changes its sharpness.
pub fn draw_rgba(
    canvas: &HtmlCanvasElement,
    rgba: &[u8],
    width: u32,
    height: u32,
) -> Result<(), JsValue> {
    if canvas.width() != width {
        canvas.set_width(width);
    }
    if canvas.height() != height {
        canvas.set_height(height);
    }
    let context: CanvasRenderingContext2d = canvas
        .get_context("2d")?
        .ok_or_else(|| JsValue::from_str("the preview canvas has no 2d context"))?
        .dyn_into()?;
    let image = ImageData::new_with_u8_clamped_array_and_sh(Clamped(rgba), width, height)?;
    context.put_image_data(&image, 0.0, 0.0)
}
