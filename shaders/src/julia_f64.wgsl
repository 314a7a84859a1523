// Julia-set escape counts, f64 (DESIGN §3), for adapters with SHADER_F64.
//
// One invocation per sample. Sample points come from per-column and per-row tables the CPU
// computed in f64, so they are exactly the CPU kernel's points.
// A dispatch evaluates iterations [iter_begin, iter_end) and parks the unfinished z in
// `z_state`, so long renders are many short dispatches (no driver watchdog trips).
// Layout of `Params` is checked against render_core::gpu_layout::JuliaParamsF64 by a test.
// f64 needs naga's FLOAT64 capability (wgpu::Features::SHADER_F64); WGSL has no enable for it.

struct Params {
    c_re: f64,
    c_im: f64,
    r2: f64,
    max_iter: u32,
    row_len: u32,
    rows: u32,
    iter_begin: u32,
    iter_end: u32,
    // Always 0.0: added to products so the compiler cannot fuse them into FMAs (see below).
    fma_barrier: f32,
}

struct EscapeSample {
    count: u32,
    norm2: f32,
}

// render_core::gpu_layout::COUNT_RUNNING: iteration not finished yet.
const COUNT_RUNNING: u32 = 0xffffffffu;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> column_re: array<f64>;
@group(0) @binding(2) var<storage, read> row_im: array<f64>;
@group(0) @binding(3) var<storage, read_write> z_state: array<vec2<f64>>;
@group(0) @binding(4) var<storage, read_write> samples: array<EscapeSample>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let idx = gid.x;
    if idx >= params.row_len * params.rows {
        return;
    }
    var x: f64;
    var y: f64;
    if params.iter_begin == 0u {
        x = column_re[idx % params.row_len];
        y = row_im[idx / params.row_len];
    } else {
        if samples[idx].count != COUNT_RUNNING {
            return;
        }
        let z = z_state[idx];
        x = z.x;
        y = z.y;
    }
    // DESIGN §3 forbids fused multiply-add, and WGSL cannot say "exact": compilers fuse
    // `a*b + c` when they see it. Adding a zero they cannot see through keeps every product
    // rounded on its own (fma(a, b, 0.0) == a * b), so counts match the CPU bit for bit.
    let zero = f64(params.fma_barrier);
    // Uniforms copied to locals and no stores inside the loop: software rasterisers (lavapipe)
    // otherwise reload every uniform on every iteration.
    let c_re = params.c_re;
    let c_im = params.c_im;
    let r2 = params.r2;
    let iter_end = params.iter_end;
    var k = params.iter_begin;
    var norm2 = f64(0);
    var escaped = false;
    while k < iter_end {
        let xx = x * x + zero;
        let yy = y * y + zero;
        norm2 = xx + yy;
        if norm2 > r2 {
            escaped = true;
            break;
        }
        let x_next = xx - yy + c_re;
        y = (2.0lf * x * y + zero) + c_im;
        x = x_next;
        k++;
    }
    if escaped {
        samples[idx] = EscapeSample(k, f32(norm2));
        return;
    }
    if params.iter_end >= params.max_iter {
        samples[idx] = EscapeSample(params.max_iter, f32(x * x + y * y));
    } else {
        samples[idx] = EscapeSample(COUNT_RUNNING, 0.0);
        z_state[idx] = vec2<f64>(x, y);
    }
}
