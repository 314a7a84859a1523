//! Shaders as data with a gate: naga parses and validates every embedded WGSL file, printing each
//! error with file, line and column, and the uniform struct a shader declares must have the size
//! and member offsets of render-core's `#[repr(C)]` struct that the GPU renderer uploads. The f32
//! and f64 variants come from one template and may differ only on the lines it marks.

use std::mem::{offset_of, size_of};

use naga::valid::{Capabilities, ValidationFlags, Validator};
use render_core::gpu_layout::{
    BlaJumpF32, BlaJumpF64, DEEP_STATE_BYTES, DeepParamsF32, DeepParamsF64, ExactPointF32,
    ExactPointF64, JuliaParamsF32, JuliaParamsF64, WORKGROUP_SIZE,
};
use shaders::{
    ALL, DEEP_F32, DEEP_F64, ENTRY_POINT, JULIA_F32, JULIA_F64, PARAMS_STRUCT, Shader, ShaderFloat,
};

/// The template's expansion into the f32 and f64 variants, checked line by line.
#[path = "validate/template.rs"]
mod template_expansion;

fn capabilities(shader: &Shader) -> Capabilities {
    match shader.float {
        ShaderFloat::F32 => Capabilities::empty(),
        ShaderFloat::F64 => Capabilities::FLOAT64,
    }
}

/// Parses and validates one shader; every error is returned as "file:line:column: message"
/// followed by naga's annotated source excerpt of the shader (for a template's variant: the
/// template's line, the column in the expanded line the excerpt shows).
fn check(shader: &Shader) -> Result<(naga::Module, naga::valid::ModuleInfo), String> {
    let path = if shader.name == shader.file {
        format!("shaders/src/{}", shader.file)
    } else {
        format!("shaders/src/{} ({})", shader.file, shader.name)
    };
    let module = naga::front::wgsl::parse_str(shader.source).map_err(|err| {
        let place = err
            .location(shader.source)
            .map(|loc| {
                format!(
                    "shaders/src/{}:{}:{}",
                    shader.file, loc.line_number, loc.line_position
                )
            })
            .unwrap_or_else(|| path.clone());
        format!(
            "{place}: {} [{}]\n{}",
            err.message(),
            shader.name,
            err.emit_to_string_with_path(shader.source, &path)
        )
    })?;
    let info = Validator::new(ValidationFlags::all(), capabilities(shader))
        .validate(&module)
        .map_err(|err| {
            // The innermost (shortest) span points at the offending expression, not the function.
            let place = err
                .spans()
                .filter_map(|(span, _)| span.to_range().map(|r| (r.len(), *span)))
                .min_by_key(|(len, _)| *len)
                .map(|(_, span)| {
                    let loc = span.location(shader.source);
                    format!(
                        "shaders/src/{}:{}:{}",
                        shader.file, loc.line_number, loc.line_position
                    )
                })
                .unwrap_or_else(|| path.clone());
            let mut message = err.as_inner().to_string();
            let mut cause = std::error::Error::source(err.as_inner());
            while let Some(c) = cause {
                message.push_str(&format!(": {c}"));
                cause = c.source();
            }
            format!(
                "{place}: {message} [{}]\n{}",
                shader.name,
                err.emit_to_string_with_path(shader.source, &path)
            )
        })?;
    Ok((module, info))
}

#[test]
fn every_shader_parses_and_validates() {
    let failures: Vec<String> = ALL.iter().filter_map(|s| check(s).err()).collect();
    for failure in &failures {
        eprintln!("{failure}");
    }
    assert!(
        failures.is_empty(),
        "{} shader(s) failed naga validation",
        failures.len()
    );
}

#[test]
fn f64_shader_is_rejected_without_float64_capability() {
    // Proves the capability gate is real: the f64 shaders must not validate as plain WGSL, so
    // the renderer must only load them on adapters with SHADER_F64.
    for (name, source) in [("julia_f64.wgsl", JULIA_F64), ("deep_f64.wgsl", DEEP_F64)] {
        let module = naga::front::wgsl::parse_str(source).expect("parses");
        let result =
            Validator::new(ValidationFlags::all(), Capabilities::empty()).validate(&module);
        assert!(result.is_err(), "{name} validated without FLOAT64");
    }
}

/// (size, [(member name, offset)]) of the named struct in a module.
fn struct_layout(module: &naga::Module, name: &str) -> (u32, Vec<(String, u32)>) {
    let ty = module
        .types
        .iter()
        .map(|(_, ty)| ty)
        .find(|ty| ty.name.as_deref() == Some(name))
        .unwrap_or_else(|| panic!("shader declares no struct `{name}`"));
    match &ty.inner {
        naga::TypeInner::Struct { members, span } => (
            *span,
            members
                .iter()
                .map(|m| (m.name.clone().unwrap_or_default(), m.offset))
                .collect(),
        ),
        other => panic!("`{name}` is not a struct: {other:?}"),
    }
}

