//! Every rule of docs/DESIGN.md §3 rejects bad input with an error that names the offending field, and
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
        (
            r#"{"width": 268435456, "height": 1, "supersample": 4}"#,
            "width",
        ),
        (r#"{"width": 1, "height": 65537}"#, "height"),
        (r#"{"escape_radius": 1e200}"#, "escape_radius"),
        (r#"{"escape_radius": 1.1e9}"#, "escape_radius"),
        (
            r#"{"width": 16384, "height": 16384, "supersample": 4, "max_iter": 1000000}"#,
            "max_iter",
        ),
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
    let limits = Limits {
        max_pixels: 1000,
        ..Limits::default()
    };
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
        rejected_field(r#"{"center": {"re": "zero", "im": 0}}"#),
        "center.re"
    );
    // Since deep zoom (issue 13), a decimal string is a valid coordinate.
    assert_eq!(
        rejected_field(r#"{"center": {"re": true, "im": 0}}"#),
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

#[test]
fn the_per_side_limit_names_the_side_and_admits_the_widest_strip() {
    let err = validate(
        &RenderParams {
            width: 268_435_456,
            height: 1,
            supersample: 4,
            ..RenderParams::default()
        },
        &Limits::default(),
    )
    .expect_err("far over the per-side limit");
    assert_eq!(err.field, "width");
    assert!(err.message.contains("65536"), "{}", err.message);
    let widest = r#"{"width": 65536, "height": 1, "supersample": 4}"#;
    let tallest = r#"{"width": 1, "height": 65536, "view_width": 0.001}"#;
    for json in [widest, tallest] {
        assert!(parse_params(json, &Limits::default()).is_ok(), "{json}");
    }
    let small = Limits {
        max_dimension: 100,
        ..Limits::default()
    };
    let err = parse_params(r#"{"width": 100, "height": 101}"#, &small).expect_err("tall");
    assert!(matches!(err, ParseError::Invalid(e) if e.field == "height"));
}

#[test]
fn the_work_budget_names_max_iter_and_says_what_would_fit() {
    let heavy = r#"{"width": 16384, "height": 16384, "supersample": 4, "max_iter": 1000000}"#;
    let err = match parse_params(heavy, &Limits::default()) {
        Err(ParseError::Invalid(err)) => err,
        other => panic!("{other:?}"),
    };
    assert_eq!(err.field, "max_iter");
    // The budget (1e14) and the largest max_iter that fits at these dimensions (1e14 / 2^32).
    assert!(err.message.contains("1.00e14"), "{}", err.message);
    assert!(err.message.contains("at most 23283"), "{}", err.message);
    let final_quality = r#"{"width": 16384, "height": 16384, "supersample": 4, "max_iter": 20000}"#;
    assert!(parse_params(final_quality, &Limits::default()).is_ok());
    let at_the_advice = r#"{"width": 16384, "height": 16384, "supersample": 4, "max_iter": 23283}"#;
    assert!(parse_params(at_the_advice, &Limits::default()).is_ok());

    let tiny = Limits {
        max_work: 1000,
        ..Limits::default()
    };
    let err = validate(&RenderParams::default(), &tiny).expect_err("over a tiny budget");
    assert_eq!(err.field, "max_iter");
    assert!(
        err.message.contains("even at max_iter 1"),
        "{}",
        err.message
    );
}

#[test]
fn the_escape_radius_bound_keeps_r_squared_finite_in_f32() {
    let largest = render_core::validate::MAX_ESCAPE_RADIUS;
    let r2 = (largest * largest) as f32;
    assert!(
        r2.is_finite() && (r2 * r2).is_finite(),
        "R² and R⁴ finite in f32"
    );
    let ok = RenderParams {
        escape_radius: largest,
        ..RenderParams::default()
    };
    assert!(validate(&ok, &Limits::default()).is_ok());
    let over = RenderParams {
        escape_radius: largest * 1.01,
        ..RenderParams::default()
    };
    assert_eq!(
        validate(&over, &Limits::default()).expect_err("over").field,
        "escape_radius"
    );
}
