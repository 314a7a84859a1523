//! The interpolation curves' promises: constant zoom speed, keyframes hit exactly, a steady
//! centre, smooth c, deep widths.

use crate::{ColourMapping, Coord};

use super::Interpolator;
use crate::animation::spec::{AnimationLimits, AnimationSpec, parse_spec};

fn spec(json: &str) -> AnimationSpec {
    parse_spec(json, &AnimationLimits::default()).expect("valid spec")
}

const ZOOM: &str = r#"{"width": 64, "height": 36, "fps": 10, "keyframes": [
    {"t": 0, "view": {"center": {"re": -0.75, "im": 0.1}, "view_width": 3, "max_iter": 100}},
    {"t": 3, "view": {"center": {"re": -0.74, "im": 0.11}, "view_width": 1e-6, "max_iter": 400}},
    {"t": 5, "view": {"center": {"re": -0.74, "im": 0.11}, "view_width": 1e-9, "max_iter": 400,
        "c": {"re": -0.7, "im": 0.3}, "palette": "magma"}}]}"#;

#[test]
fn interpolate_equal_time_steps_give_equal_width_ratios() {
    let spec = spec(ZOOM);
    let interp = Interpolator::new(&spec);
    // Inside the first segment (t in 0 ..= 3), steps of 0.25 s.
    let widths: Vec<f64> = (0..=12)
        .map(|i| interp.at(f64::from(i) * 0.25).unwrap().view_width)
        .collect();
    let first = widths[1] / widths[0];
    for pair in widths.windows(2) {
        let ratio = pair[1] / pair[0];
        assert!(
            (ratio / first - 1.0).abs() < 1e-9,
            "ratio {ratio} differs from {first}"
        );
    }
    // 3 → 1e-6 in 3 s: each quarter second shrinks by (3e6)^(-1/12).
    assert!((first - 3e6f64.powf(-1.0 / 12.0)).abs() < 1e-9);
}

#[test]
fn interpolate_hits_every_keyframe_exactly() {
    let spec = spec(ZOOM);
    let interp = Interpolator::new(&spec);
    for key in &spec.keyframes {
        assert_eq!(interp.at(key.t).unwrap(), key.params, "at t = {}", key.t);
    }
    assert_eq!(interp.frame(0).unwrap(), spec.keyframes[0].params);
    let last = spec.frame_count() - 1;
    assert_eq!(interp.frame(last).unwrap(), spec.keyframes[2].params);
    assert_eq!(spec.frame_count(), 50);
}

#[test]
fn interpolate_centre_keeps_one_point_still_on_screen() {
    let spec = spec(ZOOM);
    let interp = Interpolator::new(&spec);
    let (a, b) = (&spec.keyframes[0].params, &spec.keyframes[1].params);
    let (wa, wb) = (a.view_width, b.view_width);
    let fixed_re = (a.center.re * wb - b.center.re * wa) / (wb - wa);
    let screen_x = |t: f64| {
        let p = interp.at(t).unwrap();
        (fixed_re - p.center.re) / p.view_width
    };
    let start = screen_x(0.0);
    for t in [0.3, 1.0, 1.7, 2.5, 2.9] {
        assert!(
            (screen_x(t) - start).abs() < 1e-6,
            "the still point moved on screen at t = {t}"
        );
    }
}

#[test]
fn interpolate_c_eases_and_max_iter_is_linear() {
    let spec = spec(ZOOM);
    let interp = Interpolator::new(&spec);
    let middle = interp.at(4.0).unwrap();
    // Two keyframes' worth of c: a smoothstep, at the middle exactly half-way.
    assert!((middle.c.re - (-0.8 + -0.7) / 2.0).abs() < 1e-12);
    assert!((middle.c.im - (0.156 + 0.3) / 2.0).abs() < 1e-12);
    // Smoothstep starts slowly: a tenth of the way in time is 2.8% of the way.
    let early = interp.at(3.2).unwrap();
    assert!((early.c.re - (-0.8 + 0.1 * 0.028)).abs() < 1e-12);
    assert_eq!(interp.at(1.5).unwrap().max_iter, 250);
    // The palette switches at the keyframe that names it.
    assert_eq!(middle.palette, spec.keyframes[1].params.palette);
    assert!(!interp.is_pure_zoom());
}

