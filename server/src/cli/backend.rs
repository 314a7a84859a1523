//! Which back-end a command-line render runs on (`--backend` of `render` and `animate`).
//!
//! `auto` leaves software adapters (Mesa's lavapipe, device type `cpu`) out, without opening
//! them: they run the shaders on the same cores the CPU kernels use, and more slowly (measured
//! on a 2-core machine, release build: a 1920×1080 render at 1000 iterations 0.51 s on lavapipe
//! against 0.14 s on the CPU; a 640×480 deep view at 1e-100 0.92 s against 0.06 s). `gpu` takes
//! any adapter, lavapipe too.

use render_gpu::render_backend::{BackendOptions, Backends, GpuInfo, Target};

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
    /// The adapters this choice looks for.
    pub fn options(self) -> BackendOptions {
        BackendOptions {
            cpu_only: self == BackendChoice::Cpu,
            hardware_only: self == BackendChoice::Auto,
            ..BackendOptions::default()
        }
    }

    /// The back-ends this choice renders with (`Backends::detect` with [`Self::options`]).
    pub fn detect(self) -> Backends {
        Backends::detect(&self.options())
    }

    /// Where a render goes, given the adapters [`Self::detect`] found (best first); `None` for
    /// `gpu` when there is none.
    pub fn target(self, gpus: &[GpuInfo]) -> Option<Target> {
        match (self, gpus.is_empty()) {
            (BackendChoice::Cpu, _) | (BackendChoice::Auto, true) => Some(Target::Cpu),
            (BackendChoice::Gpu, true) => None,
            (BackendChoice::Gpu | BackendChoice::Auto, false) => Some(Target::Gpu(0)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_looks_for_hardware_adapters_only_and_cpu_for_none() {
        let auto = BackendChoice::Auto.options();
        assert!(auto.hardware_only && !auto.cpu_only);
        let gpu = BackendChoice::Gpu.options();
        assert!(!gpu.hardware_only && !gpu.cpu_only);
        assert!(BackendChoice::Cpu.options().cpu_only);
    }

    #[test]
    fn a_render_goes_to_the_first_adapter_found_and_gpu_fails_without_one() {
        let adapter = GpuInfo {
            name: "an adapter".into(),
            api: "vulkan".into(),
            device_type: "discrete".into(),
            f64: true,
        };
        let found = std::slice::from_ref(&adapter);
        assert_eq!(BackendChoice::Auto.target(found), Some(Target::Gpu(0)));
        assert_eq!(BackendChoice::Auto.target(&[]), Some(Target::Cpu));
        assert_eq!(BackendChoice::Gpu.target(found), Some(Target::Gpu(0)));
        assert_eq!(BackendChoice::Gpu.target(&[]), None);
        assert_eq!(BackendChoice::Cpu.target(found), Some(Target::Cpu));
    }
}
