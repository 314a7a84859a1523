//! The julia-server library: HTTP API, job system, GPU and CPU renderers, and the CLI.

pub mod cli;
pub mod api;
pub mod config;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod results;
pub mod service;
pub mod store;
pub mod gpu;
pub mod render_backend;
