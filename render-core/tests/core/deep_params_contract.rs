//! The deep-zoom contract of `RenderParams` (issue 13): coordinates as numbers or decimal
//! strings, one canonical value per number, every digit in the hash and the PNG, field-naming
//! errors, and `precision` `deep` chosen by `auto` where f64 no longer resolves the pixel step.

use render_core::{
    Limits, ParseError, Precision, RenderParams, StopFlag, canonical_hash, parse_params,
};

fn parse(json: &str) -> RenderParams {
    parse_params(json, &Limits::default()).unwrap_or_else(|err| panic!("{json}: {err}"))
}

fn rejected_field(json: &str) -> String {
    match parse_params(json, &Limits::default()) {
        Err(ParseError::Invalid(err)) => err.field,
        other => panic!("expected a field error for {json}, got {other:?}"),
    }
}

const DEEP_CENTRE: &str = "0.046877466190533454551910264496766036380123456789012345678901234567";

fn deep_json(centre_re: &str) -> String {
    format!(
        r#"{{"width": 8, "height": 6, "max_iter": 300,
            "center": {{"re": "{centre_re}", "im": "-0.85422515502645976452226387428723218"}},
            "view_width": "1e-60"}}"#
    )
}

#[test]
fn a_number_and_its_decimal_strings_are_one_job() {
    let forms = [
        r#"{"center": {"re": 0.5, "im": 0}}"#,
        r#"{"center": {"re": "0.5", "im": "0"}}"#,
        r#"{"center": {"re": "5e-1", "im": "-0.000"}}"#,
    ];
    let params: Vec<RenderParams> = forms.iter().map(|json| parse(json)).collect();
    assert_eq!(params[0], params[1]);
    assert_eq!(params[0], params[2]);
    assert_eq!(canonical_hash(&params[0]), canonical_hash(&params[2]));
    // Strings that an f64 holds exactly hash like the number-only job they equal (golden value).
    let default_as_strings = parse(r#"{"c": {"re": "-0.8", "im": "0.156"}, "view_width": "3"}"#);
    assert_eq!(
        canonical_hash(&default_as_strings),
        "64a6d6ba72b93facdb196dba321316f7"
    );
}

#[test]
fn every_digit_of_a_deep_view_counts_and_survives_json() {
    let p = parse(&deep_json(DEEP_CENTRE));
    assert_eq!(p.resolved_precision(), Precision::Deep);
    let text = serde_json::to_string(&p.normalized()).unwrap();
    assert!(
        text.contains("4.6877466190533454551910264496766036380123456789012345678901234567e-2"),
        "{text}"
    );
    // 1e-60 is an f64 exactly as written: a number, like any f64 view width.
    assert!(text.contains(r#""view_width":1e-60"#), "{text}");
    assert_eq!(parse(&text), p.normalized());
    let last_digit_changed = parse(&deep_json(&DEEP_CENTRE.replace("4567", "4568")));
    assert_ne!(canonical_hash(&p), canonical_hash(&last_digit_changed));
    assert_eq!(
        p.center.re,
        DEEP_CENTRE.parse::<f64>().unwrap(),
        "the f64 is the nearest one"
    );
}

#[test]
fn digits_an_f64_render_cannot_use_do_not_make_a_new_job() {
    let long = parse(r#"{"center": {"re": "0.1000000000000000000000000001", "im": 0}}"#);
    let short = parse(r#"{"center": {"re": 0.1, "im": 0}}"#);
    assert_ne!(long, short, "the decimal is kept");
    assert_eq!(long.resolved_precision(), Precision::F32);
    assert_eq!(canonical_hash(&long), canonical_hash(&short));
}

#[test]
fn a_width_below_f64_range_is_accepted_as_a_string_and_auto_goes_deep() {
    let p = parse(r#"{"view_width": "1e-1000", "max_iter": 10}"#);
    assert_eq!(p.view_width, 0.0, "below f64: the nearest f64 is 0");
    assert_eq!(p.resolved_precision(), Precision::Deep);
    let q = parse(r#"{"view_width": "1e-20"}"#);
    assert_eq!(q.resolved_precision(), Precision::Deep);
    let explicit = parse(r#"{"view_width": 3, "precision": "deep"}"#);
    assert_eq!(explicit.resolved_precision(), Precision::Deep);
}

#[test]
fn bad_decimals_name_their_field() {
    let too_long = format!(
        r#"{{"center": {{"re": "0.{}", "im": 0}}}}"#,
        "1".repeat(2000)
    );
    let cases = [
        (r#"{"c": {"re": 0, "im": "abc"}}"#.to_string(), "c.im"),
        (r#"{"c": {"re": "NaN", "im": 0}}"#.to_string(), "c.re"),
        (r#"{"c": {"re": "inf", "im": 0}}"#.to_string(), "c.re"),
        (
            r#"{"center": {"re": 0, "im": "1e400"}}"#.to_string(),
            "center.im",
        ),
        (too_long, "center.re"),
        (r#"{"view_width": "-1e-500"}"#.to_string(), "view_width"),
        (r#"{"view_width": "0"}"#.to_string(), "view_width"),
        (r#"{"view_width": "1e-2001"}"#.to_string(), "view_width"),
        (
            r#"{"view_width": "1e-300", "precision": "f64"}"#.to_string(),
            "view_width",
        ),
        (
            r#"{"view_width": "1e-300", "precision": "f32"}"#.to_string(),
            "view_width",
        ),
        (r#"{"view_width": "1e291"}"#.to_string(), "view_width"),
    ];
    for (json, field) in &cases {
        assert_eq!(rejected_field(json), *field, "{json}");
    }
    assert!(
        parse_params(
            r#"{"view_width": "1e-2000", "max_iter": 10}"#,
            &Limits::default()
        )
        .is_ok()
    );
}

#[test]
fn the_png_carries_the_decimals_and_the_render_reports_deep() {
    let p = parse(&deep_json(DEEP_CENTRE));
    let mut png = Vec::new();
    let stats = render_core::render_to_writer(
        &p,
        &mut render_core::CpuSource::new(),
        &mut png,
        &StopFlag::new(),
        &mut |_| render_core::Flow::Continue,
    )
    .expect("renders");
    assert_eq!(stats.precision, Precision::Deep);
    let needle = b"4.6877466190533454551910264496766036380123456789012345678901234567e-2";
    assert!(png.windows(needle.len()).any(|w| w == needle));
    let shallow = render_core::render_to_writer(
        &RenderParams {
            width: 8,
            height: 6,
            ..RenderParams::default()
        },
        &mut render_core::CpuSource::new(),
        &mut Vec::new(),
        &StopFlag::new(),
        &mut |_| render_core::Flow::Continue,
    )
    .expect("renders");
    assert_eq!(shallow.precision, Precision::F32);
}
