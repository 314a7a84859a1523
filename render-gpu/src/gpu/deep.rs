//! Deep zoom on the GPU (docs/DEEP_ZOOM.md, "On the GPU"): `precision: deep` bands through the
//! perturbation shaders of `shaders/src/deep.wgsl.tmpl`.
//!
//! The CPU prepares the view once per image with render-core's own code
//! ([`render_core::deep::DeepView::prepare`]: both reference orbits from the shared orbit cache,
//! the shared linear start and the zero orbit's BLA table); this module uploads the orbits as two
//! tables (points rounded to the shader's float, and the same points with all their digits as
//! mantissas and an exponent) and the BLA table as a third ([`tables`]), then runs each chunk of a
//! band as short dispatches over the iterations from the linear start on, the samples' state
//! parked between them, as the escape shaders do. The samples the f32 shader's glitch test hands
//! back are recomputed on the CPU as each chunk comes back.

mod tables;

use std::sync::Arc;

use rayon::prelude::*;

use render_core::deep::DeepView;
use render_core::gpu_layout::{
    COUNT_ON_CPU, DEEP_STATE_BYTES, DeepParamsF32, DeepParamsF64, DeepRange, WORKGROUP_SIZE,
};
use render_core::{Band, EscapeSample, RenderParams, StopFlag};

use super::context::{GpuContext, scoped};
use super::error::GpuError;
use super::plan::{self, Chunk};
use super::readback::read_samples;

/// The arithmetic of the deep shader: f32 mantissas (every adapter) or f64 ones (`SHADER_F64`,
/// the CPU's own arithmetic).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeepFloat {
    F32,
    F64,
}

impl DeepFloat {
    pub const fn as_str(self) -> &'static str {
        match self {
            DeepFloat::F32 => "f32",
            DeepFloat::F64 => "f64",
        }
    }
}

/// One deep iteration costs several plain ones (the rebase test, and extended-range arithmetic
/// while `δ` is tiny): dispatches get this many times fewer iterations than the escape shaders'.
const DEEP_ITERATION_COST: u64 = 8;

/// At most this many iterations per dispatch, however few the samples: Mesa's llvmpipe
/// (lavapipe) ends a shader's loops after 65535 iterations in all, and counts wrong beyond.
const MAX_ITERATIONS_PER_DISPATCH: u64 = 1 << 14;

const SAMPLE_BYTES: u64 = std::mem::size_of::<EscapeSample>() as u64;
const UNIFORM_BYTES: u64 = {
    let a = std::mem::size_of::<DeepParamsF32>();
    let b = std::mem::size_of::<DeepParamsF64>();
    (if a > b { a } else { b }) as u64
};

/// The deep part of a `GpuSource`: the prepared image, its orbit tables and the chunk buffers.
pub(crate) struct DeepRenderer {
    /// Most samples per chunk (the adapter's limits for the deep state buffer).
    max_chunk_samples: u64,
    /// The escape shaders' worst-case sample-iterations per dispatch (`GpuTuning`).
    work_per_dispatch: u64,
    /// Forced arithmetic (tests, benchmarks); `None`: f64 where the adapter has it.
    pub(crate) forced: Option<DeepFloat>,
    /// Whether samples take the BLA table's jumps (benchmarks turn them off to compare).
    pub(crate) bla: bool,
    /// Samples the f32 shader handed back to the CPU, since this renderer was made.
    pub(crate) samples_on_cpu: u64,
    image: Option<DeepImage>,
    chunk: Option<ChunkBuffers>,
    bind_group: Option<wgpu::BindGroup>,
}

/// The image being rendered: its prepared view and its orbits on the GPU.
struct DeepImage {
    key: (String, DeepFloat),
    view: Arc<DeepView>,
    tables: tables::OrbitTables,
}

/// Per-chunk buffers, kept between bands and regrown when a chunk needs more.
struct ChunkBuffers {
    capacity: u64,
    uniform: wgpu::Buffer,
    state: wgpu::Buffer,
    samples: wgpu::Buffer,
    staging: wgpu::Buffer,
}

impl DeepRenderer {
    pub(crate) fn new(max_chunk_samples: u64, work_per_dispatch: u64) -> Self {
        Self {
            max_chunk_samples,
            work_per_dispatch,
            forced: None,
            bla: true,
            samples_on_cpu: 0,
            image: None,
            chunk: None,
            bind_group: None,
        }
    }

    /// The arithmetic a render on `ctx` uses.
    pub(crate) fn float(&self, ctx: &GpuContext) -> DeepFloat {
        self.forced.unwrap_or(if ctx.supports_f64() {
            DeepFloat::F64
        } else {
            DeepFloat::F32
        })
    }

