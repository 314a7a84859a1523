//! The exponential map's geometry, kernel and resampling against direct renders.

use super::ExpMap;
use super::resample::{Core, Resampler, StripSet};
use crate::escape::{EscapeSample, escape_f64};
use crate::params::RenderParams;
use crate::stop::StopFlag;
use crate::{CpuSource, render_rgba};

/// A zoom towards the β fixed point `(1 + √(1 − 4c)) / 2` of the default c, which is on the
/// Julia set (a repelling fixed point), so every depth shows detail.
fn zoom_params() -> RenderParams {
    let c = RenderParams::default().c;
    // √(1 − 4c) for c = a + bi.
    let (re, im) = (1.0 - 4.0 * c.re, -4.0 * c.im);
    let modulus = (re * re + im * im).sqrt();
    let (s_re, s_im) = (
        ((modulus + re) / 2.0).sqrt(),
        ((modulus - re) / 2.0).sqrt() * im.signum(),
    );
    RenderParams {
        width: 96,
        height: 54,
        max_iter: 200,
        center: crate::Complex::new((1.0 + s_re) / 2.0, s_im / 2.0),
        ..RenderParams::default()
    }
}

fn direct(params: &RenderParams, view_width: f64) -> Vec<u8> {
    let mut rgba = Vec::new();
    let frame = RenderParams {
        view_width,
        ..params.clone()
    };
    render_rgba(&frame, &mut CpuSource::new(), &StopFlag::new(), &mut rgba).unwrap();
    rgba
}

fn mean_abs_diff(a: &[u8], b: &[u8]) -> f64 {
    let sum: u64 = a
        .iter()
        .zip(b)
        .map(|(x, y)| u64::from(x.abs_diff(*y)))
        .sum();
    sum as f64 / a.len() as f64
}

#[test]
fn expmap_octaves_span_a_factor_of_two_with_square_cells() {
    let params = zoom_params();
    let map = ExpMap::new(&params, 3.0, 3e-4).unwrap();
    let radius = |row: u64| {
        let (x, y) = map.point(row, 0);
        ((x - params.center.re).powi(2) + (y - params.center.im).powi(2)).sqrt()
    };
    let ratio = radius(0) / radius(u64::from(map.rows_per_octave()));
    assert!((ratio - 2.0).abs() < 0.02, "an octave spans {ratio}");
    // One frame pixel of the widest frame at the outermost radius: 2π·R samples around.
    let half_diagonal = 0.5 * (96f64.powi(2) + 54f64.powi(2)).sqrt();
    assert_eq!(
        map.angles(),
        (std::f64::consts::TAU * half_diagonal).ceil() as u32
    );
    // Down to the core's inscribed circle (26 core pixels): log2(3/3e-4 · 55.07/26) octaves.
    let octaves = (3.0 / 3e-4 * half_diagonal / 26.0).log2();
    assert!(f64::from(map.octaves()) >= octaves && f64::from(map.octaves()) < octaves + 1.1);
}

#[test]
fn expmap_strip_samples_follow_the_escape_rule() {
    let params = zoom_params();
    let map = ExpMap::new(&params, 3.0, 3e-4).unwrap();
    let mut samples = vec![EscapeSample::default(); map.strip_len()];
    map.compute_strip(3, &mut samples, &StopFlag::new());
    let first_row = 3 * u64::from(map.rows_per_octave());
    for (row, col) in [
        (0u64, 0u32),
        (5, 17),
        (map.rows_per_octave() as u64 - 1, map.angles() - 1),
    ] {
        let (x, y) = map.point(first_row + row, col);
        let want = escape_f64(x, y, params.c.re, params.c.im, params.max_iter, 4.0);
        assert_eq!(
            samples[row as usize * map.angles() as usize + col as usize],
            want
        );
    }
}

#[test]
fn expmap_resampled_frames_match_direct_renders() {
    let params = zoom_params();
    let (widest, narrowest) = (3.0, 3e-4);
    let map = ExpMap::new(&params, widest, narrowest).unwrap();
    let resampler = Resampler::new(&map);
    let core_rgba = direct(&params, narrowest);
    let core = Core {
        rgba: &core_rgba,
        view_width: narrowest,
    };
    let mut strips = StripSet::default();
    for width in [3.0, 0.05, 1.3e-3, 4e-4, 3e-4] {
        let needed = resampler.octaves_for(&map, width);
        assert!(needed.len() <= 10, "{needed:?} strips for one frame");
        strips
            .keep(&map, needed, |o| {
                Ok::<_, ()>(map.render_strip(o, &StopFlag::new()))
            })
            .unwrap();
        let mut frame = Vec::new();
        resampler.frame(&map, &strips, &core, width, &mut frame);
        // Bilinear resampling blurs a fractal's finest detail, so the frame is not equal to a
        // direct render; but it must be nearer the direct render of its own width than of a
        // width 3% off either way (a wrong scale, offset or orientation is not), and much nearer
        // than a frame 15% off.
        let error_at = |factor: f64| mean_abs_diff(&frame, &direct(&params, width * factor));
        let error = error_at(1.0);
        let (smaller, larger, far) = (error_at(0.97), error_at(1.03), error_at(1.15));
        assert!(
            error < smaller && error < larger && error < 0.75 * far,
            "width {width}: off by {error}; against 3% narrower {smaller}, wider {larger}, 15% {far}"
        );
    }
}

#[test]
fn expmap_is_refused_where_frames_need_deep_precision() {
    let params = zoom_params();
    assert!(ExpMap::new(&params, 3.0, 1e-15).is_none());
    assert!(ExpMap::new(&params, 3.0, 0.0).is_none());
    assert!(ExpMap::new(&params, 1.0, 3.0).is_none());
}
