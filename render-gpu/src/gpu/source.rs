//! `GpuSource`: the GPU implementation of `render_core::EscapeSource`.
//!
//! Per band: the row table (imaginary parts of the band's sample rows, computed in f64 by
//! render-core's `Viewport`) is uploaded, the band is cut into chunks that fit the adapter's
//! limits, each chunk runs as a series of short dispatches over slices of the iteration range
//! (each its own submission, waited for one by one with the next already queued, and the stop
//! flag checked between them), and the samples come back through a `MAP_READ | COPY_DST` staging
//! buffer. The column table is uploaded once per image. `precision: deep` bands go to
//! `super::deep`.

use std::sync::Arc;

use render_core::gpu_layout::{
    DispatchRange, JuliaParamsF32, JuliaParamsF64, WORKGROUP_SIZE, Z_STATE_BYTES,
};
use render_core::{Band, EscapeSample, EscapeSource, Precision, RenderParams, StopFlag, Viewport};

use super::context::{GpuContext, scoped};
use super::deep::{DeepFloat, DeepRenderer};
use super::error::GpuError;
use super::plan::{self, Chunk, GpuTuning};
use super::readback::read_samples;

const SAMPLE_BYTES: u64 = std::mem::size_of::<EscapeSample>() as u64;
/// Table entries are uploaded as f64 or f32; buffers are sized for the wider one.
const TABLE_ENTRY_BYTES: u64 = 8;
/// Large enough for either uniform struct.
const UNIFORM_BYTES: u64 = {
    let a = std::mem::size_of::<JuliaParamsF32>();
    let b = std::mem::size_of::<JuliaParamsF64>();
    (if a > b { a } else { b }) as u64
};

/// Renders escape samples on one GPU adapter.
pub struct GpuSource {
    ctx: Arc<GpuContext>,
    max_chunk_samples: u64,
    work_per_dispatch: u64,
    buffers: Option<Buffers>,
    /// Identifies the image whose column table is in `buffers.column_re`.
    columns_key: Option<(u32, u32, u64, u64, bool)>,
    /// `precision: deep` renders (`super::deep`), with their own chunk limit (more state per
    /// sample).
    deep: DeepRenderer,
}

/// The GPU buffers of a chunk, kept between bands and regrown when a chunk needs more.
struct Buffers {
    samples_capacity: u64,
    rows_capacity: u64,
    columns_capacity: u64,
    uniform: wgpu::Buffer,
    column_re: wgpu::Buffer,
    row_im: wgpu::Buffer,
    samples: wgpu::Buffer,
    staging: wgpu::Buffer,
    bind_group: wgpu::BindGroup,
}

impl GpuSource {
    pub fn new(ctx: Arc<GpuContext>) -> Self {
        Self::with_tuning(ctx, GpuTuning::default())
    }

    /// A source with a custom dispatch plan (tests force splitting with tiny limits).
    pub fn with_tuning(ctx: Arc<GpuContext>, tuning: GpuTuning) -> Self {
        let deep_chunk_samples = plan::chunk_sample_limit_for(
            &ctx.limits,
            &tuning,
            render_core::gpu_layout::DEEP_STATE_BYTES,
        );
        Self {
            max_chunk_samples: plan::chunk_sample_limit(&ctx.limits, &tuning),
            work_per_dispatch: tuning.work_per_dispatch.max(1),
            ctx,
            buffers: None,
            columns_key: None,
            deep: DeepRenderer::new(deep_chunk_samples, tuning.work_per_dispatch.max(1)),
        }
    }

    /// Renders `precision: deep` with `float` mantissas instead of the default (f64 where the
    /// adapter has `SHADER_F64`, else f32): for tests and benchmarks of each variant.
    pub fn with_deep_float(mut self, float: DeepFloat) -> Self {
        self.deep.forced = Some(float);
        self
    }

    /// Renders `precision: deep` without the zero orbit's BLA jumps, every iteration stepped
    /// (the same counts, more time): for the benchmark's side-by-side figure.
    pub fn without_bla(mut self) -> Self {
        self.deep.bla = false;
        self
    }

    /// Samples of `precision: deep` renders the f32 shader handed back to the CPU (its glitch
    /// test), since this source was made.
    pub fn deep_samples_on_cpu(&self) -> u64 {
        self.deep.samples_on_cpu
    }

    /// The mantissas `precision: deep` renders use on this source.
    pub fn deep_float(&self) -> DeepFloat {
        self.deep.float(&self.ctx)
    }

