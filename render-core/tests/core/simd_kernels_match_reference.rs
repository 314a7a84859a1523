//! The vectorised row kernels return bit-for-bit what the scalar reference returns, on every
//! instruction set this machine offers, for random points, points near the set's boundary, points
//! exactly on the escape circle, `max_iter = 1`, huge escape radii, and every remainder length.

use render_core::escape::{EscapeSample, escape_f32, escape_f64};
use render_core::kernel::{InstructionSet, escape_row_f32_on, escape_row_f64_on};

use crate::rng::Rng;

struct Case {
    xs: Vec<f64>,
    y: f64,
    c: (f64, f64),
    max_iter: u32,
    radius: f64,
}

fn check_f64(case: &Case) {
    let r2 = case.radius * case.radius;
    let expected: Vec<EscapeSample> = case
        .xs
        .iter()
        .map(|&x| escape_f64(x, case.y, case.c.0, case.c.1, case.max_iter, r2))
        .collect();
    for isa in InstructionSet::available() {
        let mut got = vec![EscapeSample::default(); case.xs.len()];
        escape_row_f64_on(
            isa,
            &case.xs,
            case.y,
            case.c.0,
            case.c.1,
            case.max_iter,
            r2,
            &mut got,
        );
        assert_same(&expected, &got, isa, "f64", case);
    }
}

fn check_f32(case: &Case) {
    let xs: Vec<f32> = case.xs.iter().map(|&x| x as f32).collect();
    let (y, cr, ci) = (case.y as f32, case.c.0 as f32, case.c.1 as f32);
    let r2 = (case.radius * case.radius) as f32;
    let expected: Vec<EscapeSample> = xs
        .iter()
        .map(|&x| escape_f32(x, y, cr, ci, case.max_iter, r2))
        .collect();
    for isa in InstructionSet::available() {
        let mut got = vec![EscapeSample::default(); xs.len()];
        escape_row_f32_on(isa, &xs, y, cr, ci, case.max_iter, r2, &mut got);
        assert_same(&expected, &got, isa, "f32", case);
    }
}

fn assert_same(
    expected: &[EscapeSample],
    got: &[EscapeSample],
    isa: InstructionSet,
    what: &str,
    case: &Case,
) {
    for (i, (e, g)) in expected.iter().zip(got).enumerate() {
        let same = e.count == g.count && e.norm2.to_bits() == g.norm2.to_bits();
        assert!(
            same,
            "{isa:?} {what}: point {i} (x={}, y={}, c={:?}, max_iter={}, R={}): expected {e:?}, got {g:?}",
            case.xs[i], case.y, case.c, case.max_iter, case.radius
        );
    }
}

fn check_both(case: &Case) {
    check_f64(case);
    check_f32(case);
}

#[test]
fn random_points_and_parameters_match_bit_for_bit() {
    let mut rng = Rng(1);
    for _ in 0..300 {
        let len = (rng.next_u64() % 200) as usize;
        let case = Case {
            xs: (0..len).map(|_| rng.range(-2.5, 2.5)).collect(),
            y: rng.range(-2.0, 2.0),
            c: (rng.range(-1.0, 0.5), rng.range(-1.0, 1.0)),
            max_iter: 1 + (rng.next_u64() % 300) as u32,
            radius: [2.0, 2.5, 10.0, 1e3][(rng.next_u64() % 4) as usize],
        };
        check_both(&case);
    }
}

#[test]
fn points_near_the_julia_set_boundary_match_bit_for_bit() {
    // A fine grid straddling the boundary of the default set: long, chaotic orbits where any
    // reordering or fused multiply-add would show.
    let c = (-0.8, 0.156);
    for row in 0..40 {
        let y = 0.1 + row as f64 * 1e-4;
        let xs: Vec<f64> = (0..257).map(|i| -0.35 + i as f64 * 3e-5).collect();
        check_both(&Case {
            xs,
            y,
            c,
            max_iter: 5000,
            radius: 2.0,
        });
    }
}

#[test]
fn every_row_length_and_remainder_matches() {
    let mut rng = Rng(7);
    for len in 0..=130 {
        let xs = (0..len).map(|_| rng.range(-1.8, 1.8)).collect();
        check_both(&Case {
            xs,
            y: rng.range(-1.0, 1.0),
            c: (-0.8, 0.156),
            max_iter: 200,
            radius: 2.0,
        });
    }
}

#[test]
fn points_on_the_escape_circle_match_and_do_not_escape_at_zero() {
    // |z0|^2 == R^2 exactly (2^2 = 4): the test is strictly greater, so no escape at k = 0.
    let xs = vec![
        2.0, -2.0, 0.0, 2.0, -2.0, 0.0, 2.0, -2.0, 0.0, 2.0, -2.0, 0.0, 2.0, -2.0, 0.0, 2.0, 2.0,
    ];
    check_both(&Case {
        xs: xs.clone(),
        y: 0.0,
        c: (0.0, 0.0),
        max_iter: 50,
        radius: 2.0,
    });
    for isa in InstructionSet::available() {
        let mut out = vec![EscapeSample::default(); xs.len()];
        escape_row_f64_on(isa, &xs, 0.0, 0.0, 0.0, 1, 4.0, &mut out);
        assert!(out.iter().all(|s| s.count == 1), "{isa:?}: {out:?}");
    }
    let ys = [2.0, -2.0];
    for y in ys {
        check_both(&Case {
            xs: vec![0.0; 33],
            y,
            c: (0.3, -0.1),
            max_iter: 10,
            radius: 2.0,
        });
    }
}

#[test]
fn a_single_iteration_matches() {
    let mut rng = Rng(3);
    let xs = (0..97).map(|_| rng.range(-3.0, 3.0)).collect();
    check_both(&Case {
        xs,
        y: 1.2,
        c: (-0.8, 0.156),
        max_iter: 1,
        radius: 2.0,
    });
}

#[test]
fn huge_escape_radii_match_including_an_infinite_f32_radius_squared() {
    let mut rng = Rng(11);
    for radius in [1e6, 1e18, 1e20, 1e150] {
        let xs = (0..75).map(|_| rng.range(-2.0, 2.0)).collect();
        check_both(&Case {
            xs,
            y: 0.4,
            c: (-0.8, 0.156),
            max_iter: 400,
            radius,
        });
    }
}
