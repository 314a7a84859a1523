//! The exponential map's geometry, kernel and resampling against direct renders.

use super::resample::{Core, Resampler, StripSet};
use super::{ExpMap, Side};
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
fn expmap_rings_are_frame_edges_one_pixel_apart_and_an_octave_a_strip() {
    let params = zoom_params();
    let map = ExpMap::new(&params, 3.0, 3e-4).unwrap();
    let (cx, cy) = (params.center.re, params.center.im);
    // The right edge's rings: x offset halves every rows_per_octave rings.
    let right = *map.edge(Side::Right);
    let across = |row: u64| map.point(Side::Right, row, 0).0 - cx;
    let ratio = across(0) / across(u64::from(right.rows_per_octave));
    assert!((ratio - 2.0).abs() < 1e-9, "an octave spans {ratio}");
    // Ring 0 lies just outside the widest frame's right edge (half its width, 48 pixels of
    // 3/96), within one ring step.
    let edge_x = 1.5;
    assert!(across(0) > edge_x && across(0) < edge_x * (1.0 + 2.0 * right.step()));
    // At its own frame, a ring's samples are at most one pixel apart along the edge and
    // across rings: pixel step σ = x offset / 48 for the right edge.
    let sigma = across(0) / 48.0;
    let along = map.point(Side::Right, 0, 1).1 - map.point(Side::Right, 0, 0).1;
    assert!(
        along > 0.0 && along <= sigma * 1.0001,
        "{along} along, pixel {sigma}"
    );
    assert!((across(0) - across(1)) <= sigma * 1.0001);
    // Left edge mirrors the right; top and bottom edges sit at half the height (27 pixels).
    let (left_x, _) = map.point(Side::Left, 0, 0);
    assert!(((cx - left_x) - across(0)).abs() < 1e-12);
    let top = map.point(Side::Top, 0, 0).1 - cy;
    let top_edge = map.edge(Side::Top);
    assert!(top > 27.0 * 3.0 / 96.0 && top < 27.0 * 3.0 / 96.0 * (1.0 + 2.0 * top_edge.step()));
    assert_eq!(top_edge.samples % 16, 0);
    assert!(top_edge.samples >= 96 && right.samples >= 54);
    // Down to the core's edge (3e-4 wide): log2(3/3e-4) octaves, and at most one more.
    let octaves = (3.0f64 / 3e-4).log2();
    assert!(f64::from(map.octaves()) >= octaves && f64::from(map.octaves()) < octaves + 1.1);
}

#[test]
fn expmap_strip_samples_follow_the_escape_rule() {
    let params = zoom_params();
    let map = ExpMap::new(&params, 3.0, 3e-4).unwrap();
    let mut samples = vec![EscapeSample::default(); map.strip_len()];
    map.compute_strip(3, &mut samples, &StopFlag::new());
    let mut plane_start = 0;
    for side in Side::ALL {
        let edge = *map.edge(side);
        let first_row = 3 * u64::from(edge.rows_per_octave);
        for (row, col) in [
            (0u32, 0u32),
            (5, 17),
            (edge.rows_per_octave - 1, edge.samples - 1),
        ] {
            let (x, y) = map.point(side, first_row + u64::from(row), col);
            let want = escape_f64(x, y, params.c.re, params.c.im, params.max_iter, 4.0);
            let at = plane_start + (row * edge.samples + col) as usize;
            assert_eq!(samples[at], want, "{side:?} ring {row} sample {col}");
        }
        plane_start += edge.plane_len();
    }
    assert_eq!(plane_start, map.strip_len());
}

#[test]
fn expmap_resampled_frames_match_direct_renders() {
    // An even size, and an odd one whose middle pixel lies on the zoom's centre.
    for (width, height) in [(96, 54), (75, 41)] {
        let params = RenderParams {
            width,
            height,
            ..zoom_params()
        };
        resampled_frames_match_direct_renders(&params);
    }
}

fn resampled_frames_match_direct_renders(params: &RenderParams) {
    let (widest, narrowest) = (3.0, 3e-4);
    let map = ExpMap::new(params, widest, narrowest).unwrap();
    let mut resampler = Resampler::new(&map);
    let core_rgba = direct(params, narrowest);
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
        let error_at = |factor: f64| mean_abs_diff(&frame, &direct(params, width * factor));
        let error = error_at(1.0);
        let (smaller, larger, far) = (error_at(0.97), error_at(1.03), error_at(1.15));
        assert!(
            error < smaller && error < larger && error < 0.75 * far,
            "{}×{} width {width}: off by {error}; against 3% narrower {smaller}, wider {larger}, \
             15% {far}",
            params.width,
            params.height
        );
    }
}

#[test]
fn expmap_is_refused_where_frames_need_deep_precision_or_their_own_counts() {
    let params = zoom_params();
    assert!(ExpMap::new(&params, 3.0, 1e-15).is_none());
    assert!(ExpMap::new(&params, 3.0, 0.0).is_none());
    assert!(ExpMap::new(&params, 1.0, 3.0).is_none());
    // Colours from each frame's own counts: a strip cannot stand for a frame.
    for mapping in crate::ColourMapping::ALL {
        let params = RenderParams {
            colour_mapping: mapping,
            ..zoom_params()
        };
        let map = ExpMap::new(&params, 3.0, 1e-3);
        assert_eq!(map.is_none(), mapping.needs_image_stats(), "{mapping:?}");
    }
}
