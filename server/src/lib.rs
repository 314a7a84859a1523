//! The julia-server library: HTTP API, job stores, workers and the CLI. Rendering (GPU and CPU
//! back-ends) is the render-gpu crate's.

pub mod animation;
pub mod api;
pub mod cli;
pub mod config;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod results;
pub mod service;
pub mod store;
