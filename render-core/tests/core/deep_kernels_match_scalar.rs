//! The vectorised deep-zoom row loop returns bit for bit what the scalar perturbation loop
//! returns, on every instruction set this machine offers: for real deep views (1e-30 to 1e-1000,
//! including one whose reference orbit escapes early), and for made-up orbits and offsets that
//! force every event the loop has: escapes, `max_iter`, rebases, the ends of both orbits, offsets
//! that start below f64's range and offsets that shrink into it mid-loop.

use render_core::deep::{BlaTable, DeepView, FloatExp, OrbitView, PerturbRow};
use render_core::kernel::{InstructionSet, perturb_row_on};
use render_core::{EscapeSample, RenderParams, StopFlag};

use crate::rng::Rng;

/// Every instruction set's samples equal the scalar loop's, for rows of several lengths.
fn check(row: &PerturbRow<'_>, deltas: &[FloatExp], what: &str) {
    let expected: Vec<EscapeSample> = deltas.iter().map(|&d| row.sample(d)).collect();
    for isa in InstructionSet::available() {
        for len in [1, 2, 3, 5, 17, deltas.len()] {
            let len = len.min(deltas.len());
            let mut got = vec![EscapeSample::default(); len];
            perturb_row_on(isa, row, &deltas[..len], &mut got);
            for (i, (e, g)) in expected.iter().zip(&got).enumerate() {
                assert!(
                    e.count == g.count && e.norm2.to_bits() == g.norm2.to_bits(),
                    "{what}, {isa:?}, row of {len}, sample {i}: expected {e:?}, got {g:?}"
                );
            }
        }
    }
}

fn view_params(view_width: &str, max_iter: u32, c: (f64, f64), center: (f64, f64)) -> RenderParams {
    let json = format!(
        r#"{{"width": 48, "height": 6, "c": {{"re": {}, "im": {}}},
            "center": {{"re": {}, "im": {}}}, "view_width": "{view_width}",
            "max_iter": {max_iter}, "precision": "deep"}}"#,
        c.0, c.1, center.0, center.1
    );
    serde_json::from_str::<RenderParams>(&json)
        .expect("params")
        .normalized()
}

#[test]
fn real_deep_views_match_the_scalar_loop() {
    let cases = [
        ("1e-30", 1500, (-0.74609375, 0.125), (1.5, -0.0625)),
        ("1e-100", 3000, (-0.74609375, 0.125), (1.5, -0.0625)),
        ("1e-300", 8000, (-0.8, 0.156), (0.0, 0.0)),
        ("1e-1000", 26000, (-0.74609375, 0.125), (1.5, -0.0625)),
        // c outside the Mandelbrot set: the zero orbit escapes, so rebased samples reach its end.
        ("1e-40", 2000, (0.3, 0.5), (0.1, 0.05)),
        // A short max_iter: samples stop at max_iter, some right at the linear start.
        ("1e-60", 40, (-0.74609375, 0.125), (1.5, -0.0625)),
    ];
    for (width, max_iter, c, center) in cases {
        let params = view_params(width, max_iter, c, center);
        let view = DeepView::prepare(&params, &StopFlag::new()).expect("prepared");
        let row = view.perturb_row();
        for sy in 0..params.height {
            let deltas: Vec<FloatExp> = (0..params.width)
                .map(|sx| view.start_factor().times(view.sample_offset(sx, sy)))
                .collect();
            check(&row, &deltas, &format!("view {width}, row {sy}"));
        }
    }
}

#[test]
fn made_up_orbits_exercise_every_event() {
    let mut rng = Rng(7);
    for case in 0..40 {
        // Orbit points of every size from tiny to beyond the escape radius; the zero orbit
        // starts at 0 as a real one does (a real orbit never sits at 0 twice in a row, which
        // would square an offset's exponent step after step).
        let orbit = |rng: &mut Rng, len: usize| -> Vec<[f64; 2]> {
            (0..len)
                .map(|_| match rng.next_u64() % 8 {
                    0 | 1 => [rng.range(-1e-3, 1e-3), rng.range(-1e-3, 1e-3)],
                    2 => [rng.range(-3.0, 3.0), rng.range(-3.0, 3.0)],
                    _ => [rng.range(-1.2, 1.2), rng.range(-1.2, 1.2)],
                })
                .collect()
        };
        let main_len = 1 + (rng.next_u64() % 300) as usize;
        let zero_len = 1 + (rng.next_u64() % 300) as usize;
        let (main, mut zero) = (orbit(&mut rng, main_len), orbit(&mut rng, zero_len));
        zero[0] = [0.0, 0.0];
        let start = (rng.next_u64() % main_len as u64) as u32;
        let r2 = [4.0, 16.0, 1e6][case % 3];
        let zero_view = OrbitView {
            points: &zero,
            tiny: &[],
        };
        let table = BlaTable::new(zero_view, r2);
        let row = PerturbRow {
            main: OrbitView {
                points: &main,
                tiny: &[],
            },
            zero: OrbitView {
                points: &zero,
                tiny: &[],
            },
            start,
            max_iter: start + (rng.next_u64() % 400) as u32,
            r2,
            bla: (case % 2 == 0).then_some(&table),
        };
        let deltas: Vec<FloatExp> = (0..70)
            .map(|_| {
                // Offsets from f64 scale down to well below 2^-500, and near the hand-over line.
                let exp = match rng.next_u64() % 4 {
                    0 => -((rng.next_u64() % 60) as i32),
                    1 => -480 - (rng.next_u64() % 40) as i32,
                    2 => -((rng.next_u64() % 3000) as i32),
                    _ => -((rng.next_u64() % 200) as i32),
                };
                FloatExp::new(rng.range(-1.0, 1.0), rng.range(-1.0, 1.0), exp)
            })
            .collect();
        check(&row, &deltas, &format!("made-up case {case}"));
    }
}

#[test]
fn an_offset_that_leaves_f64s_range_and_grows_back_is_handed_over() {
    // 70 reference points near 0 shrink every offset by about 2^-9 a step, from 2^-480 to below
    // the smallest f64; 1100 points at 1.9 then grow it by 3.8 a step until it escapes. Only the
    // extended-range hand-over keeps the offset alive through the first part.
    let main: Vec<[f64; 2]> = (0..70)
        .map(|_| [1e-3, 0.0])
        .chain((0..1100).map(|_| [1.9, 0.0]))
        .collect();
    let zero = vec![[0.0, 0.0], [1.9, 0.0]];
    let row = PerturbRow {
        main: OrbitView {
            points: &main,
            tiny: &[],
        },
        zero: OrbitView {
            points: &zero,
            tiny: &[],
        },
        start: 0,
        max_iter: 1169,
        r2: 4.0,
        bla: None,
    };
    let deltas: Vec<FloatExp> = (0..9)
        .map(|i| FloatExp::new(1.0 + f64::from(i) / 8.0, 0.25, -480))
        .collect();
    let escaped = deltas
        .iter()
        .filter(|&&d| row.sample(d).count < row.max_iter)
        .count();
    assert!(escaped > 0, "the case must make offsets escape");
    check(&row, &deltas, "shrinking then growing offset");
}
