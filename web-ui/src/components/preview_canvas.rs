//! The preview canvas (accessible name `Preview`): drawn locally on every edit; drag to pan (mouse,
//! pen or one finger), pinch with two fingers or the wheel to zoom around the fingers or cursor,
//! arrow keys and `+`/`-` when focused.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use render_core::RenderParams;

use crate::history::ViewHistory;
use crate::navigation::{
    KEY_PAN_FRACTION, KEY_ZOOM_FACTOR, Screen, pan_by_fraction, pan_by_pixels, wheel_factor,
    zoom_at,
};
use crate::pointers::{Gesture, Pointers, position};
use crate::preview::FrameLoop;

/// A keyboard command: how it changes the view, given the canvas size.
type ViewChange = dyn Fn(&mut RenderParams, Screen);

#[component]
pub fn PreviewCanvas(view: RwSignal<RenderParams>, history: ViewHistory) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let frames = FrameLoop::new(view.into(), canvas);
    Effect::new(move |_| {
        view.track();
        frames.invalidate();
    });

    let screen = move || {
        canvas.get_untracked().map(|el| {
            let rect = el.get_bounding_client_rect();
            Screen {
                width: rect.width(),
                height: rect.height(),
            }
        })
    };
    // The pointers pressed on the canvas: one drags, two pinch.
    let pointers: Rc<RefCell<Pointers>> = Rc::default();

    let on_pointer_down = {
        let pointers = Rc::clone(&pointers);
        move |ev: leptos::ev::PointerEvent| {
            if ev.button() != 0 {
                return;
            }
            if let Some(el) = canvas.get_untracked() {
                let _ = el.set_pointer_capture(ev.pointer_id());
                let _ = el.focus();
            }
            pointers.borrow_mut().press(ev.pointer_id(), position(&ev));
            ev.prevent_default();
        }
    };
    let on_pointer_move = {
        let pointers = Rc::clone(&pointers);
        let history = history.clone();
        move |ev: leptos::ev::PointerEvent| {
            let Some(gesture) = pointers.borrow_mut().moved(ev.pointer_id(), position(&ev)) else {
                return;
            };
            let (Some(screen), Some(el)) = (screen(), canvas.get_untracked()) else {
                return;
            };
            match gesture {
                Gesture::Drag { dx, dy } => view.update(|v| pan_by_pixels(v, screen, dx, dy)),
                Gesture::Pinch {
                    x,
                    y,
                    dx,
                    dy,
                    scale,
                } => {
                    let rect = el.get_bounding_client_rect();
                    let (x, y) = (x - rect.left(), y - rect.top());
                    view.update(|v| {
                        pan_by_pixels(v, screen, dx, dy);
                        zoom_at(v, screen, x, y, 1.0 / scale);
                    });
                }
            }
            history.record(&view.get_untracked());
        }
    };
    let on_pointer_end = {
        let pointers = Rc::clone(&pointers);
        let history = history.clone();
        move |ev: leptos::ev::PointerEvent| {
            if pointers.borrow_mut().release(ev.pointer_id()) {
                history.end_gesture();
            }
        }
    };
    let on_pointer_cancel = on_pointer_end.clone();
    let on_wheel = {
        let history = history.clone();
        move |ev: leptos::ev::WheelEvent| {
            ev.prevent_default();
            let Some(screen) = screen() else { return };
            // Lines and pages (Firefox, some mice) are scaled to pixels.
            let unit = match ev.delta_mode() {
                1 => 40.0,
                2 => 800.0,
                _ => 1.0,
            };
            let factor = wheel_factor(ev.delta_y() * unit);
            // From client coordinates and the layout rectangle (fractional), not offsetX (whole
            // pixels), so the anchor is where the pointer really is.
            let Some(rect) = canvas
                .get_untracked()
                .map(|el| el.get_bounding_client_rect())
            else {
                return;
            };
            let x = f64::from(ev.client_x()) - rect.left();
            let y = f64::from(ev.client_y()) - rect.top();
            view.update(|v| zoom_at(v, screen, x, y, factor));
            history.record(&view.get_untracked());
            history.end_gesture_after_pause();
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let change: Option<Box<ViewChange>> = match ev.key().as_str() {
            "ArrowLeft" => Some(Box::new(|v, _| pan_by_fraction(v, -KEY_PAN_FRACTION, 0.0))),
            "ArrowRight" => Some(Box::new(|v, _| pan_by_fraction(v, KEY_PAN_FRACTION, 0.0))),
            "ArrowUp" => Some(Box::new(|v, _| pan_by_fraction(v, 0.0, KEY_PAN_FRACTION))),
            "ArrowDown" => Some(Box::new(|v, _| pan_by_fraction(v, 0.0, -KEY_PAN_FRACTION))),
            "+" | "=" => Some(Box::new(|v, s| {
                zoom_at(v, s, s.width / 2.0, s.height / 2.0, 1.0 / KEY_ZOOM_FACTOR)
            })),
            "-" | "_" => Some(Box::new(|v, s| {
                zoom_at(v, s, s.width / 2.0, s.height / 2.0, KEY_ZOOM_FACTOR)
            })),
            _ => None,
        };
        let (Some(change), Some(screen)) = (change, screen()) else {
            return;
        };
        ev.prevent_default();
        view.update(|v| change(v, screen));
        history.record(&view.get_untracked());
        history.end_gesture_after_pause();
    };

    let aspect = move || view.with(|v| format!("aspect-ratio: {} / {}", v.width, v.height));
    view! {
        <canvas class="preview" node_ref=canvas aria-label="Preview" role="img" tabindex="0"
            style=aspect
            on:pointerdown=on_pointer_down
            on:pointermove=on_pointer_move
            on:pointerup=on_pointer_end
            on:pointercancel=on_pointer_cancel
            on:wheel=on_wheel
            on:keydown=on_key></canvas>
    }
}
