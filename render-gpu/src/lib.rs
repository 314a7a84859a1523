//! render-gpu: renders on the machine's GPUs (wgpu) and CPU cores, and nothing else. It knows no
//! HTTP, no database and no async runtime; the server and the benchmark drive it through
//! [`render_backend::Backends`].
//!
//! `gpu` opens adapters and runs the WGSL kernels of the `shaders` crate; `render_backend` picks a
//! GPU or the CPU pool for a render and falls back to the CPU when the GPU fails (docs/DESIGN.md §5).

pub mod gpu;
pub mod render_backend;