    pub fn context(&self) -> &Arc<GpuContext> {
        &self.ctx
    }

    /// Makes sure the buffers hold a chunk of `samples` samples, `rows` rows and `columns` columns.
    fn ensure_buffers(&mut self, samples: u64, rows: u64, columns: u64) -> Result<(), GpuError> {
        if let Some(b) = &self.buffers
            && b.samples_capacity >= samples
            && b.rows_capacity >= rows
            && b.columns_capacity >= columns
        {
            return Ok(());
        }
        let (samples, rows, columns) = match &self.buffers {
            Some(b) => (
                samples.max(b.samples_capacity),
                rows.max(b.rows_capacity),
                columns.max(b.columns_capacity),
            ),
            None => (samples, rows, columns),
        };
        self.buffers = None;
        self.columns_key = None;
        let ctx = Arc::clone(&self.ctx);
        let buffers = scoped(&ctx.device, || {
            Ok(create_buffers(&ctx, samples, rows, columns))
        })?;
        self.buffers = Some(buffers);
        Ok(())
    }

    fn upload_columns(&mut self, vp: &Viewport, f64_mode: bool) {
        let key = (
            vp.width,
            vp.supersample,
            vp.step.to_bits(),
            vp.center.re.to_bits(),
            f64_mode,
        );
        if self.columns_key == Some(key) {
            return;
        }
        let buffers = self.buffers.as_ref().expect("ensured before upload");
        let columns = vp.column_re();
        upload_table(&self.ctx.queue, &buffers.column_re, &columns, f64_mode);
        self.columns_key = Some(key);
    }

    /// Runs one chunk through all its iteration slices and reads its samples into `out`. Returns
    /// early, `out` untouched, once `stop` is raised.
    fn run_chunk(
        &self,
        params: &RenderParams,
        row_len: u32,
        row_im: &[f64],
        f64_mode: bool,
        out: &mut [EscapeSample],
        stop: &StopFlag,
    ) -> Result<(), GpuError> {
        let ctx = &self.ctx;
        let buffers = self.buffers.as_ref().expect("ensured before run");
        let pipeline = if f64_mode {
            ctx.f64_pipeline.as_ref().expect("checked by compute_band")
        } else {
            &ctx.f32_pipeline
        };
        upload_table(&ctx.queue, &buffers.row_im, row_im, f64_mode);
        let samples = out.len() as u64;
        let workgroups = samples.div_ceil(u64::from(WORKGROUP_SIZE)) as u32;
        let mut in_flight: Option<wgpu::SubmissionIndex> = None;
        for (iter_begin, iter_end) in
            plan::iteration_slices(params.max_iter, samples, self.work_per_dispatch)
        {
            let range = DispatchRange {
                max_iter: params.max_iter,
                row_len,
                rows: row_im.len() as u32,
                iter_begin,
                iter_end,
            };
            let (c_re, c_im, radius) = (params.c.re, params.c.im, params.escape_radius);
            // Ordered before the submission below: each dispatch sees its own slice.
            if f64_mode {
                let u = JuliaParamsF64::new(c_re, c_im, radius, range);
                ctx.queue
                    .write_buffer(&buffers.uniform, 0, bytemuck::bytes_of(&u));
            } else {
                let u = JuliaParamsF32::new(c_re, c_im, radius, range);
                ctx.queue
                    .write_buffer(&buffers.uniform, 0, bytemuck::bytes_of(&u));
            }
            let mut encoder = ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("julia escape dispatch"),
                });
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("julia escape"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(pipeline);
                pass.set_bind_group(0, &buffers.bind_group, &[]);
                pass.dispatch_workgroups(workgroups, 1, 1);
            }
            // One submission per slice: a watchdog judges submissions, so each stays short.
            let submitted = ctx.queue.submit([encoder.finish()]);
            // Wait for the previous slice while this one is queued: the GPU never idles between
            // slices, at most two are in flight, and a stop is seen within about one slice.
            if let Some(previous) = in_flight.replace(submitted) {
                ctx.wait(previous)?;
            }
            if stop.is_stopped() {
                return Ok(());
            }
        }
        read_samples(ctx, &buffers.samples, &buffers.staging, out)
    }
}

impl EscapeSource for GpuSource {
    type Error = GpuError;

