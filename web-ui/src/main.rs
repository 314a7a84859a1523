//! web-ui: the Leptos client-side app. It previews Julia sets in the browser with render-core
//! (the server's own CPU renderer) and renders full-resolution images through the job API.

mod animation;
mod api;
mod api_key;
mod app;
mod components;
mod config;
mod connection;
mod depth;
mod events;
mod exact;
mod history;
mod job;
mod map_render;
mod navigation;
mod pointers;
mod preview;
mod url_state;

fn main() {
    console_error_panic_hook_lite();
    // The preview workers run this same program: with no window, it serves preview bands.
    if web_sys::window().is_none() {
        preview::serve_as_worker();
        return;
    }
    preview::install_bench_hook();
    leptos::mount::mount_to_body(app::App);
}

/// Sends panic messages to the browser console instead of an opaque "unreachable" trap.
fn console_error_panic_hook_lite() {
    std::panic::set_hook(Box::new(|info| {
        leptos::logging::error!("web-ui panicked: {info}");
    }));
}