fn module_of(source: &str) -> naga::Module {
    naga::front::wgsl::parse_str(source)
        .expect("shader parses (see every_shader_parses_and_validates)")
}

#[test]
fn f32_uniform_struct_matches_render_core_layout() {
    let (size, members) = struct_layout(&module_of(JULIA_F32), PARAMS_STRUCT);
    let expected = vec![
        ("c_re", offset_of!(JuliaParamsF32, c_re)),
        ("c_im", offset_of!(JuliaParamsF32, c_im)),
        ("r2", offset_of!(JuliaParamsF32, r2)),
        ("max_iter", offset_of!(JuliaParamsF32, max_iter)),
        ("row_len", offset_of!(JuliaParamsF32, row_len)),
        ("rows", offset_of!(JuliaParamsF32, rows)),
        ("iter_begin", offset_of!(JuliaParamsF32, iter_begin)),
        ("iter_end", offset_of!(JuliaParamsF32, iter_end)),
        ("fma_barrier", offset_of!(JuliaParamsF32, fma_barrier)),
        ("_pad0", offset_of!(JuliaParamsF32, _pad)),
        ("_pad1", offset_of!(JuliaParamsF32, _pad) + 4),
        ("_pad2", offset_of!(JuliaParamsF32, _pad) + 8),
    ];
    assert_layout(size, &members, size_of::<JuliaParamsF32>(), &expected);
}

#[test]
fn f64_uniform_struct_matches_render_core_layout() {
    let (size, members) = struct_layout(&module_of(JULIA_F64), PARAMS_STRUCT);
    let expected = vec![
        ("c_re", offset_of!(JuliaParamsF64, c_re)),
        ("c_im", offset_of!(JuliaParamsF64, c_im)),
        ("r2", offset_of!(JuliaParamsF64, r2)),
        ("max_iter", offset_of!(JuliaParamsF64, max_iter)),
        ("row_len", offset_of!(JuliaParamsF64, row_len)),
        ("rows", offset_of!(JuliaParamsF64, rows)),
        ("iter_begin", offset_of!(JuliaParamsF64, iter_begin)),
        ("iter_end", offset_of!(JuliaParamsF64, iter_end)),
        ("fma_barrier", offset_of!(JuliaParamsF64, fma_barrier)),
    ];
    assert_layout(size, &members, size_of::<JuliaParamsF64>(), &expected);
}

/// The deep shaders' uniform members, in order, with their offsets in `$ty`.
macro_rules! deep_params_members {
    ($ty:ty) => {
        vec![
            ("factor_re", offset_of!($ty, factor_re)),
            ("factor_im", offset_of!($ty, factor_im)),
            ("step_re", offset_of!($ty, step_re)),
            ("step_im", offset_of!($ty, step_im)),
            ("r2", offset_of!($ty, r2)),
            ("factor_exp", offset_of!($ty, factor_exp)),
            ("step_exp", offset_of!($ty, step_exp)),
            ("max_iter", offset_of!($ty, max_iter)),
            ("row_len", offset_of!($ty, row_len)),
            ("rows", offset_of!($ty, rows)),
            ("first_row", offset_of!($ty, first_row)),
            ("sample_height", offset_of!($ty, sample_height)),
            ("start", offset_of!($ty, start)),
            ("iter_begin", offset_of!($ty, iter_begin)),
            ("iter_end", offset_of!($ty, iter_end)),
            ("main_len", offset_of!($ty, main_len)),
            ("orbit_len", offset_of!($ty, orbit_len)),
            ("fma_barrier", offset_of!($ty, fma_barrier)),
            ("bla_top", offset_of!($ty, bla_top)),
        ]
    };
}

#[test]
fn deep_uniform_structs_match_render_core_layout() {
    let (size, members) = struct_layout(&module_of(DEEP_F32), PARAMS_STRUCT);
    let mut expected = deep_params_members!(DeepParamsF32);
    expected.push(("_pad0", offset_of!(DeepParamsF32, _pad)));
    assert_layout(size, &members, size_of::<DeepParamsF32>(), &expected);
    let (size, members) = struct_layout(&module_of(DEEP_F64), PARAMS_STRUCT);
    let expected = deep_params_members!(DeepParamsF64);
    assert_layout(size, &members, size_of::<DeepParamsF64>(), &expected);
}

