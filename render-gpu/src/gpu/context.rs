//! `GpuContext`: one opened adapter — device, queue, compiled escape and deep pipelines, the polling
//! thread, and the device's health (lost? uncaptured error?). Shared by every render on it.

use std::sync::{Arc, Mutex};

use super::adapter::device_type_name;
use super::error::GpuError;
use super::poller::Poller;

/// Device-wide failures reported by wgpu callbacks, read by the render thread between steps.
#[derive(Default)]
struct Health {
    lost: Mutex<Option<String>>,
    uncaptured: Mutex<Option<GpuError>>,
    /// A render failed on this device: do not trust it with the next job.
    broken: Mutex<Option<String>>,
}

/// An opened adapter, ready to render.
pub struct GpuContext {
    pub(crate) device: wgpu::Device,
    pub(crate) queue: wgpu::Queue,
    pub(crate) layout: wgpu::BindGroupLayout,
    pub(crate) f32_pipeline: wgpu::ComputePipeline,
    pub(crate) f64_pipeline: Option<wgpu::ComputePipeline>,
    /// The deep-zoom shaders: the escape shaders' bindings and one more, the BLA table.
    pub(crate) deep_layout: wgpu::BindGroupLayout,
    pub(crate) deep_f32_pipeline: wgpu::ComputePipeline,
    pub(crate) deep_f64_pipeline: Option<wgpu::ComputePipeline>,
    pub(crate) limits: wgpu::Limits,
    info: wgpu::AdapterInfo,
    health: Arc<Health>,
    poller: Poller,
}

impl GpuContext {
    /// Opens `adapter` (blocking): device with every limit it offers and `SHADER_F64` when it has
    /// it, both pipelines compiled, polling thread started.
    pub fn open(adapter: &wgpu::Adapter) -> Result<Self, GpuError> {
        let info = adapter.get_info();
        let f64_supported = adapter.features().contains(wgpu::Features::SHADER_F64);
        let required_features = if f64_supported {
            wgpu::Features::SHADER_F64
        } else {
            wgpu::Features::empty()
        };
        let (device, queue) =
            futures::executor::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
                label: Some("julia escape renderer"),
                required_features,
                required_limits: adapter.limits(),
                ..Default::default()
            }))
            .map_err(|e| GpuError::RequestDevice(e.to_string()))?;

        let health = Arc::new(Health::default());
        let lost = Arc::clone(&health);
        device.set_device_lost_callback(move |reason, message| {
            tracing::warn!(?reason, %message, "GPU device lost");
            *lost.lost.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(format!("{reason:?}: {message}"));
        });
        let uncaptured = Arc::clone(&health);
        // wgpu's default handler panics; record the error so the render falls back instead.
        device.on_uncaptured_error(Arc::new(move |err: wgpu::Error| {
            tracing::warn!(error = %err, "uncaptured GPU error");
            *uncaptured
                .uncaptured
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = Some(GpuError::from_wgpu(&err));
        }));

        let Pipelines {
            layout,
            deep_layout,
            f32_pipeline,
            f64_pipeline,
            deep_f32_pipeline,
            deep_f64_pipeline,
        } = scoped(&device, || Ok(build_pipelines(&device, f64_supported)))?;
        let poller = Poller::spawn(device.clone(), &info.name)
            .map_err(|e| GpuError::Internal(format!("cannot start the polling thread: {e}")))?;
        tracing::info!(
            adapter = %info.name,
            backend = %info.backend,
            device_type = device_type_name(info.device_type),
            f64 = f64_supported,
            "GPU renderer ready"
        );
        Ok(Self {
            limits: device.limits(),
            device,
            queue,
            layout,
            deep_layout,
            f32_pipeline,
            f64_pipeline,
            deep_f32_pipeline,
            deep_f64_pipeline,
            info,
            health,
            poller,
        })
    }

    pub fn info(&self) -> &wgpu::AdapterInfo {
        &self.info
    }

    pub fn supports_f64(&self) -> bool {
        self.f64_pipeline.is_some()
    }

    /// Fails if the device was lost or reported an error outside an error scope.
    pub fn check_health(&self) -> Result<(), GpuError> {
        if let Some(reason) = self
            .health
            .lost
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            return Err(GpuError::DeviceLost(reason));
        }
        match self
            .health
            .uncaptured
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
        {
            Some(err) => Err(err),
            None => Ok(()),
        }
    }

    /// Whether the device is gone or untrustworthy: the next job must open a new context.
    pub fn needs_reopen(&self) -> bool {
        let lost = self.health.lost.lock().unwrap_or_else(|p| p.into_inner());
        let broken = self.health.broken.lock().unwrap_or_else(|p| p.into_inner());
        lost.is_some() || broken.is_some()
    }

    /// Records that a render failed here. A destroyed or reset device often reports itself
    /// first as validation errors ("buffer is invalid") before its lost callback runs, so any
    /// such failure retires the context; a loss already known is reported as the cause.
    pub fn record_failure(&self, err: GpuError) -> GpuError {
        let err = match self
            .health
            .lost
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
        {
            Some(reason) => GpuError::DeviceLost(reason),
            None => err,
        };
        if err.breaks_device() {
            *self.health.broken.lock().unwrap_or_else(|p| p.into_inner()) = Some(err.to_string());
        }
        err
    }

    /// Blocks until `submission` is done (the polling thread does the polling).
    pub fn wait(&self, submission: wgpu::SubmissionIndex) -> Result<(), GpuError> {
        self.poller.wait(submission)?;
        self.check_health()
    }

    /// Destroys the device, as a driver reset would: used by tests of the fallback path.
    pub fn destroy_device(&self) {
        self.device.destroy();
    }
}

