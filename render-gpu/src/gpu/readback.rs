//! Reading a chunk's samples back from the GPU: one copy into a `MAP_READ` staging buffer,
//! mapped once the polling thread has seen the copy finish. Shared by the escape and deep paths.

use std::sync::mpsc;

use render_core::EscapeSample;

use super::context::GpuContext;
use super::error::GpuError;

const SAMPLE_BYTES: u64 = std::mem::size_of::<EscapeSample>() as u64;

/// Copies `out.len()` samples from `samples` through `staging` (`MAP_READ | COPY_DST`) into `out`,
/// after everything submitted before.
pub(crate) fn read_samples(
    ctx: &GpuContext,
    samples: &wgpu::Buffer,
    staging: &wgpu::Buffer,
    out: &mut [EscapeSample],
) -> Result<(), GpuError> {
    let bytes = out.len() as u64 * SAMPLE_BYTES;
    let mut encoder = ctx
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("julia readback"),
        });
    encoder.copy_buffer_to_buffer(samples, 0, staging, 0, bytes);
    let submission = ctx.queue.submit([encoder.finish()]);
    let slice = staging.slice(0..bytes);
    let (mapped_tx, mapped_rx) = mpsc::channel();
    slice.map_async(wgpu::MapMode::Read, move |result| {
        let _ = mapped_tx.send(result);
    });
    ctx.wait(submission)?;
    mapped_rx
        .try_recv()
        .map_err(|_| GpuError::Readback("the map callback did not run".into()))?
        .map_err(|e| GpuError::Readback(e.to_string()))?;
    {
        let view = slice
            .get_mapped_range()
            .map_err(|e| GpuError::Readback(e.to_string()))?;
        out.copy_from_slice(bytemuck::cast_slice(&view));
    }
    staging.unmap();
    Ok(())
}
