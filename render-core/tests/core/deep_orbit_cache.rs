//! The reference-orbit cache of deep zoom: a repeated view (another job, a preview, the next band)
//! reuses its orbits instead of recomputing them, and a stop raised while an orbit is computed
//! ends the preparation instead of finishing thousands of high-precision iterations.

use render_core::deep::DeepView;
use render_core::{Limits, StopFlag, parse_params};

fn deep_view_json(centre_im: &str, max_iter: u32) -> String {
    format!(
        r#"{{"width": 16, "height": 12, "max_iter": {max_iter}, "view_width": "1e-400",
            "center": {{"re": "0.0468774661905334545519102644967660363829053979294365",
                        "im": "{centre_im}"}}}}"#
    )
}

#[test]
fn a_repeated_view_reuses_its_orbits() {
    let json = deep_view_json("-0.85422515502645976452226387428723218", 800);
    let params = parse_params(&json, &Limits::default()).unwrap();
    let first = DeepView::prepare(&params, &StopFlag::new()).expect("not stopped");
    let before = render_core::deep::orbit_cache_stats();
    let again = DeepView::prepare(&params, &StopFlag::new()).expect("not stopped");
    let after = render_core::deep::orbit_cache_stats();
    assert!(
        !first.orbit_time.is_zero(),
        "the first view computes its orbits"
    );
    assert!(
        again.orbit_time.is_zero(),
        "the second finds both in the cache"
    );
    assert!(after.hits >= before.hits + 2);
    assert_eq!(first.orbit_lengths(), again.orbit_lengths());
    // A shorter max_iter is served by the longer orbit, seen only up to its own length.
    let shorter = parse_params(
        &deep_view_json("-0.85422515502645976452226387428723218", 300),
        &Limits::default(),
    )
    .unwrap();
    let short = DeepView::prepare(&shorter, &StopFlag::new()).expect("not stopped");
    assert!(short.orbit_time.is_zero());
    assert!(short.orbit_lengths().0 <= 301);
}

#[test]
fn a_raised_stop_ends_the_orbit_computation() {
    let json = deep_view_json("-0.8542251550264597645222638742872321777", 1_000_000);
    let params = parse_params(&json, &Limits::default()).unwrap();
    let stop = StopFlag::new();
    stop.stop();
    assert!(DeepView::prepare(&params, &stop).is_none());
}
