//! The templates behind the f32 and f64 variants of each shader, and their expansion.
//!
//! `build.rs` includes this file to write both variants at build time (so the crate still embeds
//! them as `&'static str`), and the crate exports it so the naga test can check that the variants
//! differ only where the template says. Three markers, nothing more:
//! - `$REAL` is replaced by the scalar type (`f32` or `f64`);
//! - a line ending in `//$f32` is kept (without the marker) only in the f32 variant and is blank
//!   in the f64 one;
//! - a line ending in `//$f64` is kept only in the f64 variant (constants whose value depends on
//!   the float's range, e.g. the deep shader's thresholds).
//!
//! Expansion keeps every line where it is, so a line number in a variant is the template's.

/// The escape shader's template text.
pub const JULIA_TEMPLATE: &str = include_str!("julia.wgsl.tmpl");

/// The deep-zoom (perturbation) shader's template text.
pub const DEEP_TEMPLATE: &str = include_str!("deep.wgsl.tmpl");

/// Where the scalar type goes.
pub const REAL_PLACEHOLDER: &str = "$REAL";

/// The end of a line only the f32 variant has.
pub const F32_ONLY_MARKER: &str = "//$f32";

/// The end of a line only the f64 variant has.
pub const F64_ONLY_MARKER: &str = "//$f64";

/// `template` for scalar type `real` (`"f32"` or `"f64"`).
pub fn expand(template: &str, real: &str) -> String {
    let mut out = String::with_capacity(template.len());
    for line in template.lines() {
        let only = |marker, variant| line.strip_suffix(marker).map(|kept| (kept, variant));
        match only(F32_ONLY_MARKER, "f32").or_else(|| only(F64_ONLY_MARKER, "f64")) {
            Some((kept, variant)) if real == variant => {
                out.push_str(&kept.trim_end().replace(REAL_PLACEHOLDER, real))
            }
            Some(_) => {}
            None => out.push_str(&line.replace(REAL_PLACEHOLDER, real)),
        }
        out.push('\n');
    }
    out
}
