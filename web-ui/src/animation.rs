//! Videos from the explorer (docs/DESIGN.md §8): keyframes are views the user marks; the spec is
//! the JSON `POST /api/animations` takes, checked here by the same render-core code the server
//! runs, and the path is previewed by rendering its frames small on the page's thread.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::prelude::request_animation_frame;
use render_core::RenderParams;
use render_core::animation::spec::VIEW_FIELDS;
use render_core::animation::{AnimationLimits, AnimationSpec, Interpolator, parse_spec};
use serde_json::{Map, Value, json};
use web_sys::HtmlCanvasElement;

use crate::preview::{PreviewRenderer, draw_rgba, preview_params, preview_size};

/// One marked view and when the video reaches it.
#[derive(Clone, Debug, PartialEq)]
pub struct KeyframeEntry {
    /// Seconds from the start.
    pub t: f64,
    pub view: RenderParams,
}

/// The video's size and rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct VideoFormat {
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

/// Pixels of a path-preview frame (the video's aspect ratio).
const PATH_PREVIEW_PIXELS: u32 = 192 * 108;

/// The spec JSON of these keyframes: each `view` carries only the fields that may change.
pub fn spec_json(keyframes: &[KeyframeEntry], format: VideoFormat) -> Value {
    let keyframes: Vec<Value> = keyframes
        .iter()
        .map(|k| {
            let all = serde_json::to_value(&k.view).unwrap_or(Value::Null);
            let view: Map<String, Value> = VIEW_FIELDS
                .iter()
                .filter_map(|f| Some((f.to_string(), all.get(*f)?.clone())))
                .collect();
            json!({"t": k.t, "view": view})
        })
        .collect();
    json!({
        "width": format.width,
        "height": format.height,
        "fps": format.fps,
        "keyframes": keyframes,
    })
}

/// The spec checked as the server checks it: the error names the field.
pub fn check(spec: &Value) -> Result<AnimationSpec, String> {
    parse_spec(&spec.to_string(), &AnimationLimits::default()).map_err(|e| e.to_string())
}

/// Plays the path on `canvas` in real time, a small frame per animation frame (frames that take
/// longer than their time are skipped); `on_end` runs after the last.
pub fn play_path(spec: AnimationSpec, canvas: HtmlCanvasElement, on_end: impl FnOnce() + 'static) {
    let now = || {
        web_sys::window()
            .and_then(|w| w.performance())
            .map_or(0.0, |p| p.now())
    };
    let player = Rc::new(RefCell::new(Player {
        spec,
        canvas,
        renderer: PreviewRenderer::default(),
        started: now(),
        on_end: Some(Box::new(on_end)),
    }));
    Player::tick(player, now);
}

struct Player {
    spec: AnimationSpec,
    canvas: HtmlCanvasElement,
    renderer: PreviewRenderer,
    started: f64,
    on_end: Option<Box<dyn FnOnce()>>,
}

impl Player {
    fn tick(player: Rc<RefCell<Player>>, now: fn() -> f64) {
        let finished = {
            let mut p = player.borrow_mut();
            let frames = p.spec.frame_count();
            let elapsed_s = (now() - p.started) / 1000.0;
            let n = ((elapsed_s * f64::from(p.spec.fps)) as u64).min(frames.saturating_sub(1));
            p.draw(n);
            n + 1 >= frames
        };
        if finished {
            let on_end = player.borrow_mut().on_end.take();
            if let Some(on_end) = on_end {
                on_end();
            }
            return;
        }
        request_animation_frame(move || Player::tick(player, now));
    }

    fn draw(&mut self, n: u64) {
        let Ok(frame) = Interpolator::new(&self.spec).frame(n) else {
            return;
        };
        let size = preview_size(&frame, PATH_PREVIEW_PIXELS);
        let params = preview_params(&frame, size);
        let rgba = self.renderer.render(&params);
        let _ = draw_rgba(&self.canvas, rgba, size.0, size.1);
    }
}
