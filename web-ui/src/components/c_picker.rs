//! The c-picker (accessible name `Parameter map`): the Mandelbrot set, drawn in the page by
//! render-core (`mandelbrot_row`) in the preview's palette, with a marker at c.
//!
//! Pressing on the map moves c there and dragging carries it along (the Julia preview follows);
//! arrow keys nudge c by one map pixel (ten with Shift). The map has its own view: the wheel zooms
//! it around the cursor, Shift-drag or the middle button pans it, `+`/`-` zoom around c, so c can
//! be placed precisely near the boundary.

use std::cell::RefCell;
use std::rc::Rc;

use leptos::html::Canvas;
use leptos::prelude::*;
use render_core::{Complex, RenderParams};

use crate::history::ViewHistory;
use crate::map_render::{MapView, draw_map};
use crate::navigation::wheel_factor;

/// What a press on the map does until it is released.
#[derive(Clone, Copy, PartialEq)]
enum MapDrag {
    /// Moving c with the pointer.
    PickC,
    /// Panning the map; the last pointer position.
    Pan(f64, f64),
}

#[component]
pub fn CPicker(view: RwSignal<RenderParams>, history: ViewHistory) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let map = RwSignal::new(MapView::default());
    // The map's image, kept so moving the marker redraws only the marker.
    let image: Rc<RefCell<Option<crate::map_render::MapImage>>> = Rc::default();
    {
        let image = Rc::clone(&image);
        Effect::new(move |_| {
            let m = map.get();
            let (palette, c) = view.with(|v| (v.palette, v.c));
            if let Some(el) = canvas.get() {
                draw_map(&el, &m, palette, c, &mut image.borrow_mut());
            }
        });
    }
    let drag = Rc::new(std::cell::Cell::new(None::<MapDrag>));

    let point_at = move |x: f64, y: f64| -> Option<Complex> {
        let el = canvas.get_untracked()?;
        let rect = el.get_bounding_client_rect();
        Some(
            map.get_untracked()
                .point_at(rect.width(), rect.height(), x, y),
        )
    };
    let set_c = {
        let history = history.clone();
        move |c: Complex| {
            view.update(|v| v.c = c);
            history.record(&view.get_untracked());
        }
    };
    let on_down = {
        let drag = Rc::clone(&drag);
        let set_c = set_c.clone();
        move |ev: leptos::ev::PointerEvent| {
            let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
            if let Some(el) = canvas.get_untracked() {
                let _ = el.set_pointer_capture(ev.pointer_id());
                let _ = el.focus();
            }
            ev.prevent_default();
            if ev.button() == 1 || ev.shift_key() {
                drag.set(Some(MapDrag::Pan(x, y)));
            } else if ev.button() == 0 {
                drag.set(Some(MapDrag::PickC));
                if let Some(c) = point_at(x, y) {
                    set_c(c);
                }
            }
        }
    };
    let on_move = {
        let drag = Rc::clone(&drag);
        let set_c = set_c.clone();
        move |ev: leptos::ev::PointerEvent| {
            let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
            match drag.get() {
                Some(MapDrag::PickC) => {
                    if let Some(c) = point_at(x, y) {
                        set_c(c);
                    }
                }
                Some(MapDrag::Pan(x0, y0)) => {
                    let Some(el) = canvas.get_untracked() else {
                        return;
                    };
                    let width = el.get_bounding_client_rect().width();
                    map.update(|m| m.pan_by_pixels(width, x - x0, y - y0));
                    drag.set(Some(MapDrag::Pan(x, y)));
                }
                None => {}
            }
        }
    };
    let on_up = {
        let drag = Rc::clone(&drag);
        let history = history.clone();
        move |_: leptos::ev::PointerEvent| {
            if drag.take() == Some(MapDrag::PickC) {
                history.end_gesture();
            }
        }
    };
    let on_cancel = on_up.clone();
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        ev.prevent_default();
        let Some(el) = canvas.get_untracked() else {
            return;
        };
        let rect = el.get_bounding_client_rect();
        let (x, y) = (f64::from(ev.offset_x()), f64::from(ev.offset_y()));
        let factor = wheel_factor(ev.delta_y() * if ev.delta_mode() == 0 { 1.0 } else { 40.0 });
        map.update(|m| m.zoom_at(rect.width(), rect.height(), x, y, factor));
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let Some(el) = canvas.get_untracked() else {
            return;
        };
        let width = el.get_bounding_client_rect().width();
        let pixel = map.get_untracked().width / width.max(1.0);
        let step = if ev.shift_key() { 10.0 * pixel } else { pixel };
        let c = view.with_untracked(|v| v.c);
        let moved = match ev.key().as_str() {
            "ArrowLeft" => Some(Complex::new(c.re - step, c.im)),
            "ArrowRight" => Some(Complex::new(c.re + step, c.im)),
            "ArrowUp" => Some(Complex::new(c.re, c.im + step)),
            "ArrowDown" => Some(Complex::new(c.re, c.im - step)),
            "+" | "=" => {
                map.update(|m| m.zoom_around(c, 0.5));
                None
            }
            "-" | "_" => {
                map.update(|m| m.zoom_around(c, 2.0));
                None
            }
            _ => return,
        };
        ev.prevent_default();
        if let Some(c) = moved {
            set_c(c);
            history.end_gesture_after_pause();
        }
    };
    let reset = move |_| map.set(MapView::default());

    view! {
        <section class="c-picker" aria-label="Pick c">
            <canvas class="map" node_ref=canvas aria-label="Parameter map" role="img" tabindex="0"
                title="Press or drag to move c; wheel zooms, Shift-drag pans"
                on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up
                on:pointercancel=on_cancel on:wheel=on_wheel on:keydown=on_key></canvas>
            <div class="map-bar">
                <span class="map-c">{move || view.with(|v| format!("c = {:.6} {:+.6}i", v.c.re, v.c.im))}</span>
                <button type="button" on:click=reset>"Whole set"</button>
            </div>
        </section>
    }
}