#[test]
fn interpolate_reaches_deep_widths_as_decimal_strings() {
    let spec = spec(
        r#"{"width": 64, "height": 36, "fps": 10, "keyframes": [
        {"t": 0, "view": {"center": {"re": "-0.743643887037158704752191506114774", "im": "0.131825904205311970493132056385139"}, "view_width": 3}},
        {"t": 10, "view": {"center": {"re": "-0.743643887037158704752191506114774", "im": "0.131825904205311970493132056385139"}, "view_width": "1e-400"}}]}"#,
    );
    let interp = Interpolator::new(&spec);
    assert!(interp.is_pure_zoom());
    let half = interp.at(5.0).unwrap();
    // Geometric: half-way in time is the geometric mean, sqrt(3e-400) ≈ 1.732e-200.
    let width = half.decimal(Coord::ViewWidth);
    assert_eq!(width.exponent10(), -200, "{width}");
    assert!(width.as_str().starts_with("1.732050807568"), "{width}");
    // The deep centre is carried exactly, not through f64.
    assert_eq!(
        half.decimal(Coord::CenterRe),
        spec.keyframes[0].params.decimal(Coord::CenterRe)
    );
    let deeper = interp.at(9.0).unwrap();
    assert!(deeper.decimal(Coord::ViewWidth).exponent10() < -350);
}

#[test]
fn interpolate_refuses_a_moving_centre_below_f64_resolution() {
    let spec = spec(
        r#"{"width": 64, "height": 36, "fps": 10, "keyframes": [
        {"t": 0, "view": {"center": {"re": 0.1, "im": 0}, "view_width": "1e-20"}},
        {"t": 1, "view": {"center": {"re": 0.2, "im": 0}, "view_width": "1e-30"}}]}"#,
    );
    let err = Interpolator::new(&spec).at(0.5).unwrap_err();
    assert_eq!(err.field, "keyframes[1].view.center");
}

#[test]
fn interpolate_c_holds_where_keyframes_hold_it() {
    let spec = spec(
        r#"{"width": 64, "height": 36, "fps": 10, "keyframes": [
        {"t": 0, "view": {"c": {"re": -0.8, "im": 0.156}}},
        {"t": 1, "view": {"c": {"re": -0.8, "im": 0.156}}},
        {"t": 2, "view": {"c": {"re": -0.7, "im": 0.2}}},
        {"t": 3, "view": {"c": {"re": -0.5, "im": 0.2}}}]}"#,
    );
    let interp = Interpolator::new(&spec);
    assert_eq!(interp.at(0.5).unwrap().c, spec.keyframes[0].params.c);
    // Through keyframe 2, c.re keeps rising (a Catmull-Rom tangent), c.im has stopped (zero).
    let after = interp.at(2.1).unwrap();
    assert!(after.c.re > -0.7 + 0.2 * 0.028 + 1e-6, "{}", after.c.re);
    assert_eq!(after.c.im, 0.2);
}

#[test]
fn interpolate_colour_offset_is_linear_and_the_mapping_held() {
    let cycling = r#"{"width": 64, "height": 36, "fps": 10, "keyframes": [
        {"t": 0, "view": {"view_width": 3, "colour_mapping": "cyclic", "colour_offset": 0.1}},
        {"t": 2, "view": {"view_width": 0.5, "colour_mapping": "cyclic", "colour_offset": 0.9}}"#;
    let spec_two = spec(&format!("{cycling}]}}"));
    let interp = Interpolator::new(&spec_two);
    for (t, want) in [(0.5, 0.3), (1.0, 0.5), (1.5, 0.7)] {
        let p = interp.at(t).unwrap();
        assert!(
            (p.colour_offset - want).abs() < 1e-12,
            "offset {} at t = {t}",
            p.colour_offset
        );
        assert_eq!(p.colour_mapping, ColourMapping::Cyclic);
    }
    // Only the width and the offset change: the colours differ from frame to frame, so this is
    // not a pure zoom (the fast zoom would colour every frame alike).
    assert!(!interp.is_pure_zoom());

    // A third keyframe with another mapping: the earlier keyframe's holds until it.
    let spec_three = spec(&format!(
        r#"{cycling}, {{"t": 3, "view": {{"view_width": 0.5, "colour_mapping": "histogram"}}}}]}}"#
    ));
    let interp = Interpolator::new(&spec_three);
    assert_eq!(
        interp.at(2.5).unwrap().colour_mapping,
        ColourMapping::Cyclic
    );
    assert_eq!(
        interp.at(3.0).unwrap().colour_mapping,
        ColourMapping::Histogram
    );
}
