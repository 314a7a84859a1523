//! Every rule of DESIGN §3 rejects bad input with an error that names the offending field, and
//! malformed JSON is told apart from invalid parameters.

use render_core::{Limits, ParseError, RenderParams, parse_params, validate};

/// The field named by parsing `json` with default limits, which must fail validation.
fn rejected_field(json: &str) -> String {
    match parse_params(json, &Limits::default()) {
        Err(ParseError::Invalid(err)) => err.field,
        other => panic!("expected an invalid-parameter error for {json}, got {other:?}"),
    }
}

#[test]
fn each_numeric_rule_names_its_field() {
    let cases = [
        (r#"{"width": 0}"#, "width"),
        (r#"{"height": 0}"#, "height"),
        (r#"{"width": 16385, "height": 16384}"#, "width"),
        (r#"{"view_width": 0.0}"#, "view_width"),
        (r#"{"view_width": -1.0}"#, "view_width"),
        (r#"{"view_width": 1e-320}"#, "view_width"),
        (r#"{"view_width": 1e-291}"#, "view_width"),
        (r#"{"view_width": 1e291}"#, "view_width"),
        (r#"{"max_iter": 0}"#, "max_iter"),
        (r#"{"max_iter": 1000001}"#, "max_iter"),
        (r#"{"escape_radius": 1.5}"#, "escape_radius"),
        (r#"{"supersample": 0}"#, "supersample"),
        (r#"{"supersample": 5}"#, "supersample"),
        (r#"{"format": "npy", "supersample": 2}"#, "supersample"),
    ];
    for (json, field) in cases {
        assert_eq!(rejected_field(json), field, "{json}");
    }
}

#[test]
fn non_finite_numbers_name_their_field() {
    // JSON has no NaN or infinity, so these come from Rust callers (the CLI's flags, the UI).
    type Spoil = fn(&mut RenderParams);
    let cases: [(&str, Spoil); 7] = [
        ("c.re", |p| p.c.re = f64::NAN),
        ("c.im", |p| p.c.im = f64::INFINITY),
        ("center.re", |p| p.center.re = f64::NEG_INFINITY),
        ("center.im", |p| p.center.im = f64::NAN),
        ("view_width", |p| p.view_width = f64::INFINITY),
        ("escape_radius", |p| p.escape_radius = f64::NAN),
        ("escape_radius", |p| p.escape_radius = f64::INFINITY),
    ];
    for (field, spoil) in cases {
        let mut p = RenderParams::default();
        spoil(&mut p);
        let err = validate(&p, &Limits::default()).expect_err(field);
        assert_eq!(err.field, field);
    }
}

#[test]
fn the_server_pixel_limit_names_width() {
    let limits = Limits { max_pixels: 1000 };
    let err = parse_params(r#"{"width": 100, "height": 11}"#, &limits).expect_err("over limit");
    match err {
        ParseError::Invalid(e) => assert_eq!(e.field, "width"),
        other => panic!("{other:?}"),
    }
    assert!(parse_params(r#"{"width": 100, "height": 10}"#, &limits).is_ok());
}

#[test]
fn an_unknown_palette_name_names_palette() {
    assert_eq!(rejected_field(r#"{"palette": "rainbow"}"#), "palette");
}

#[test]
fn unknown_fields_are_named_including_nested_ones() {
    let top = rejected_field(r#"{"max_iters": 10}"#);
    let nested = rejected_field(r#"{"c": {"re": 0, "im": 0, "x": 1}}"#);
    assert_eq!((top.as_str(), nested.as_str()), ("max_iters", "c.x"));
}

#[test]
fn a_wrong_type_names_its_field() {
    assert_eq!(rejected_field(r#"{"width": "wide"}"#), "width");
    assert_eq!(
        rejected_field(r#"{"center": {"re": "0", "im": 0}}"#),
        "center.re"
    );
    assert_eq!(rejected_field(r#"{"precision": "f16"}"#), "precision");
    assert_eq!(rejected_field(r#"{"format": "jpeg"}"#), "format");
}

#[test]
fn malformed_json_is_a_parse_error_not_a_field_error() {
    for json in ["{", "", "{\"width\": 12,}", "[1, 2", "not json"] {
        assert!(
            matches!(
                parse_params(json, &Limits::default()),
                Err(ParseError::Malformed(_))
            ),
            "{json:?}"
        );
    }
}

#[test]
fn the_defaults_and_an_empty_object_are_valid() {
    assert_eq!(
        parse_params("{}", &Limits::default()).expect("valid"),
        RenderParams::default()
    );
    assert!(validate(&RenderParams::default(), &Limits::default()).is_ok());
}

#[test]
fn a_number_too_large_for_f64_names_its_field() {
    assert_eq!(rejected_field(r#"{"c": {"re": 1e400, "im": 0}}"#), "c.re");
}
