//! The one template behind the f32 and f64 escape shaders, and its expansion.
//!
//! `build.rs` includes this file to write both variants at build time (so the crate still embeds
//! them as `&'static str`), and the crate exports it so the naga test can check that the variants
//! differ only where the template says. Two markers, nothing more:
//! - `$REAL` is replaced by the scalar type (`f32` or `f64`);
//! - a line ending in `//$f32` is kept (without the marker) only in the f32 variant and is blank
//!   in the f64 one.
//!
//! Expansion keeps every line where it is, so a line number in a variant is the template's.

/// The template text.
pub const JULIA_TEMPLATE: &str = include_str!("julia.wgsl.tmpl");

/// Where the scalar type goes.
pub const REAL_PLACEHOLDER: &str = "$REAL";

/// The end of a line only the f32 variant has.
pub const F32_ONLY_MARKER: &str = "//$f32";

/// `template` for scalar type `real` (`"f32"` or `"f64"`).
pub fn expand(template: &str, real: &str) -> String {
    let mut out = String::with_capacity(template.len());
    for line in template.lines() {
        match line.strip_suffix(F32_ONLY_MARKER) {
            Some(kept) if real == "f32" => out.push_str(kept.trim_end()),
            Some(_) => {}
            None => out.push_str(&line.replace(REAL_PLACEHOLDER, real)),
        }
        out.push('\n');
    }
    out
}
