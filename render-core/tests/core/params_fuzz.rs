//! Generated parameter documents, valid and not, straight into `parse_params`: it never panics,
//! every refusal names a real field, and every document it admits keeps the promises the server
//! relies on — each side and the pixel count within the limits, the work within the budget, the
//! escape radius finite in f32, and no band over the per-job memory bound.

use render_core::band::TARGET_SAMPLES_PER_BAND;
use render_core::validate::{MAX_ESCAPE_RADIUS, work_of};
use render_core::{Limits, ParseError, parse_params, plan_bands};
use serde_json::{Map, Value, json};

/// A deterministic xorshift generator: the same documents on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize].clone()
    }
}

const FIELDS: [&str; 11] = [
    "width",
    "height",
    "c",
    "center",
    "view_width",
    "max_iter",
    "escape_radius",
    "palette",
    "supersample",
    "precision",
    "format",
];

/// A value for `field`: mostly plausible, often at or just past a limit, sometimes absurd.
fn value_for(rng: &mut Rng, field: &str) -> Value {
    let sides = [
        1u64,
        2,
        7,
        640,
        16384,
        16385,
        65535,
        65536,
        65537,
        1 << 20,
        268_435_456,
    ];
    let floats = [
        0.0, -0.0, 1e-300, 1e-291, 1e-290, 1e-12, 0.5, 2.0, 3.0, 1e9, 1.000001e9, 1e200, 1e290,
        1e291, -1.0, -1e308,
    ];
    match field {
        "width" | "height" => json!(rng.pick(&sides) + rng.next() % 3),
        "max_iter" => {
            json!(rng.pick(&[0u64, 1, 500, 20_000, 23_283, 23_284, 1_000_000, 1_000_001]))
        }
        "supersample" => json!(rng.next() % 6),
        "view_width" | "escape_radius" => json!(rng.pick(&floats)),
        "c" | "center" => json!({"re": rng.pick(&floats), "im": rng.pick(&floats)}),
        "palette" => json!(rng.pick(&["twilight", "magma", "nope", ""])),
        "precision" => json!(rng.pick(&["f32", "f64", "auto", "f16"])),
        _ => json!(rng.pick(&["png", "npy", "gif"])),
    }
}

#[test]
fn admitted_parameters_keep_every_bound_and_refusals_name_a_field() {
    let limits = Limits::default();
    let mut rng = Rng(0x5EED_F022);
    let (mut admitted, mut refused) = (0, 0);
    for _ in 0..50_000 {
        let mut doc = Map::new();
        for field in FIELDS {
            if rng.next().is_multiple_of(3) {
                doc.insert(field.to_string(), value_for(&mut rng, field));
            }
        }
        let text = Value::Object(doc).to_string();
        match parse_params(&text, &limits) {
            Ok(p) => {
                admitted += 1;
                let side = u64::from(limits.max_dimension);
                assert!(
                    u64::from(p.width) <= side && u64::from(p.height) <= side,
                    "{text}"
                );
                assert!(p.pixel_count() <= limits.max_pixels, "{text}");
                assert!(work_of(&p) <= u128::from(limits.max_work), "{text}");
                assert!(p.escape_radius <= MAX_ESCAPE_RADIUS, "{text}");
                assert!(
                    (p.escape_radius * p.escape_radius) < f64::from(f32::MAX),
                    "{text}"
                );
                // The memory bound: no band holds more samples than the planner's target, which
                // the per-side limit makes hold even for a one-row band at supersample 4.
                let per_row = u64::from(p.width) * u64::from(p.supersample).pow(2);
                assert!(per_row <= TARGET_SAMPLES_PER_BAND, "{text}");
                if p.pixel_count() <= 1 << 22 {
                    let biggest = plan_bands(p.width, p.height, p.supersample)
                        .iter()
                        .map(|b| u64::from(b.rows) * per_row)
                        .max()
                        .unwrap_or(0);
                    assert!(biggest <= TARGET_SAMPLES_PER_BAND, "{text}");
                }
            }
            Err(ParseError::Invalid(err)) => {
                refused += 1;
                let top = err.field.split('.').next().unwrap_or_default();
                assert!(
                    FIELDS.contains(&top),
                    "{text}: unknown field `{}`",
                    err.field
                );
                assert!(!err.message.is_empty(), "{text}");
            }
            Err(ParseError::Malformed(err)) => panic!("{text} is well-formed JSON: {err}"),
        }
    }
    // The generator must exercise both sides of every rule, or the checks above prove nothing.
    assert!(
        admitted > 5_000 && refused > 5_000,
        "{admitted} admitted, {refused} refused"
    );
}
