//! The web UI, one test binary: in headless Chromium against the real `julia-server` (the local
//! preview in [`preview`], render on commit in [`render`], thumbnails that restore views and
//! recolouring in place in [`jobs_restore`], the video panel in [`animation`], the job feed when
//! the server refuses it in [`event_stream`]) and from a plain static host with no API
//! ([`no_api`]); and the server as the UI's static host ([`serving`]). [`support`] starts
//! the server, the static host and the browser.
//!
//! The UI must be built (`make ui`) and the binary too (`cargo build -p julia-server`).

mod animation;
mod event_stream;
mod explorer;
mod jobs_restore;
mod no_api;
mod preview;
mod render;
mod screenshots;
mod serving;
mod support;
