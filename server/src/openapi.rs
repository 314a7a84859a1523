//! The OpenAPI document. Paths come from the handlers' `#[utoipa::path]` annotations, collected by
//! the same `OpenApiRouter` that builds the router, so the document lists exactly the routes the
//! server has. The schemas are derived: the API bodies in julia-api-types and `RenderParams` in
//! render-core (both with their `openapi` feature); the tests below hold `RenderParams`' bounds to
//! the limits `render_core::validate` enforces.
//!
//! Every validation rule is in the schema: per-field bounds as `minimum`/`maximum`/`enum`, the
//! `format`/`supersample` rule as `if`/`then`, and the one rule JSON Schema cannot state (width ×
//! height at most the server's pixel limit) as the extension `x-max-pixels`, filled in with the
//! running server's limit by [`served_document`].

use std::borrow::Cow;

use render_core::Limits;
use render_core::validate::DEFAULT_MAX_PIXELS;
use serde_json::{Value, json};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Info, RefOr};
use utoipa::{PartialSchema, ToSchema};

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
    add_links(&mut doc, "/api/jobs", "/api/jobs/{id}", "job");
    add_links(
        &mut doc,
        "/api/animations",
        "/api/animations/{id}",
        "animation",
    );
    describe_animation_views(&mut doc);
    // A result is a file, not JSON: utoipa would describe `Vec<u8>` as an array of integers.
    let files = ["result", "thumbnail", "escapes"].map(|f| format!("/api/jobs/{{id}}/{f}"));
    for path in files
        .iter()
        .map(String::as_str)
        .chain(["/api/animations/{id}/video"])
    {
        let answer = &mut doc["paths"][path]["get"]["responses"]["200"]["content"];
        if let Some(content) = answer.as_object_mut() {
            for (media_type, body) in content.iter_mut() {
                body["schema"] = json!({"type": "string", "contentMediaType": media_type});
            }
        }
    }
    doc
}

/// Links from a submission's answer (`POST submit`) to every operation on the `what` it returns
/// (under `under`, `id` from the body), so clients and stateful testers can follow its life from
/// the document alone.
fn add_links(doc: &mut Value, submit: &str, under: &str, what: &str) {
    let mut links = serde_json::Map::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths.iter().filter(|(p, _)| p.starts_with(under)) {
            for operation in item.as_object().into_iter().flat_map(|ops| ops.values()) {
                if let Some(operation_id) = operation["operationId"].as_str() {
                    links.insert(
                        operation_id.to_string(),
                        json!({
                            "operationId": operation_id,
                            "parameters": {"id": "$response.body#/id"},
                            "description": format!("{path} of the {what} in this answer"),
                        }),
                    );
                }
            }
        }
    }
    let answers = &mut doc["paths"][submit]["post"]["responses"];
    for status in ["200", "202"] {
        if answers[status].is_object() {
            answers[status]["links"] = Value::Object(links.clone());
        }
    }
}

/// A keyframe's `view` holds RenderParams' own schemas of the fields that may change over time;
/// the rules between fields JSON Schema cannot state are the extension `x-animation-rules`.
fn describe_animation_views(doc: &mut Value) {
    let params = doc["components"]["schemas"]["RenderParams"]["properties"].clone();
    let properties: serde_json::Map<String, Value> = crate::animation::spec::VIEW_FIELDS
        .iter()
        .filter_map(|field| Some((field.to_string(), params.get(*field)?.clone())))
        .collect();
    let schemas = &mut doc["components"]["schemas"];
    schemas["AnimationKeyframe"]["properties"]["view"] = json!({
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
        "description": "The render parameters that may change over time, with RenderParams' rules",
    });
    let spec = &mut schemas["AnimationSpec"];
    spec["required"] = json!(["keyframes"]);
    let keyframes = &mut spec["properties"]["keyframes"];
    if let Some(keyframes) = keyframes.as_object_mut() {
        keyframes.remove("default");
    }
    keyframes["maxItems"] = json!(crate::api::animations::MAX_API_KEYFRAMES);
    spec["x-animation-rules"] = json!({
        "keyframe_times": "the first t is 0 and each later one is greater than the one before",
        "frames": format!(
            "round(last t × fps) frames, 2 ..= {} (and at most the queue's capacity)",
            crate::api::animations::MAX_API_FRAMES
        ),
        "moving_centre": "a centre that moves between keyframes must be placeable in f64 at that depth",
        "per_frame": "every frame's parameters keep RenderParams' rules, x-max-pixels included",
    });
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
    use render_core::validate::{
        DEFAULT_MAX_DIMENSION, MAX_ESCAPE_RADIUS, MAX_ITER_LIMIT, MAX_SUPERSAMPLE, MAX_VIEW_WIDTH,
        MIN_VIEW_WIDTH,
    };
    use render_core::{Palette, RenderParams};

    use super::*;

    fn schema_json() -> serde_json::Value {
        serde_json::to_value(RenderParams::schema()).unwrap()
    }

    /// utoipa takes only literals in `#[schema(minimum/maximum = ..)]`: this holds the literals on
    /// `RenderParams` to the limits `validate` enforces.
    #[test]
    fn the_params_schema_bounds_are_the_validation_limits() {
        let schema = schema_json();
        let bounds = |field: &str| {
            let property = &schema["properties"][field];
            (
                property["minimum"]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{field}: {property}")),
                property["maximum"]
                    .as_f64()
                    .unwrap_or_else(|| panic!("{field}: {property}")),
            )
        };
        let side = (1.0, f64::from(DEFAULT_MAX_DIMENSION));
        assert_eq!(bounds("width"), side);
        assert_eq!(bounds("height"), side);
        assert_eq!(bounds("max_iter"), (1.0, f64::from(MAX_ITER_LIMIT)));
        assert_eq!(bounds("supersample"), (1.0, f64::from(MAX_SUPERSAMPLE)));
        assert_eq!(bounds("view_width"), (MIN_VIEW_WIDTH, MAX_VIEW_WIDTH));
        assert_eq!(bounds("escape_radius"), (2.0, MAX_ESCAPE_RADIUS));
        for (value, field) in [(1.0, "width"), (2.0, "escape_radius")] {
            let below = serde_json::json!({ field: value / 2.0 });
            assert!(
                render_core::parse_params(&below.to_string(), &Limits::default()).is_err(),
                "{field} = {} must be refused, as the schema's minimum says",
                value / 2.0
            );
        }
    }

    #[test]
    fn the_params_schema_has_exactly_the_fields_of_render_params() {
        // The colouring fields are written only when not default, so set them.
        let params = RenderParams {
            colour_mapping: render_core::ColourMapping::Cyclic,
            colour_offset: 0.5,
            ..RenderParams::default()
        };
        let real = serde_json::to_value(params).unwrap();
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
        // An inlined enum with its own description and default is wrapped in a one-element oneOf.
        let palette = &schema["properties"]["palette"];
        let names = palette
            .get("enum")
            .unwrap_or(&palette["oneOf"][0]["enum"])
            .as_array()
            .unwrap_or_else(|| panic!("no enum in {palette}"));
        assert_eq!(names.len(), Palette::ALL.len());
        for name in names {
            let json = format!(r#"{{"palette": {name}}}"#);
            render_core::parse_params(&json, &render_core::Limits::default()).unwrap();
        }
    }
}
