//! The template gate: each f32/f64 variant is the template expanded, an error names the template
//! line, and the variants differ only on the lines the template marks.

use shaders::template::{
    DEEP_TEMPLATE, F32_ONLY_MARKER, F64_ONLY_MARKER, JULIA_TEMPLATE, REAL_PLACEHOLDER, expand,
};
use shaders::{DEEP_F32, DEEP_F64, JULIA_F32, JULIA_F64, Shader, ShaderFloat};

use super::check;

#[test]
fn variant_error_names_the_template_line() {
    // A type error on the template's line 3, in the f64 variant only (`Real` is f64 there).
    let template = "alias Real = $REAL;\nfn f() -> f32 {\n    let x: f32 = Real(1); //$f32\n    return 1.0;\n}\n";
    let f32_variant = expand(template, "f32");
    let f64_variant = expand(template, "f64");
    let shader = |name, source: &'static str| Shader {
        name,
        file: "t.wgsl.tmpl",
        source,
        float: ShaderFloat::F64,
    };
    let f32_source: &'static str = Box::leak(f32_variant.into_boxed_str());
    let f64_source: &'static str = Box::leak(f64_variant.into_boxed_str());
    assert!(check(&shader("t_f32.wgsl", f32_source)).is_ok());
    assert!(
        check(&shader("t_f64.wgsl", f64_source)).is_ok(),
        "line 3 is blank in f64"
    );
    let broken = expand(&template.replace("f32 = Real", "u32 = Real"), "f32");
    let message = check(&shader("t_f32.wgsl", Box::leak(broken.into_boxed_str())))
        .expect_err("a u32 initialised from an f32 must be reported");
    assert!(
        message.starts_with("shaders/src/t.wgsl.tmpl:3:") && message.contains("[t_f32.wgsl]"),
        "error does not name the template line and the variant: {message}"
    );
}

#[test]
fn variants_are_the_template_expanded() {
    assert_eq!(JULIA_F32, expand(JULIA_TEMPLATE, "f32"));
    assert_eq!(JULIA_F64, expand(JULIA_TEMPLATE, "f64"));
    assert_eq!(DEEP_F32, expand(DEEP_TEMPLATE, "f32"));
    assert_eq!(DEEP_F64, expand(DEEP_TEMPLATE, "f64"));
    for source in [JULIA_F32, JULIA_F64, DEEP_F32, DEEP_F64] {
        assert!(!source.contains('$'), "a marker survived expansion");
    }
}

#[test]
fn f64_only_lines_are_kept_in_the_f64_variant_alone() {
    let template = "const A: i32 = 1; //$f32\nconst A: i32 = 2; //$f64\nalias R = $REAL;\n";
    assert_eq!(
        expand(template, "f32"),
        "const A: i32 = 1;\n\nalias R = f32;\n"
    );
    assert_eq!(
        expand(template, "f64"),
        "\nconst A: i32 = 2;\nalias R = f64;\n"
    );
}

#[test]
fn f32_and_f64_variants_differ_only_on_the_template_marked_lines() {
    variants_differ_only_on_marked_lines("julia.wgsl.tmpl", JULIA_TEMPLATE, JULIA_F32, JULIA_F64);
    variants_differ_only_on_marked_lines("deep.wgsl.tmpl", DEEP_TEMPLATE, DEEP_F32, DEEP_F64);
}

fn variants_differ_only_on_marked_lines(file: &str, template: &str, f32: &str, f64: &str) {
    let template: Vec<&str> = template.lines().collect();
    let f32_lines: Vec<&str> = f32.lines().collect();
    let f64_lines: Vec<&str> = f64.lines().collect();
    assert_eq!(f32_lines.len(), template.len(), "expansion moved lines");
    assert_eq!(f64_lines.len(), template.len(), "expansion moved lines");
    let mut marked = 0;
    for (index, line) in template.iter().enumerate() {
        let is_marked = line.contains(REAL_PLACEHOLDER)
            || line.ends_with(F32_ONLY_MARKER)
            || line.ends_with(F64_ONLY_MARKER);
        marked += usize::from(is_marked);
        assert_eq!(
            f32_lines[index] != f64_lines[index],
            is_marked,
            "{file}:{}: the variants {} here, but the line is {}marked:\n  f32: {}\n  f64: {}",
            index + 1,
            if is_marked { "agree" } else { "differ" },
            if is_marked { "" } else { "not " },
            f32_lines[index],
            f64_lines[index],
        );
    }
    assert!(
        marked > 0,
        "{file} marks no line; the variants are identical"
    );
}