    fn compute_band(
        &mut self,
        params: &RenderParams,
        band: Band,
        out: &mut [EscapeSample],
        stop: &StopFlag,
    ) -> Result<(), GpuError> {
        self.try_compute_band(params, band, out, stop)
            .map_err(|err| self.ctx.record_failure(err))
    }

    fn backend_name(&self) -> &'static str {
        "gpu"
    }
}

impl GpuSource {
    fn try_compute_band(
        &mut self,
        params: &RenderParams,
        band: Band,
        out: &mut [EscapeSample],
        stop: &StopFlag,
    ) -> Result<(), GpuError> {
        self.ctx.check_health()?;
        if params.resolved_precision() == Precision::Deep {
            let ctx = Arc::clone(&self.ctx);
            return self.deep.compute_band(&ctx, params, band, out, stop);
        }
        let f64_mode = params.resolved_precision() == Precision::F64;
        if f64_mode && !self.ctx.supports_f64() {
            return Err(GpuError::Unsupported(
                "f64 precision needs an adapter with SHADER_F64".into(),
            ));
        }
        let vp = Viewport::new(params);
        let row_len = vp.sample_width();
        let ss = vp.supersample;
        let sample_rows = band.rows * ss;
        let chunks = plan::chunks(row_len, sample_rows, self.max_chunk_samples)?;
        let widest = chunks.iter().map(|c| c.rows).max().unwrap_or(0);
        self.ensure_buffers(
            u64::from(widest) * u64::from(row_len),
            u64::from(widest),
            u64::from(row_len),
        )?;
        self.upload_columns(&vp, f64_mode);
        let row_len_us = row_len as usize;
        for Chunk { first_row, rows } in chunks {
            if stop.is_stopped() {
                return Ok(());
            }
            let row_im: Vec<f64> = (first_row..first_row + rows)
                .map(|r| vp.sample_im(band.y0 * ss + r))
                .collect();
            let start = first_row as usize * row_len_us;
            let end = start + rows as usize * row_len_us;
            let ctx = Arc::clone(&self.ctx);
            scoped(&ctx.device, || {
                self.run_chunk(
                    params,
                    row_len,
                    &row_im,
                    f64_mode,
                    &mut out[start..end],
                    stop,
                )
            })?;
        }
        Ok(())
    }
}

/// Writes a coordinate table as f64, or rounded once to f32 (docs/DESIGN.md §3's f32 rule).
fn upload_table(queue: &wgpu::Queue, buffer: &wgpu::Buffer, values: &[f64], f64_mode: bool) {
    if f64_mode {
        queue.write_buffer(buffer, 0, bytemuck::cast_slice(values));
    } else {
        let narrow: Vec<f32> = values.iter().map(|&v| v as f32).collect();
        queue.write_buffer(buffer, 0, bytemuck::cast_slice(&narrow));
    }
}

fn create_buffers(ctx: &GpuContext, samples: u64, rows: u64, columns: u64) -> Buffers {
    let device = &ctx.device;
    let storage = wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST;
    let buffer = |label, size: u64, usage| {
        device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            // wgpu wants sizes that are multiples of 4 and non-zero.
            size: size.max(16).next_multiple_of(16),
            usage,
            mapped_at_creation: false,
        })
    };
    let uniform = buffer(
        "julia params",
        UNIFORM_BYTES,
        wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
    );
    let column_re = buffer("julia column re", columns * TABLE_ENTRY_BYTES, storage);
    let row_im = buffer("julia row im", rows * TABLE_ENTRY_BYTES, storage);
    let z_state = buffer(
        "julia z state",
        samples * Z_STATE_BYTES,
        wgpu::BufferUsages::STORAGE,
    );
    let samples_buf = buffer(
        "julia samples",
        samples * SAMPLE_BYTES,
        wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
    );
    let staging = buffer(
        "julia staging",
        samples * SAMPLE_BYTES,
        wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
    );
    let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some("julia escape bindings"),
        layout: &ctx.layout,
        entries: &[
            wgpu::BindGroupEntry {
                binding: 0,
                resource: uniform.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 1,
                resource: column_re.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 2,
                resource: row_im.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 3,
                resource: z_state.as_entire_binding(),
            },
            wgpu::BindGroupEntry {
                binding: 4,
                resource: samples_buf.as_entire_binding(),
            },
        ],
    });
    Buffers {
        samples_capacity: samples,
        rows_capacity: rows,
        columns_capacity: columns,
        uniform,
        column_re,
        row_im,
        samples: samples_buf,
        staging,
        bind_group,
    }
}
