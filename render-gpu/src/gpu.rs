//! The headless wgpu renderer: adapter discovery, an opened device per adapter (`GpuContext`),
//! and `GpuSource`, which computes escape samples with the WGSL shaders of the `shaders` crate
//! (deep zoom by perturbation in `deep`).
//!
//! Blocking by design: renders run on plain worker threads (never on an async runtime thread),
//! and the only code that waits on the GPU is each device's dedicated polling thread.

pub mod adapter;
pub mod context;
pub mod deep;
pub mod error;
pub mod plan;
pub mod poller;
mod readback;
pub mod source;

pub use adapter::{DISABLE_GPU_ENV, discover, instance};
pub use context::GpuContext;
pub use deep::DeepFloat;
pub use error::GpuError;
pub use plan::GpuTuning;
pub use source::GpuSource;
