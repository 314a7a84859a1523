//! The WGSL sources of the GPU renderer, embedded as strings.
