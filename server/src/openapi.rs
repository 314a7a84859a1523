//! The OpenAPI document. Paths come from the handlers' `#[utoipa::path]` annotations, collected by
//! the same `OpenApiRouter` that builds the router, so the document lists exactly the routes the
//! server has. `RenderParams` lives in render-core (no utoipa there), so its schema is built here
//! from render-core's own defaults and limits; a test checks it against the real type's fields.
//!
//! Every validation rule is in the schema: per-field bounds as `minimum`/`maximum`/`enum`, the
//! `format`/`supersample` rule as `if`/`then`, and the one rule JSON Schema cannot state (width ×
//! height at most the server's pixel limit) as the extension `x-max-pixels`, filled in with the
//! running server's limit by [`served_document`].

use std::borrow::Cow;

use render_core::validate::{
    DEFAULT_MAX_DIMENSION, DEFAULT_MAX_PIXELS, MAX_ESCAPE_RADIUS, MAX_ITER_LIMIT, MAX_SUPERSAMPLE,
    MAX_VIEW_WIDTH, MIN_VIEW_WIDTH,
};
use render_core::{Limits, Palette, RenderParams};
use serde_json::{Value, json};
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
                "Everything that determines a rendered image. Every field is optional (defaults \
                 shown); unknown fields are rejected with 422. width*height must not exceed \
                 `x-max-pixels`, this server's pixel limit; npy output needs supersample 1.",
            ))
            .property(
                "width",
                integer(
                    "pixels, >= 1; width*height at most `x-max-pixels`, and \
                     width*height*supersample²*max_iter at most the server's max_work",
                    1,
                    u64::from(DEFAULT_MAX_DIMENSION),
                    d.width.into(),
                ),
            )
            .property(
                "height",
                integer(
                    "pixels, >= 1; width*height at most `x-max-pixels`",
                    1,
                    u64::from(DEFAULT_MAX_DIMENSION),
                    d.height.into(),
                ),
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
                    .description(Some("width of the image in the complex plane"))
                    .minimum(Some(MIN_VIEW_WIDTH))
                    .maximum(Some(MAX_VIEW_WIDTH))
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
                    .description(Some("finite, >= 2, <= 1e9"))
                    .minimum(Some(2.0))
                    .maximum(Some(MAX_ESCAPE_RADIUS))
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

/// The document as this server serves it: the largest width and height and `x-max-pixels` from
/// its limits, and the rules between fields that utoipa's builders cannot state.
pub fn served_document(document: &utoipa::openapi::OpenApi, limits: &Limits) -> Value {
    let mut doc = serde_json::to_value(document).expect("the OpenAPI document serialises");
    let params = &mut doc["components"]["schemas"]["RenderParams"];
    // A side is bounded by the per-side limit and, for a one-pixel strip, by the pixel limit.
    let largest_side = limits
        .max_pixels
        .min(u64::from(limits.max_dimension))
        .min(u64::from(u32::MAX));
    params["properties"]["width"]["maximum"] = json!(largest_side);
    params["properties"]["height"]["maximum"] = json!(largest_side);
    params["x-max-pixels"] = json!(limits.max_pixels);
    params["if"] = json!({"properties": {"format": {"const": "npy"}}, "required": ["format"]});
    params["then"] = json!({"properties": {"supersample": {"const": 1}}});
    doc["components"]["schemas"]["JobEvent"]["properties"]["data"]["contentSchema"] =
        json!({"$ref": "#/components/schemas/Job"});
    add_job_links(&mut doc);
    // A result is a file, not JSON: utoipa would describe `Vec<u8>` as an array of integers.
    let result = &mut doc["paths"]["/api/jobs/{id}/result"]["get"]["responses"]["200"]["content"];
    if let Some(content) = result.as_object_mut() {
        for (media_type, body) in content.iter_mut() {
            body["schema"] = json!({"type": "string", "contentMediaType": media_type});
        }
    }
    doc
}

/// Links from a submission's answer to every operation on the job it returns (`id` from the
/// body), so clients and stateful testers can follow a job's life from the document alone.
fn add_job_links(doc: &mut Value) {
    let mut links = serde_json::Map::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths
            .iter()
            .filter(|(p, _)| p.starts_with("/api/jobs/{id}"))
        {
            for operation in item.as_object().into_iter().flat_map(|ops| ops.values()) {
                if let Some(operation_id) = operation["operationId"].as_str() {
                    links.insert(
                        operation_id.to_string(),
                        json!({
                            "operationId": operation_id,
                            "parameters": {"id": "$response.body#/id"},
                            "description": format!("{path} of the job in this answer"),
                        }),
                    );
                }
            }
        }
    }
    let submit = &mut doc["paths"]["/api/jobs"]["post"]["responses"];
    for status in ["200", "202"] {
        if submit[status].is_object() {
            submit[status]["links"] = Value::Object(links.clone());
        }
    }
}

/// Stand-in type that carries the schema of one Server-Sent Event of `GET /api/events` as an SSE
/// parser reads it: the event name and its data (in OpenAPI 3.1 the schema describes each event).
pub struct JobEventSchema;

impl ToSchema for JobEventSchema {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("JobEvent")
    }
}

impl PartialSchema for JobEventSchema {
    fn schema() -> RefOr<Schema> {
        let object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "One event: `event: job` with a Job as JSON in `data`, sent on every state change \
                 and persisted progress update. Keep-alive comments carry no event.",
            ))
            .property(
                "event",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(vec!["job"])),
            )
            .property(
                "data",
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .content_media_type("application/json")
                    .description(Some("the Job, as JSON")),
            )
            .required("event")
            .required("data");
        RefOr::T(Schema::Object(object.build()))
    }
}

/// Document metadata; the paths and component schemas are added by the router.
pub fn base_document() -> utoipa::openapi::OpenApi {
    let mut doc = utoipa::openapi::OpenApiBuilder::new().build();
    let mut info = Info::new("julia-server", env!("CARGO_PKG_VERSION"));
    info.description = Some(format!(
        "Julia-set render jobs: submit RenderParams, watch progress over SSE, download the image. \
         Default pixel limit {DEFAULT_MAX_PIXELS}; this server's is `x-max-pixels` of RenderParams.\n\n\
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
