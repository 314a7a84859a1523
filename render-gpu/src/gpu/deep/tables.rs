//! The reference orbits of a deep view as the shader reads them: the main orbit, then the zero
//! orbit, in two storage buffers (points rounded to the shader's float; the same points with all
//! their digits, `OrbitView::point_exact`, as mantissas and an exponent), and the zero orbit's BLA
//! table in a third (`BlaTable::in_order`, one jump per zero-orbit step), checked against the
//! adapter's limits first so an orbit too long for it is a clear error, not a device failure.

use render_core::deep::{DeepView, OrbitView};
use render_core::gpu_layout::{BlaJumpF32, BlaJumpF64, ExactPointF32, ExactPointF64};
use wgpu::util::DeviceExt;

use super::DeepFloat;
use crate::gpu::context::{GpuContext, scoped};
use crate::gpu::error::GpuError;

/// Both orbits of one view on the GPU.
pub(super) struct OrbitTables {
    pub points: wgpu::Buffer,
    pub exact: wgpu::Buffer,
    /// Points of the main orbit: the zero orbit starts at this index.
    pub main_len: u32,
    /// Points of both orbits.
    pub orbit_len: u32,
    /// The zero orbit's BLA jumps, and their top level (0: none).
    pub bla: wgpu::Buffer,
    pub bla_top: u32,
}

/// Bytes per entry of the widest table (the BLA table has at most one entry per point).
fn widest_entry_bytes(float: DeepFloat) -> u64 {
    let (exact, jump) = match float {
        DeepFloat::F32 => (size_of::<ExactPointF32>(), size_of::<BlaJumpF32>()),
        DeepFloat::F64 => (size_of::<ExactPointF64>(), size_of::<BlaJumpF64>()),
    };
    exact.max(jump) as u64
}

/// Fails with [`GpuError::Unsupported`] (the job then runs on the CPU) when `points` points do
/// not fit one storage binding or one buffer of this adapter, in the widest of the tables.
pub(super) fn check_fits(
    limits: &wgpu::Limits,
    points: u64,
    float: DeepFloat,
) -> Result<(), GpuError> {
    let bytes = points * widest_entry_bytes(float);
    let limit = limits
        .max_storage_buffer_binding_size
        .min(limits.max_buffer_size);
    if bytes > limit {
        return Err(GpuError::Unsupported(format!(
            "deep zoom: the reference orbits ({points} points, {bytes} bytes as {}) exceed this \
             adapter's storage buffer limit of {limit} bytes",
            float.as_str()
        )));
    }
    Ok(())
}

/// Uploads both orbits of `view` for the `float` variant.
pub(super) fn upload(
    ctx: &GpuContext,
    view: &DeepView,
    float: DeepFloat,
) -> Result<OrbitTables, GpuError> {
    let (main, zero) = view.orbits();
    let (main_len, zero_len) = (main.points.len(), zero.points.len());
    let total = (main_len + zero_len) as u64;
    check_fits(&ctx.limits, total, float)?;
    let bla = view.bla();
    let (points, exact, jumps) = match float {
        DeepFloat::F32 => {
            let points: Vec<[f32; 2]> = [main, zero]
                .iter()
                .flat_map(|o| o.points.iter().map(|p| [p[0] as f32, p[1] as f32]))
                .collect();
            let exact: Vec<ExactPointF32> =
                exact_points(main, zero).map(ExactPointF32::new).collect();
            let jumps: Vec<BlaJumpF32> = bla.in_order().into_iter().map(BlaJumpF32::new).collect();
            (
                bytemuck::cast_slice(&points).to_vec(),
                bytemuck::cast_slice(&exact).to_vec(),
                bytemuck::cast_slice(&jumps).to_vec(),
            )
        }
        DeepFloat::F64 => {
            let points: Vec<[f64; 2]> = [main, zero]
                .iter()
                .flat_map(|o| o.points.iter().copied())
                .collect();
            let exact: Vec<ExactPointF64> =
                exact_points(main, zero).map(ExactPointF64::new).collect();
            let jumps: Vec<BlaJumpF64> = bla.in_order().into_iter().map(BlaJumpF64::new).collect();
            (
                bytemuck::cast_slice(&points).to_vec(),
                bytemuck::cast_slice(&exact).to_vec(),
                bytemuck::cast_slice(&jumps).to_vec(),
            )
        }
    };
    let buffer = |label, contents: &[u8]| {
        ctx.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents,
                usage: wgpu::BufferUsages::STORAGE,
            })
    };
    let (points, exact, jumps) = scoped(&ctx.device, || {
        Ok((
            buffer("julia deep orbit points", &points),
            buffer("julia deep exact orbit points", &exact),
            buffer("julia deep BLA table", &jumps),
        ))
    })?;
    Ok(OrbitTables {
        points,
        exact,
        main_len: main_len as u32,
        orbit_len: total as u32,
        bla: jumps,
        bla_top: bla.top_level(),
    })
}

/// Every point of both orbits with all its digits, main orbit first.
fn exact_points<'a>(
    main: OrbitView<'a>,
    zero: OrbitView<'a>,
) -> impl Iterator<Item = render_core::deep::FloatExp> + 'a {
    (0..main.points.len())
        .map(move |m| main.point_exact(m))
        .chain((0..zero.points.len()).map(move |m| zero.point_exact(m)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orbits_beyond_the_adapter_limit_are_refused_with_the_sizes() {
        let limits = wgpu::Limits {
            max_storage_buffer_binding_size: 1 << 20,
            ..wgpu::Limits::default()
        };
        assert!(check_fits(&limits, (1 << 20) / 24, DeepFloat::F64).is_ok());
        assert!(check_fits(&limits, (1 << 20) / 24 + 1, DeepFloat::F64).is_err());
        let err = check_fits(&limits, 2_000_002, DeepFloat::F64).unwrap_err();
        assert!(matches!(err, GpuError::Unsupported(_)));
        let text = err.to_string();
        assert!(
            text.contains("2000002 points") && text.contains("1048576 bytes"),
            "{text}"
        );
        // f32 entries are at most 16 bytes (a BLA jump): half again as many points fit.
        assert!(check_fits(&limits, (1 << 20) / 16, DeepFloat::F32).is_ok());
        assert!(check_fits(&limits, (1 << 20) / 16 + 1, DeepFloat::F32).is_err());
    }
}
