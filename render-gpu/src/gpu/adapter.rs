//! Adapter discovery: every adapter that can run the escape shaders, best first.
//!
//! Preference: discrete > integrated > virtual > other > CPU (software, e.g. Mesa lavapipe), then
//! Vulkan/Metal/DX12 over GL. A software adapter renders on the same cores as the CPU pool, so it
//! is only offered when there is no hardware adapter at all, and then only the best one.

use wgpu::{Backends, DeviceType, DownlevelFlags};

/// Environment variable that hides every GPU adapter (`JULIA_DISABLE_GPU=1`): for deployments that
/// must not touch the GPU and for tests of the no-adapter path.
pub const DISABLE_GPU_ENV: &str = "JULIA_DISABLE_GPU";

/// Creates the wgpu instance: the primary native APIs (Vulkan, Metal, DX12), overridable with
/// `WGPU_BACKEND` and friends (`WGPU_BACKEND=gl` for OpenGL).
///
/// GL is left out unless asked for: where a GPU has a GL driver it has a Vulkan one too, and a GL
/// adapter would then be a second worker on the same GPU; and probing EGL on a headless server
/// makes libwayland print `error: XDG_RUNTIME_DIR is invalid` on every start, which is no error.
pub fn instance() -> wgpu::Instance {
    let mut descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
    descriptor.backends = Backends::PRIMARY;
    wgpu::Instance::new(descriptor.with_env())
}

/// Whether `JULIA_DISABLE_GPU` is set to something other than empty or `0`.
pub fn gpu_disabled_by_env() -> bool {
    std::env::var(DISABLE_GPU_ENV).is_ok_and(|v| !v.is_empty() && v != "0")
}

/// Usable adapters, best first (blocking).
pub fn discover(instance: &wgpu::Instance) -> Vec<wgpu::Adapter> {
    if gpu_disabled_by_env() {
        tracing::info!("{DISABLE_GPU_ENV} is set: not using any GPU adapter");
        return Vec::new();
    }
    let adapters = futures::executor::block_on(instance.enumerate_adapters(Backends::all()));
    let mut usable: Vec<wgpu::Adapter> = adapters
        .into_iter()
        .filter(|a| {
            let ok = a
                .get_downlevel_capabilities()
                .flags
                .contains(DownlevelFlags::COMPUTE_SHADERS);
            if !ok {
                tracing::info!(adapter = %a.get_info().name, "skipping adapter without compute shaders");
            }
            ok
        })
        .collect();
    usable.sort_by_key(|a| {
        let info = a.get_info();
        (device_rank(info.device_type), backend_rank(info.backend))
    });
    let has_hardware = usable
        .iter()
        .any(|a| a.get_info().device_type != DeviceType::Cpu);
    let mut seen_software = false;
    usable.retain(|a| {
        if a.get_info().device_type != DeviceType::Cpu {
            return true;
        }
        let keep = !has_hardware && !seen_software;
        seen_software = true;
        keep
    });
    usable
}

/// Lower is better.
fn device_rank(t: DeviceType) -> u8 {
    match t {
        DeviceType::DiscreteGpu => 0,
        DeviceType::IntegratedGpu => 1,
        DeviceType::VirtualGpu => 2,
        DeviceType::Other => 3,
        DeviceType::Cpu => 4,
    }
}

/// Lower is better: the modern native APIs before GL.
fn backend_rank(b: wgpu::Backend) -> u8 {
    match b {
        wgpu::Backend::Vulkan | wgpu::Backend::Metal | wgpu::Backend::Dx12 => 0,
        wgpu::Backend::Gl => 1,
        _ => 2,
    }
}

/// Human name of a device type, as the API and logs show it.
pub fn device_type_name(t: DeviceType) -> &'static str {
    match t {
        DeviceType::DiscreteGpu => "discrete",
        DeviceType::IntegratedGpu => "integrated",
        DeviceType::VirtualGpu => "virtual",
        DeviceType::Other => "other",
        DeviceType::Cpu => "cpu",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hardware_adapters_rank_before_software() {
        let order = [
            DeviceType::DiscreteGpu,
            DeviceType::IntegratedGpu,
            DeviceType::VirtualGpu,
            DeviceType::Other,
            DeviceType::Cpu,
        ];
        for pair in order.windows(2) {
            assert!(device_rank(pair[0]) < device_rank(pair[1]), "{pair:?}");
        }
        assert!(backend_rank(wgpu::Backend::Vulkan) < backend_rank(wgpu::Backend::Gl));
    }

    /// On a machine with Mesa's EGL (CI's), enumerating every backend finds llvmpipe's GL
    /// adapter; the instance must not offer it unless `WGPU_BACKEND` asks for GL.
    #[test]
    fn the_instance_offers_gl_only_when_asked_for() {
        let asked_for_gl =
            std::env::var("WGPU_BACKEND").is_ok_and(|v| v.to_ascii_lowercase().contains("gl"));
        let adapters = futures::executor::block_on(instance().enumerate_adapters(Backends::all()));
        let gl: Vec<String> = adapters
            .iter()
            .map(wgpu::Adapter::get_info)
            .filter(|info| info.backend == wgpu::Backend::Gl)
            .map(|info| info.name)
            .collect();
        assert_eq!(gl.is_empty(), !asked_for_gl, "GL adapters: {gl:?}");
    }
}
