//! Keyboard shortcuts for the whole page and their help overlay (`?` opens it, `Escape` closes).
//!
//! Keys typed into a text field are the field's, never a shortcut.

use leptos::prelude::*;
use render_core::RenderParams;
use wasm_bindgen::JsCast;

use crate::history::ViewHistory;

/// Every shortcut and what it does, as the overlay lists them.
pub const SHORTCUTS: [(&str, &str); 9] = [
    ("?", "Show or hide this help"),
    ("Esc", "Close this help"),
    ("h", "Home: the whole Julia set (keeps c and colours)"),
    ("r", "Render the view on the server"),
    ("Drag / one finger", "Pan the preview"),
    ("Wheel / pinch", "Zoom around the cursor or fingers"),
    ("← ↑ → ↓, + −", "Pan and zoom the focused preview"),
    ("← ↑ → ↓ on the map", "Move c by a map pixel (Shift: ten)"),
    ("+ − on the map", "Zoom the map around c"),
];

/// Whether a key event comes from a place that takes text.
fn typed_into_field(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}

#[component]
pub fn Shortcuts(view: RwSignal<RenderParams>, history: ViewHistory) -> impl IntoView {
    let open = RwSignal::new(false);
    let on_key = move |ev: web_sys::KeyboardEvent| {
        if typed_into_field(&ev) || ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        match ev.key().as_str() {
            "?" => open.update(|o| *o = !*o),
            "Escape" => open.set(false),
            "h" => {
                view.update(|v| {
                    let home = RenderParams::default();
                    v.center = home.center;
                    v.view_width = home.view_width;
                    v.exact = v.exact.consistent_with(v);
                });
                history.record(&view.get_untracked());
                history.end_gesture();
            }
            "r" => {
                if let Some(button) = document()
                    .query_selector("button.render")
                    .ok()
                    .flatten()
                    .and_then(|b| b.dyn_into::<web_sys::HtmlElement>().ok())
                {
                    button.click();
                }
            }
            _ => return,
        }
        ev.prevent_default();
    };
    let listener = window_event_listener(leptos::ev::keydown, on_key);
    on_cleanup(move || listener.remove());

    view! {
        <button type="button" class="help-button" aria-label="Keyboard shortcuts"
            on:click=move |_| open.update(|o| *o = !*o)>"?"</button>
        <Show when=move || open.get()>
            <div class="help-overlay" role="dialog" aria-label="Keyboard shortcuts"
                on:click=move |_| open.set(false)>
                <div class="help-box">
                    <h2>"Keyboard and gestures"</h2>
                    <dl>
                        {SHORTCUTS
                            .into_iter()
                            .map(|(key, what)| view! { <dt><kbd>{key}</kbd></dt><dd>{what}</dd> })
                            .collect_view()}
                    </dl>
                </div>
            </div>
        </Show>
    }
}
