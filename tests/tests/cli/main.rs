//! `julia-server render` and the binary's command line as a user runs them, one test binary:
//! local renders and their exit codes ([`render`]), videos from keyframes ([`animate`]), renders through a running server
//! ([`remote`]), the per-job memory bound ([`memory`]) and secrets kept out of output
//! ([`secrets`]).
//!
//! Build the binary first: `cargo build -p julia-server`.

mod animate;
mod memory;
mod remote;
mod render;
mod secrets;
