//! Which back-end a command-line render runs on (`--backend` of `render` and `animate`).
//!
//! `auto` leaves software adapters (Mesa's lavapipe, device type `cpu`) out: they run the shaders
//! on the same cores the CPU kernels use, and more slowly (measured on a 2-core machine, release
//! build: a 1920×1080 render at 1000 iterations 0.51 s on lavapipe against 0.14 s on the CPU; a
//! 640×480 deep view at 1e-100 0.92 s against 0.06 s). `gpu` takes any adapter, lavapipe too.

use render_gpu::render_backend::{GpuInfo, Target};

/// Which backend to render on.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BackendChoice {
    /// The best hardware GPU adapter, else the CPU (a software adapter only with `gpu`).
    Auto,
    /// A GPU adapter, software ones included; fails when there is none.
    Gpu,
    /// The CPU only.
    Cpu,
}

impl BackendChoice {
    /// Where a render goes, given the adapters found (best first); `None` for `gpu` when there
    /// is no adapter at all.
    pub fn target(self, gpus: &[GpuInfo]) -> Option<Target> {
        match self {
            BackendChoice::Cpu => Some(Target::Cpu),
            BackendChoice::Gpu => (!gpus.is_empty()).then_some(Target::Gpu(0)),
            BackendChoice::Auto => Some(
                gpus.iter()
                    .position(|gpu| gpu.device_type != "cpu")
                    .map_or(Target::Cpu, Target::Gpu),
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adapter(device_type: &str) -> GpuInfo {
        GpuInfo {
            name: format!("a {device_type} adapter"),
            api: "vulkan".into(),
            device_type: device_type.into(),
            f64: true,
        }
    }

    #[test]
    fn auto_takes_the_first_hardware_adapter_and_leaves_software_ones_out() {
        let lavapipe = adapter("cpu");
        let discrete = adapter("discrete");
        let auto = BackendChoice::Auto;
        assert_eq!(auto.target(&[]), Some(Target::Cpu));
        assert_eq!(
            auto.target(std::slice::from_ref(&lavapipe)),
            Some(Target::Cpu)
        );
        assert_eq!(
            auto.target(&[discrete.clone(), lavapipe.clone()]),
            Some(Target::Gpu(0))
        );
        assert_eq!(
            auto.target(&[lavapipe.clone(), adapter("integrated")]),
            Some(Target::Gpu(1))
        );
    }

    #[test]
    fn gpu_takes_any_adapter_and_cpu_none() {
        let lavapipe = adapter("cpu");
        assert_eq!(
            BackendChoice::Gpu.target(std::slice::from_ref(&lavapipe)),
            Some(Target::Gpu(0))
        );
        assert_eq!(BackendChoice::Gpu.target(&[]), None);
        assert_eq!(
            BackendChoice::Cpu.target(&[adapter("discrete")]),
            Some(Target::Cpu)
        );
    }
}
