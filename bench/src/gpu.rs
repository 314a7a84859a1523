//! Escape-iterations per second of every GPU adapter this machine has (lavapipe included), on
//! the same views as the CPU figures.

use render_core::RenderParams;
use render_gpu::gpu::GpuTuning;
use render_gpu::render_backend::{BackendOptions, Backends};

use crate::cpu::{Throughput, run_source};

/// One row per adapter; an empty list when there is none.
pub fn measure(params: &RenderParams) -> anyhow::Result<Vec<(String, Throughput)>> {
    let backends = Backends::detect(&BackendOptions::default());
    let mut rows = Vec::new();
    for (index, info) in backends.gpus().iter().enumerate() {
        let mut source = backends.gpu_source(index, GpuTuning::default())?;
        run_source(&mut source, params)?; // warm-up: pipeline and buffer creation
        let (iterations, seconds) = run_source(&mut source, params)?;
        let label = format!(
            "GPU f32, {} ({}, {})",
            info.name, info.api, info.device_type
        );
        rows.push((
            info.name.clone(),
            Throughput {
                label,
                iterations,
                seconds,
            },
        ));
    }
    Ok(rows)
}
