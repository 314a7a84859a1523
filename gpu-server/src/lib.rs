//! The julia-server library: HTTP API, job system, GPU and CPU renderers, and the CLI.

pub mod api;
pub mod cli;
pub mod config;
pub mod gpu;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod render_backend;
pub mod results;
pub mod service;
pub mod store;
