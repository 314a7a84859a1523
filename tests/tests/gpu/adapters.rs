//! Adapter discovery: `hardware_only` (the CLI's `--backend auto`) leaves software adapters such
//! as lavapipe out and keeps every other adapter the default discovery finds.

use render_gpu::render_backend::{BackendOptions, Backends, GpuInfo};

use crate::parity::gpu_backends;

#[test]
fn hardware_only_discovery_leaves_software_adapters_out() {
    let Some(all) = gpu_backends() else {
        return;
    };
    let hardware = Backends::detect(&BackendOptions {
        hardware_only: true,
        ..BackendOptions::default()
    });
    let expected: Vec<GpuInfo> = all
        .gpus()
        .iter()
        .filter(|gpu| gpu.device_type != "cpu")
        .cloned()
        .collect();
    assert_eq!(hardware.gpus(), expected.as_slice());
}
