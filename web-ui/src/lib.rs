//! What web-ui's two WebAssembly programs share: the page (`main.rs`, the Leptos app) and the
//! preview worker (`bin/preview-worker.rs`, which computes preview bands off the page's thread).

pub mod preview_band;