/// Runs `f` inside out-of-memory, validation and internal error scopes and turns the first
/// captured error into a `GpuError` (it explains more than any error `f` saw as a consequence).
pub(crate) fn scoped<T>(
    device: &wgpu::Device,
    f: impl FnOnce() -> Result<T, GpuError>,
) -> Result<T, GpuError> {
    let oom = device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
    let validation = device.push_error_scope(wgpu::ErrorFilter::Validation);
    let internal = device.push_error_scope(wgpu::ErrorFilter::Internal);
    let result = f();
    // Scopes pop innermost first; on native the futures are already resolved.
    let errors = [
        futures::executor::block_on(internal.pop()),
        futures::executor::block_on(validation.pop()),
        futures::executor::block_on(oom.pop()),
    ];
    match errors.iter().rev().flatten().next() {
        Some(err) => Err(GpuError::from_wgpu(err)),
        None => result,
    }
}

/// The compiled shaders of a device and their bind group layouts.
struct Pipelines {
    layout: wgpu::BindGroupLayout,
    deep_layout: wgpu::BindGroupLayout,
    f32_pipeline: wgpu::ComputePipeline,
    f64_pipeline: Option<wgpu::ComputePipeline>,
    deep_f32_pipeline: wgpu::ComputePipeline,
    deep_f64_pipeline: Option<wgpu::ComputePipeline>,
}

fn build_pipelines(device: &wgpu::Device, f64_supported: bool) -> Pipelines {
    let storage = |binding, read_only| wgpu::BindGroupLayoutEntry {
        binding,
        visibility: wgpu::ShaderStages::COMPUTE,
        ty: wgpu::BindingType::Buffer {
            ty: wgpu::BufferBindingType::Storage { read_only },
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    };
    let escape_entries = [
        wgpu::BindGroupLayoutEntry {
            binding: 0,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Uniform,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        },
        storage(1, true),
        storage(2, true),
        storage(3, false),
        storage(4, false),
    ];
    let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("julia escape bindings"),
        entries: &escape_entries,
    });
    let mut deep_entries = escape_entries.to_vec();
    deep_entries.push(storage(5, true));
    let deep_layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("julia deep bindings"),
        entries: &deep_entries,
    });
    let pipeline_layout = |label, layout: &wgpu::BindGroupLayout| {
        device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(label),
            bind_group_layouts: &[Some(layout)],
            immediate_size: 0,
        })
    };
    let escape_layout = pipeline_layout("julia escape pipeline layout", &layout);
    let deep_pipeline_layout = pipeline_layout("julia deep pipeline layout", &deep_layout);
    let pipeline = |label: &str, source: &'static str, pipeline_layout: &wgpu::PipelineLayout| {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some(label),
            source: wgpu::ShaderSource::Wgsl(source.into()),
        });
        device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some(label),
            layout: Some(pipeline_layout),
            module: &module,
            entry_point: Some(shaders::ENTRY_POINT),
            compilation_options: Default::default(),
            cache: None,
        })
    };
    let escape = |label, source| pipeline(label, source, &escape_layout);
    let deep = |label, source| pipeline(label, source, &deep_pipeline_layout);
    let f32_pipeline = escape("julia.wgsl", shaders::JULIA_F32);
    let f64_pipeline = f64_supported.then(|| escape("julia_f64.wgsl", shaders::JULIA_F64));
    let deep_f32_pipeline = deep("deep_f32.wgsl", shaders::DEEP_F32);
    let deep_f64_pipeline = f64_supported.then(|| deep("deep_f64.wgsl", shaders::DEEP_F64));
    Pipelines {
        layout,
        deep_layout,
        f32_pipeline,
        f64_pipeline,
        deep_f32_pipeline,
        deep_f64_pipeline,
    }
}
