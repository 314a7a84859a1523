//! Writes the f32 and f64 variants of the escape and deep-zoom shaders from their templates
//! (src/template.rs) into `OUT_DIR`, where `src/lib.rs` embeds them.

#[path = "src/template.rs"]
mod template;

fn main() {
    let out_dir =
        std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    for real in ["f32", "f64"] {
        let source = template::expand(template::JULIA_TEMPLATE, real);
        std::fs::write(out_dir.join(format!("julia_{real}.wgsl")), source)
            .expect("OUT_DIR is writable");
        let deep = template::expand(template::DEEP_TEMPLATE, real);
        std::fs::write(out_dir.join(format!("deep_{real}.wgsl")), deep)
            .expect("OUT_DIR is writable");
    }
    println!("cargo::rerun-if-changed=src/template.rs");
    println!("cargo::rerun-if-changed=src/julia.wgsl.tmpl");
    println!("cargo::rerun-if-changed=src/deep.wgsl.tmpl");
}
