//! The OpenAPI document. Paths come from the handlers' `#[utoipa::path]` annotations, collected by
//! the same `OpenApiRouter` that builds the router, so the document lists exactly the routes the
//! server has. `RenderParams` lives in render-core (no utoipa there), so its schema is built here
//! from render-core's own defaults and limits; a test checks it against the real type's fields.

use std::borrow::Cow;

use render_core::validate::{DEFAULT_MAX_PIXELS, MAX_ITER_LIMIT, MAX_SUPERSAMPLE};
use render_core::{Palette, RenderParams};
use serde_json::json;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Info, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// Stand-in type that carries the `RenderParams` schema.
pub struct RenderParamsSchema;

impl ToSchema for RenderParamsSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("RenderParams")
    }
}

impl PartialSchema for RenderParamsSchema {
    fn schema() -> RefOr<Schema> {
        let d = RenderParams::default();
        let complex = |what: &str, default: render_core::Complex| {
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .description(Some(what))
                .property("re", number("real part (finite)"))
                .property("im", number("imaginary part (finite)"))
                .required("re")
                .required("im")
                .additional_properties(Some(
                    utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
                ))
                .default(Some(json!({"re": default.re, "im": default.im})))
        };
        let object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Everything that determines a rendered image (DESIGN §3). Every field is optional \
                 (defaults shown); unknown fields are rejected with 422.",
            ))
            .property(
                "width",
                integer(
                    "pixels, >= 1; width*height at most the server's max_pixels",
                    1,
                    u64::from(u32::MAX),
                    d.width.into(),
                ),
            )
            .property(
                "height",
                integer("pixels, >= 1", 1, u64::from(u32::MAX), d.height.into()),
            )
            .property("c", complex("the Julia constant c", d.c))
            .property(
                "center",
                complex("centre of the view in the complex plane", d.center),
            )
            .property(
                "view_width",
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
                    .description(Some("width of the image in the complex plane, finite, > 0"))
                    .exclusive_minimum(Some(0.0))
                    .default(Some(json!(d.view_width))),
            )
            .property(
                "max_iter",
                integer(
                    "iteration limit",
                    1,
                    u64::from(MAX_ITER_LIMIT),
                    d.max_iter.into(),
                ),
            )
            .property(
                "escape_radius",
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
                    .description(Some("finite, >= 2"))
                    .minimum(Some(2.0))
                    .default(Some(json!(d.escape_radius))),
            )
            .property(
                "palette",
                string_enum(
                    "colour map (png only)",
                    Palette::ALL.map(Palette::name).to_vec(),
                    d.palette.name(),
                ),
            )
            .property(
                "supersample",
                integer(
                    "samples per axis and pixel (png only; npy needs 1)",
                    1,
                    u64::from(MAX_SUPERSAMPLE),
                    d.supersample.into(),
                ),
            )
            .property(
                "precision",
                string_enum("iteration precision", vec!["f32", "f64", "auto"], "auto"),
            )
            .property(
                "format",
                string_enum(
                    "png: RGBA colour image; npy: <u4 escape counts",
                    vec!["png", "npy"],
                    "png",
                ),
            )
            .additional_properties(Some(
                utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
            ));
        RefOr::T(Schema::Object(object.build()))
    }
}

fn number(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Double)))
        .description(Some(description))
}

fn integer(description: &str, min: u64, max: u64, default: u64) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .description(Some(description))
        .minimum(Some(min as f64))
        .maximum(Some(max as f64))
        .default(Some(json!(default)))
}

fn string_enum(description: &str, values: Vec<&str>, default: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .default(Some(json!(default)))
}

/// Document metadata; the paths and component schemas are added by the router.
pub fn base_document() -> utoipa::openapi::OpenApi {
    let mut doc = utoipa::openapi::OpenApiBuilder::new().build();
    let mut info = Info::new("julia-server", env!("CARGO_PKG_VERSION"));
    info.description = Some(format!(
        "Julia-set render jobs: submit RenderParams, watch progress over SSE, download the image. \
         Default pixel limit {DEFAULT_MAX_PIXELS}.\n\n\
         When the server has API keys, submitting, canceling and `replaces=` need \
         `Authorization: Bearer <key>` (`401` without, `403` for another key's job), and with \
         `--keys-for-reads` so do the job, result and event reads. Any route may answer `421` \
         (a Host not in `--allowed-hosts`), `408` (request timeout) or `503` + Retry-After \
         (too many requests at once); writes may answer `429` + Retry-After (rate limit)."
    ));
    doc.info = info;
    let mut components = utoipa::openapi::Components::new();
    components.add_security_scheme(
        API_KEY_SCHEME,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .description(Some(
                    "An API key from the server's --api-keys-file or JULIA_API_KEYS",
                ))
                .build(),
        ),
    );
    doc.components = Some(components);
    doc
}

/// The name of the bearer scheme the handlers' `security(..)` attributes name.
pub const API_KEY_SCHEME: &str = "api_key";

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_json() -> serde_json::Value {
        serde_json::to_value(RenderParamsSchema::schema()).unwrap()
    }

    #[test]
    fn the_params_schema_has_exactly_the_fields_of_render_params() {
        let real = serde_json::to_value(RenderParams::default()).unwrap();
        let mut real_fields: Vec<_> = real.as_object().unwrap().keys().cloned().collect();
        let schema = schema_json();
        let mut documented: Vec<_> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        real_fields.sort();
        documented.sort();
        assert_eq!(real_fields, documented);
    }

    #[test]
    fn the_params_schema_defaults_are_the_real_defaults() {
        let real = serde_json::to_value(RenderParams::default()).unwrap();
        let schema = schema_json();
        for (field, value) in real.as_object().unwrap() {
            assert_eq!(
                &schema["properties"][field]["default"], value,
                "default of `{field}`"
            );
        }
    }

    #[test]
    fn the_document_declares_the_bearer_scheme_the_writes_use() {
        let doc = serde_json::to_value(crate::api::openapi_document()).unwrap();
        let scheme = &doc["components"]["securitySchemes"][API_KEY_SCHEME];
        assert_eq!(scheme["type"], "http", "{scheme}");
        assert_eq!(scheme["scheme"], "bearer", "{scheme}");
        let post = &doc["paths"]["/api/jobs"]["post"];
        assert!(
            post["security"].to_string().contains(API_KEY_SCHEME),
            "{}",
            post["security"]
        );
        for status in ["401", "403", "415", "421", "429", "503"] {
            assert!(
                post["responses"][status].is_object(),
                "POST /api/jobs lacks {status}"
            );
        }
    }

    #[test]
    fn the_schema_lists_every_palette_and_each_parses() {
        let schema = schema_json();
        let names = schema["properties"]["palette"]["enum"].as_array().unwrap();
        assert_eq!(names.len(), Palette::ALL.len());
        for name in names {
            let json = format!(r#"{{"palette": {name}}}"#);
            render_core::parse_params(&json, &render_core::Limits::default()).unwrap();
        }
    }
}
