//! The spec's promises: defaults filled in, bounds kept, every error naming its field.

use super::*;

fn spec(json: &str) -> Result<AnimationSpec, ParseError> {
    parse_spec(json, &AnimationLimits::default())
}

fn field_of(json: &str) -> String {
    match spec(json) {
        Err(ParseError::Invalid(e)) => e.field,
        other => panic!("expected an invalid spec, got {other:?}"),
    }
}

const TWO_KEYS: &str = r#"{"keyframes": [{"t": 0, "view": {"view_width": 3}},
    {"t": 2, "view": {"view_width": 0.001}}]}"#;

#[test]
fn spec_defaults_fill_size_and_rate() {
    let s = spec(TWO_KEYS).unwrap();
    assert_eq!(
        (s.width, s.height, s.fps, s.supersample),
        (1280, 720, 30, 1)
    );
    assert_eq!(s.frame_count(), 60);
    assert_eq!(s.keyframes[1].params.view_width, 0.001);
    assert_eq!(s.keyframes[1].params.width, 1280);
}

#[test]
fn spec_errors_name_the_field() {
    let bad_width =
        r#"{"keyframes": [{"t": 0, "view": {}}, {"t": 1, "view": {"view_width": -1}}]}"#;
    assert_eq!(field_of(bad_width), "keyframes[1].view.view_width");
    let bad_c =
        r#"{"keyframes": [{"t": 0, "view": {"c": {"re": "x", "im": 0}}}, {"t": 1, "view": {}}]}"#;
    assert_eq!(field_of(bad_c), "keyframes[0].view.c.re");
    let not_view = r#"{"keyframes": [{"t": 0, "view": {"width": 10}}, {"t": 1, "view": {}}]}"#;
    assert_eq!(field_of(not_view), "keyframes[0].view.width");
    let bad_offset =
        r#"{"keyframes": [{"t": 0, "view": {}}, {"t": 1, "view": {"colour_offset": 1.5}}]}"#;
    assert_eq!(field_of(bad_offset), "keyframes[1].view.colour_offset");
    let bad_mapping =
        r#"{"keyframes": [{"t": 0, "view": {"colour_mapping": "rainbow"}}, {"t": 1, "view": {}}]}"#;
    assert_eq!(field_of(bad_mapping), "keyframes[0].view.colour_mapping");
    let late_start = r#"{"keyframes": [{"t": 1, "view": {}}, {"t": 2, "view": {}}]}"#;
    assert_eq!(field_of(late_start), "keyframes[0].t");
    let backwards =
        r#"{"keyframes": [{"t": 0, "view": {}}, {"t": 2, "view": {}}, {"t": 1, "view": {}}]}"#;
    assert_eq!(field_of(backwards), "keyframes[2].t");
    assert_eq!(
        field_of(r#"{"keyframes": [{"t": 0, "view": {}}]}"#),
        "keyframes"
    );
    assert_eq!(field_of(r#"{"width": 641, "keyframes": []}"#), "width");
    assert_eq!(field_of(r#"{"fps": 0, "keyframes": []}"#), "fps");
    assert_eq!(
        field_of(r#"{"supersample": 5, "keyframes": []}"#),
        "supersample"
    );
    assert_eq!(field_of(r#"{"frames": 5, "keyframes": []}"#), "frames");
    assert_eq!(field_of(r#"{"keyframes": [{"t": 0}]}"#), "keyframes[0]");
}

#[test]
fn spec_bounds_frames_and_total_samples() {
    let long = r#"{"fps": 120, "keyframes": [{"t": 0, "view": {}}, {"t": 3599, "view": {}}]}"#;
    assert_eq!(field_of(long), "keyframes[1].t");
    let limits = AnimationLimits {
        max_total_samples: 1280 * 720 * 59,
        ..AnimationLimits::default()
    };
    match parse_spec(TWO_KEYS, &limits) {
        Err(ParseError::Invalid(e)) => assert!(e.message.contains("frames"), "{e}"),
        other => panic!("expected the sample bound, got {other:?}"),
    }
    let too_short = r#"{"fps": 1, "keyframes": [{"t": 0, "view": {}}, {"t": 1, "view": {}}]}"#;
    assert_eq!(field_of(too_short), "keyframes[1].t");
}

#[test]
fn spec_malformed_json_is_not_a_field_error() {
    assert!(matches!(
        spec("{\"keyframes\": ["),
        Err(ParseError::Malformed(_))
    ));
}