#[test]
fn deep_table_entries_match_render_core_layout() {
    let entry = |module: &naga::Module, name: &str| {
        let (size, members) = struct_layout(module, name);
        let members: Vec<(String, usize)> =
            members.into_iter().map(|(n, o)| (n, o as usize)).collect();
        (size as usize, members)
    };
    let named = |list: &[(&str, usize)]| -> Vec<(String, usize)> {
        list.iter().map(|(n, o)| (n.to_string(), *o)).collect()
    };
    let f32_module = module_of(DEEP_F32);
    let (size, members) = entry(&f32_module, "ExactPoint");
    assert_eq!(size, size_of::<ExactPointF32>());
    let expected = [
        ("re", offset_of!(ExactPointF32, re)),
        ("im", offset_of!(ExactPointF32, im)),
        ("exp", offset_of!(ExactPointF32, exp)),
    ];
    assert_eq!(members, named(&expected));
    let f64_module = module_of(DEEP_F64);
    let (size, members) = entry(&f64_module, "ExactPoint");
    assert_eq!(size, size_of::<ExactPointF64>());
    let expected = [
        ("re", offset_of!(ExactPointF64, re)),
        ("im", offset_of!(ExactPointF64, im)),
        ("exp", offset_of!(ExactPointF64, exp)),
    ];
    assert_eq!(members, named(&expected));
    for (module, size, offsets) in [
        (
            &f32_module,
            size_of::<BlaJumpF32>(),
            [
                offset_of!(BlaJumpF32, re),
                offset_of!(BlaJumpF32, im),
                offset_of!(BlaJumpF32, exp),
                offset_of!(BlaJumpF32, radius_exp),
            ],
        ),
        (
            &f64_module,
            size_of::<BlaJumpF64>(),
            [
                offset_of!(BlaJumpF64, re),
                offset_of!(BlaJumpF64, im),
                offset_of!(BlaJumpF64, exp),
                offset_of!(BlaJumpF64, radius_exp),
            ],
        ),
    ] {
        let (shader_size, members) = entry(module, "BlaJump");
        assert_eq!(shader_size, size);
        let names = ["re", "im", "exp", "radius_exp"];
        let expected: Vec<(&str, usize)> = names.into_iter().zip(offsets).collect();
        assert_eq!(members, named(&expected));
    }
    // The state buffer is sized for the wider variant.
    let (f32_state, _) = entry(&f32_module, "DeepState");
    let (f64_state, _) = entry(&f64_module, "DeepState");
    assert!(f32_state as u64 <= DEEP_STATE_BYTES);
    assert_eq!(f64_state as u64, DEEP_STATE_BYTES);
}

fn assert_layout(
    shader_size: u32,
    shader_members: &[(String, u32)],
    rust_size: usize,
    rust_members: &[(&str, usize)],
) {
    let shader: Vec<(String, usize)> = shader_members
        .iter()
        .map(|(n, o)| (n.clone(), *o as usize))
        .collect();
    let rust: Vec<(String, usize)> = rust_members
        .iter()
        .map(|(n, o)| (n.to_string(), *o))
        .collect();
    assert_eq!(shader, rust, "member names/offsets differ (shader vs Rust)");
    assert_eq!(
        shader_size as usize, rust_size,
        "struct size differs (shader vs Rust)"
    );
    assert_eq!(
        rust_size % 16,
        0,
        "uniform structs are kept a multiple of 16 bytes"
    );
}

#[test]
fn escape_sample_struct_matches_render_core() {
    for shader in ALL {
        let (size, members) = struct_layout(&module_of(shader.source), "EscapeSample");
        let expected = [
            ("count", offset_of!(render_core::EscapeSample, count)),
            ("norm2", offset_of!(render_core::EscapeSample, norm2)),
        ];
        let shader_members: Vec<(String, usize)> = members
            .iter()
            .map(|(n, o)| (n.clone(), *o as usize))
            .collect();
        let rust: Vec<(String, usize)> =
            expected.iter().map(|(n, o)| (n.to_string(), *o)).collect();
        assert_eq!(shader_members, rust, "{}", shader.file);
        assert_eq!(
            size as usize,
            size_of::<render_core::EscapeSample>(),
            "{}",
            shader.file
        );
    }
}

#[test]
fn entry_point_workgroup_size_matches_renderer() {
    for shader in ALL {
        let module = module_of(shader.source);
        let entry = module
            .entry_points
            .iter()
            .find(|e| e.name == ENTRY_POINT)
            .unwrap_or_else(|| panic!("{} has no entry point `{ENTRY_POINT}`", shader.file));
        assert_eq!(entry.stage, naga::ShaderStage::Compute, "{}", shader.file);
        assert_eq!(
            entry.workgroup_size,
            [WORKGROUP_SIZE, 1, 1],
            "{}",
            shader.file
        );
    }
}

#[test]
fn broken_shader_error_names_file_line_and_column() {
    let broken = Shader {
        name: "broken.wgsl",
        file: "broken.wgsl",
        source: "// a comment line\nfn f() -> f32 {\n    return 1.0 +;\n}\n",
        float: ShaderFloat::F32,
    };
    let message = check(&broken).expect_err("a syntax error must be reported");
    assert!(
        message.starts_with("shaders/src/broken.wgsl:3:"),
        "error does not start with file:line:column: {message}"
    );
    let invalid = Shader {
        name: "invalid.wgsl",
        file: "invalid.wgsl",
        source: "fn f() -> f32 {\n    return 1u;\n}\n",
        float: ShaderFloat::F32,
    };
    let message = check(&invalid).expect_err("a type error must be reported");
    assert!(
        message.starts_with("shaders/src/invalid.wgsl:2:"),
        "error does not start with file:line:column: {message}"
    );
}