    /// Fills `out` with the samples of `band` (see `EscapeSource::compute_band`); returns early,
    /// `out` partly filled, once `stop` is raised.
    pub(crate) fn compute_band(
        &mut self,
        ctx: &GpuContext,
        params: &RenderParams,
        band: Band,
        out: &mut [EscapeSample],
        stop: &StopFlag,
    ) -> Result<(), GpuError> {
        let float = self.float(ctx);
        let pipeline = match float {
            DeepFloat::F32 => &ctx.deep_f32_pipeline,
            DeepFloat::F64 => ctx.deep_f64_pipeline.as_ref().ok_or_else(|| {
                GpuError::Unsupported("deep zoom in f64 needs an adapter with SHADER_F64".into())
            })?,
        };
        if !self.prepare_image(ctx, params, float, stop)? {
            return Ok(());
        }
        let ss = params.supersample;
        let row_len = params.width * ss;
        let chunks = plan::chunks(row_len, band.rows * ss, self.max_chunk_samples)?;
        let widest = chunks.iter().map(|c| c.rows).max().unwrap_or(0);
        self.ensure_chunk_buffers(ctx, u64::from(widest) * u64::from(row_len))?;
        if self.bind_group.is_none() {
            self.bind(ctx);
        }
        let image = self.image.as_ref().expect("prepared above");
        let buffers = self.chunk.as_ref().expect("ensured above");
        let bind_group = self.bind_group.as_ref().expect("made with the buffers");
        let work = (self.work_per_dispatch / DEEP_ITERATION_COST).max(1);
        let row_len_us = row_len as usize;
        for Chunk { first_row, rows } in chunks {
            if stop.is_stopped() {
                return Ok(());
            }
            let start = first_row as usize * row_len_us;
            let end = start + rows as usize * row_len_us;
            let range = DeepRange {
                max_iter: params.max_iter,
                row_len,
                rows,
                first_row: band.y0 * ss + first_row,
                sample_height: params.height * ss,
                start: image.view.skipped_iterations(),
                main_len: image.tables.main_len,
                orbit_len: image.tables.orbit_len,
                bla_top: if self.bla { image.tables.bla_top } else { 0 },
                ..DeepRange::default()
            };
            let work = work.min(MAX_ITERATIONS_PER_DISPATCH * rows as u64 * u64::from(row_len));
            let run = ChunkRun {
                ctx,
                pipeline,
                bind_group,
                buffers,
                view: &image.view,
                float,
                r2: params.escape_radius * params.escape_radius,
                work_per_dispatch: work,
            };
            let chunk_out = &mut out[start..end];
            scoped(&ctx.device, || run.run(range, chunk_out, stop))?;
            if stop.is_stopped() {
                return Ok(());
            }
            self.samples_on_cpu += recompute_on_cpu(&image.view, range, chunk_out, stop);
        }
        Ok(())
    }

    /// Prepares the view of `params` and uploads its orbits, unless this image's are already
    /// there. `false` when `stop` was raised while preparing.
    fn prepare_image(
        &mut self,
        ctx: &GpuContext,
        params: &RenderParams,
        float: DeepFloat,
        stop: &StopFlag,
    ) -> Result<bool, GpuError> {
        let key = (render_core::canonical_hash(params), float);
        if self.image.as_ref().is_some_and(|image| image.key == key) {
            return Ok(true);
        }
        self.image = None;
        self.bind_group = None;
        let Some(view) = DeepView::prepare(params, stop) else {
            return Ok(false);
        };
        let tables = tables::upload(ctx, &view, float)?;
        self.image = Some(DeepImage {
            key,
            view: Arc::new(view),
            tables,
        });
        Ok(true)
    }

    fn ensure_chunk_buffers(&mut self, ctx: &GpuContext, samples: u64) -> Result<(), GpuError> {
        if self.chunk.as_ref().is_some_and(|c| c.capacity >= samples) {
            return Ok(());
        }
        self.chunk = None;
        self.bind_group = None;
        let chunk = scoped(&ctx.device, || Ok(create_chunk_buffers(ctx, samples)))?;
        self.chunk = Some(chunk);
        Ok(())
    }

    /// Binds the image's orbit tables and the chunk buffers (after either changed).
    fn bind(&mut self, ctx: &GpuContext) {
        let (Some(image), Some(chunk)) = (&self.image, &self.chunk) else {
            return;
        };
        let entries = [
            chunk.uniform.as_entire_binding(),
            image.tables.points.as_entire_binding(),
            image.tables.exact.as_entire_binding(),
            chunk.state.as_entire_binding(),
            chunk.samples.as_entire_binding(),
            image.tables.bla.as_entire_binding(),
        ];
        let entries: Vec<wgpu::BindGroupEntry> = entries
            .into_iter()
            .enumerate()
            .map(|(binding, resource)| wgpu::BindGroupEntry {
                binding: binding as u32,
                resource,
            })
            .collect();
        self.bind_group = Some(ctx.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("julia deep bindings"),
            layout: &ctx.deep_layout,
            entries: &entries,
        }));
    }
}

