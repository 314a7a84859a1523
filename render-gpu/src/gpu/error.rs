//! `GpuError`: every way the GPU renderer can fail. Each one makes the job fall back to the CPU.

/// A GPU failure. The render backend logs it, counts it and finishes the job on the CPU.
#[derive(Debug, Clone, thiserror::Error)]
pub enum GpuError {
    #[error("no usable GPU adapter")]
    NoAdapter,
    #[error("could not open the GPU device: {0}")]
    RequestDevice(String),
    #[error("the GPU device was lost: {0}")]
    DeviceLost(String),
    #[error("the GPU ran out of memory: {0}")]
    OutOfMemory(String),
    #[error("the GPU rejected a command (validation): {0}")]
    Validation(String),
    #[error("internal GPU error: {0}")]
    Internal(String),
    #[error("waiting for the GPU failed: {0}")]
    Poll(String),
    #[error("reading results back from the GPU failed: {0}")]
    Readback(String),
    #[error("this adapter cannot render it: {0}")]
    Unsupported(String),
}

impl GpuError {
    /// Maps a wgpu error captured by an error scope or the uncaptured-error handler.
    pub fn from_wgpu(err: &wgpu::Error) -> Self {
        // wgpu's messages span several lines ("Caused by: ..."); logs and job records want one.
        let text = err
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        match err {
            wgpu::Error::OutOfMemory { .. } => GpuError::OutOfMemory(text),
            wgpu::Error::Validation { .. } => GpuError::Validation(text),
            wgpu::Error::Internal { .. } => GpuError::Internal(text),
        }
    }

    /// Whether the device may be broken after this error (so the next job reopens it), as
    /// opposed to a job this adapter simply cannot do.
    pub fn breaks_device(&self) -> bool {
        !matches!(self, GpuError::Unsupported(_))
    }
}
