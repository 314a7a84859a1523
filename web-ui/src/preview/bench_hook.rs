//! `window.__previewBench(paramsJson, repeats)`: the preview's own renderer timed on given
//! parameters, so `make bench` measures escape-iterations per second of the WASM core in the page
//! users run, for the f64 path and the deep path side by side (`bench/src/wasm.rs`).
//!
//! It returns `{firstMs, medianMs, iterations}`: the first render (reference orbits included when
//! the view is new to the page), the median of `repeats` more (orbits cached), and the sum of the
//! escape counts of one render.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen::closure::Closure;

use super::PreviewRenderer;
use super::timing::now_ms;

/// Most renders one call may ask for: the hook runs on the page's thread.
const MAX_REPEATS: u32 = 50;

/// Puts `__previewBench` on the window.
pub fn install() {
    let bench = Closure::<dyn Fn(String, u32) -> Result<JsValue, JsValue>>::new(measure);
    let window: JsValue = leptos::prelude::window().into();
    let _ = Reflect::set(
        &window,
        &JsValue::from_str("__previewBench"),
        bench.as_ref(),
    );
    // The hook lives as long as the page.
    bench.forget();
}

fn measure(json: String, repeats: u32) -> Result<JsValue, JsValue> {
    let params = render_core::parse_params(&json, &render_core::Limits::default())
        .map_err(|e| JsValue::from_str(&e.to_string()))?
        .normalized();
    let mut renderer = PreviewRenderer::default();
    let started = now_ms();
    renderer.render(&params);
    let first_ms = now_ms() - started;
    let mut times: Vec<f64> = (0..repeats.clamp(1, MAX_REPEATS))
        .map(|_| {
            let started = now_ms();
            renderer.render(&params);
            now_ms() - started
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let result = Object::new();
    for (key, value) in [
        ("firstMs", first_ms),
        ("medianMs", times[times.len() / 2]),
        ("iterations", renderer.escape_iterations() as f64),
    ] {
        Reflect::set(&result, &JsValue::from_str(key), &JsValue::from_f64(value))?;
    }
    Ok(result.into())
}
