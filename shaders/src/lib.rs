//! The WGSL sources of the GPU renderer, embedded as strings.
//!
//! Shaders are data: render-gpu compiles them at run time, and `tests/validate.rs` parses and
//! validates every one of them with naga (reporting file, line and column) and checks the uniform
//! struct each declares against render-core's `gpu_layout` structs. The f32 and f64 escape
//! shaders are one template (`julia.wgsl.tmpl`), and the f32 and f64 deep-zoom shaders another
//! (`deep.wgsl.tmpl`), expanded by `build.rs` with [`template`].

pub mod template;

/// The escape-count shader in f32: every adapter runs it.
pub const JULIA_F32: &str = include_str!(concat!(env!("OUT_DIR"), "/julia_f32.wgsl"));

/// The escape-count shader in f64: only for adapters with `SHADER_F64`.
pub const JULIA_F64: &str = include_str!(concat!(env!("OUT_DIR"), "/julia_f64.wgsl"));

/// Where the escape shaders come from, for error messages (a variant's lines are the template's).
pub const JULIA_TEMPLATE_FILE: &str = "julia.wgsl.tmpl";

/// Deep zoom by perturbation with f32 mantissas and an i32 exponent: every adapter runs it.
pub const DEEP_F32: &str = include_str!(concat!(env!("OUT_DIR"), "/deep_f32.wgsl"));

/// Deep zoom by perturbation with f64 mantissas (the CPU's arithmetic): adapters with `SHADER_F64`.
pub const DEEP_F64: &str = include_str!(concat!(env!("OUT_DIR"), "/deep_f64.wgsl"));

/// Where the deep shaders come from, for error messages.
pub const DEEP_TEMPLATE_FILE: &str = "deep.wgsl.tmpl";

/// The compute entry point of every shader.
pub const ENTRY_POINT: &str = "main";

/// The name of the uniform struct every shader declares.
pub const PARAMS_STRUCT: &str = "Params";

/// Arithmetic a shader needs from the adapter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShaderFloat {
    F32,
    /// Needs f64 in shaders (`wgpu::Features::SHADER_F64`, naga `Capabilities::FLOAT64`).
    F64,
}

/// One embedded shader: its name and the file its lines come from (for error messages), source
/// text and float width.
#[derive(Clone, Copy, Debug)]
pub struct Shader {
    pub name: &'static str,
    pub file: &'static str,
    pub source: &'static str,
    pub float: ShaderFloat,
}

/// Every shader of the project; the naga test walks this list, so a new file goes here.
pub const ALL: &[Shader] = &[
    Shader {
        name: "julia_f32.wgsl",
        file: JULIA_TEMPLATE_FILE,
        source: JULIA_F32,
        float: ShaderFloat::F32,
    },
    Shader {
        name: "julia_f64.wgsl",
        file: JULIA_TEMPLATE_FILE,
        source: JULIA_F64,
        float: ShaderFloat::F64,
    },
    Shader {
        name: "deep_f32.wgsl",
        file: DEEP_TEMPLATE_FILE,
        source: DEEP_F32,
        float: ShaderFloat::F32,
    },
    Shader {
        name: "deep_f64.wgsl",
        file: DEEP_TEMPLATE_FILE,
        source: DEEP_F64,
        float: ShaderFloat::F64,
    },
];
