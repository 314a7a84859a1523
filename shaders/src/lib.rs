//! The WGSL sources of the GPU renderer, embedded as strings.
//!
//! Shaders are data: render-gpu compiles them at run time, and `tests/validate.rs` parses and
//! validates every one of them with naga (reporting file, line and column) and checks the uniform
//! struct each declares against render-core's `gpu_layout` structs. The f32 and f64 escape
//! shaders are one template (`julia.wgsl.tmpl`), expanded by `build.rs` with [`template`].

pub mod template;

/// The escape-count shader in f32: every adapter runs it.
pub const JULIA_F32: &str = include_str!(concat!(env!("OUT_DIR"), "/julia_f32.wgsl"));

/// The escape-count shader in f64: only for adapters with `SHADER_F64`.
pub const JULIA_F64: &str = include_str!(concat!(env!("OUT_DIR"), "/julia_f64.wgsl"));

/// Where the escape shaders come from, for error messages (a variant's lines are the template's).
pub const JULIA_TEMPLATE_FILE: &str = "julia.wgsl.tmpl";

/// The compute entry point of both escape shaders.
pub const ENTRY_POINT: &str = "main";

/// The name of the uniform struct both escape shaders declare.
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
];