/// Everything one chunk's dispatches share.
struct ChunkRun<'a> {
    ctx: &'a GpuContext,
    pipeline: &'a wgpu::ComputePipeline,
    bind_group: &'a wgpu::BindGroup,
    buffers: &'a ChunkBuffers,
    view: &'a DeepView,
    float: DeepFloat,
    r2: f64,
    work_per_dispatch: u64,
}

impl ChunkRun<'_> {
    /// Runs the chunk through its iteration slices and reads its samples into `out`; returns
    /// early, `out` untouched, once `stop` is raised.
    fn run(
        &self,
        range: DeepRange,
        out: &mut [EscapeSample],
        stop: &StopFlag,
    ) -> Result<(), GpuError> {
        let ctx = self.ctx;
        let samples = out.len() as u64;
        let workgroups = samples.div_ceil(u64::from(WORKGROUP_SIZE)) as u32;
        let (factor, step) = (self.view.start_factor(), self.view.sample_step());
        let mut in_flight: Option<wgpu::SubmissionIndex> = None;
        for (iter_begin, iter_end) in plan::iteration_slices_from(
            range.start,
            range.max_iter,
            samples,
            self.work_per_dispatch,
        ) {
            let range = DeepRange {
                iter_begin,
                iter_end,
                ..range
            };
            let uniform = &self.buffers.uniform;
            match self.float {
                DeepFloat::F32 => {
                    let u = DeepParamsF32::new(factor, step, self.r2, range);
                    ctx.queue.write_buffer(uniform, 0, bytemuck::bytes_of(&u));
                }
                DeepFloat::F64 => {
                    let u = DeepParamsF64::new(factor, step, self.r2, range);
                    ctx.queue.write_buffer(uniform, 0, bytemuck::bytes_of(&u));
                }
            }
            let mut encoder = ctx
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("julia deep dispatch"),
                });
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("julia deep"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(self.pipeline);
                pass.set_bind_group(0, self.bind_group, &[]);
                pass.dispatch_workgroups(workgroups, 1, 1);
            }
            // One short submission per slice, the previous one awaited while this one is queued
            // (see `GpuSource::run_chunk`).
            let submitted = ctx.queue.submit([encoder.finish()]);
            if let Some(previous) = in_flight.replace(submitted) {
                ctx.wait(previous)?;
            }
            if stop.is_stopped() {
                return Ok(());
            }
        }
        read_samples(ctx, &self.buffers.samples, &self.buffers.staging, out)
    }
}

/// Recomputes on the CPU the samples of a chunk the f32 shader did not vouch for
/// ([`COUNT_ON_CPU`]), rows in parallel on rayon's pool (a large image at a high `max_iter` can
/// hand back millions of iterations' worth), checking `stop` before each sample; returns how
/// many it recomputed.
fn recompute_on_cpu(
    view: &DeepView,
    range: DeepRange,
    out: &mut [EscapeSample],
    stop: &StopFlag,
) -> u64 {
    out.par_chunks_mut(range.row_len as usize)
        .enumerate()
        .map(|(r, row)| {
            let sy = range.first_row + r as u32;
            let mut recomputed = 0;
            for x in 0..row.len() {
                if row[x].count == COUNT_ON_CPU && !stop.is_stopped() {
                    view.compute_row(sy, x, &mut row[x..=x]);
                    recomputed += 1;
                }
            }
            recomputed
        })
        .sum()
}

fn create_chunk_buffers(ctx: &GpuContext, samples: u64) -> ChunkBuffers {
    let buffer = |label, size: u64, usage| {
        ctx.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: size.max(16).next_multiple_of(16),
            usage,
            mapped_at_creation: false,
        })
    };
    ChunkBuffers {
        capacity: samples,
        uniform: buffer(
            "julia deep params",
            UNIFORM_BYTES,
            wgpu::BufferUsages::UNIFORM | wgpu::BufferUsages::COPY_DST,
        ),
        state: buffer(
            "julia deep state",
            samples * DEEP_STATE_BYTES,
            wgpu::BufferUsages::STORAGE,
        ),
        samples: buffer(
            "julia deep samples",
            samples * SAMPLE_BYTES,
            wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
        ),
        staging: buffer(
            "julia deep staging",
            samples * SAMPLE_BYTES,
            wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        ),
    }
}
