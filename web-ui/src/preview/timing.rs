//! Frame times of the preview, kept where the page's scripts (benchmarks, browser tests) can read
//! them: `window.__previewTimes` (every coarse frame, ms), `window.__previewRefineTimes` (ms from
//! the start of refinement to the intermediate sharper frame) and `window.__previewFullTimes` (ms
//! from the start of refinement to the full-resolution frame), each the last `KEPT` frames;
//! `window.__previewFrames` counts every draw, `window.__firstPreviewAt` is when the first preview
//! was on screen (ms since navigation), and `window.__previewSettled` is true once the current
//! view is drawn at full resolution, `window.__previewRefinedBy` by whom ("workers" or "page").

use js_sys::{Array, Reflect};
use wasm_bindgen::{JsCast, JsValue};

/// How many recent frame times each list keeps.
const KEPT: u32 = 1000;

/// Which kind of frame a time belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    Fast,
    Refined,
    Full,
}

impl FrameKind {
    fn global_name(self) -> &'static str {
        match self {
            FrameKind::Fast => "__previewTimes",
            FrameKind::Refined => "__previewRefineTimes",
            FrameKind::Full => "__previewFullTimes",
        }
    }
}

/// Milliseconds since navigation, from the page's high-resolution clock.
pub fn now_ms() -> f64 {
    leptos::prelude::window()
        .performance()
        .map_or(0.0, |p| p.now())
}

/// Appends a frame time to its list and bumps the frame counter.
pub fn record(kind: FrameKind, ms: f64) {
    let window: JsValue = leptos::prelude::window().into();
    let name = JsValue::from_str(kind.global_name());
    let list = match Reflect::get(&window, &name)
        .ok()
        .and_then(|v| v.dyn_into::<Array>().ok())
    {
        Some(list) => list,
        None => {
            let list = Array::new();
            let _ = Reflect::set(&window, &name, &list);
            list
        }
    };
    list.push(&JsValue::from_f64(ms));
    if list.length() > KEPT {
        list.shift();
    }
    let frames = JsValue::from_str("__previewFrames");
    let count = Reflect::get(&window, &frames)
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    let _ = Reflect::set(&window, &frames, &JsValue::from_f64(count + 1.0));
    if count == 0.0 {
        let _ = Reflect::set(
            &window,
            &JsValue::from_str("__firstPreviewAt"),
            &JsValue::from_f64(now_ms()),
        );
    }
}

/// Says whether the current view is drawn at full resolution (`window.__previewSettled`).
pub fn set_settled(settled: bool) {
    let window: JsValue = leptos::prelude::window().into();
    let _ = Reflect::set(
        &window,
        &JsValue::from_str("__previewSettled"),
        &JsValue::from_bool(settled),
    );
}

/// Says who computed the last full-resolution preview (`window.__previewRefinedBy`).
pub fn set_refined_by(who: &str) {
    let window: JsValue = leptos::prelude::window().into();
    let _ = Reflect::set(
        &window,
        &JsValue::from_str("__previewRefinedBy"),
        &JsValue::from_str(who),
    );
}
