//! The share button: copies the page's URL, which holds the whole view (`url_state`), to the
//! clipboard, and shows the link itself where the clipboard is not available.

use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

#[component]
pub fn Share() -> impl IntoView {
    let status = RwSignal::new(None::<String>);
    let fallback = RwSignal::new(None::<String>);
    let share = move |_| {
        let url = window().location().href().unwrap_or_default();
        match copy_to_clipboard(&url) {
            Ok(()) => {
                fallback.set(None);
                status.set(Some("Link copied".to_string()));
            }
            Err(_) => {
                status.set(Some("Copy this link:".to_string()));
                fallback.set(Some(url));
            }
        }
    };
    view! {
        <div class="share">
            <button on:click=share>"Share"</button>
            <span class="share-status" role="status">{move || status.get()}</span>
            {move || fallback.get().map(|url| view! {
                <input type="text" readonly aria-label="Link to this view" prop:value=url/>
            })}
        </div>
    }
}

/// `navigator.clipboard.writeText(text)`, reached through JS reflection so the page needs no
/// extra web-sys bindings. Fails where the clipboard API is absent (plain HTTP off localhost).
fn copy_to_clipboard(text: &str) -> Result<(), JsValue> {
    let navigator = js_sys::Reflect::get(&window(), &"navigator".into())?;
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())?;
    if clipboard.is_undefined() {
        return Err("no clipboard".into());
    }
    let write: js_sys::Function =
        js_sys::Reflect::get(&clipboard, &"writeText".into())?.dyn_into()?;
    write.call1(&clipboard, &text.into()).map(|_| ())
}
