//! Colour mappings (`colour_mapping`, `colour_offset`): each mapping's palette position against
//! a direct computation from its definition, the default leaving every earlier job's hash and JSON
//! as they were, validation naming the field, and stored escape data colouring to the very bytes a
//! fresh render gives.

use std::io::Cursor;

use render_core::{
    Colorizer, ColourMapping, CpuSource, EscapeSample, Flow, ImageStats, Limits, OutputFormat,
    Palette, ParseError, RenderParams, StopFlag, StoredEscapes, canonical_hash, escapes_hash,
    parse_params, render_to_outputs, render_to_writer,
};

const MAX_ITER: u32 = 100;

fn params(mapping: ColourMapping, offset: f64) -> RenderParams {
    RenderParams {
        width: 8,
        height: 1,
        max_iter: MAX_ITER,
        colour_mapping: mapping,
        colour_offset: offset,
        ..RenderParams::default()
    }
}

fn escaped(count: u32) -> EscapeSample {
    EscapeSample { count, norm2: 9.0 }
}

/// Positions of `samples` coloured as one image under `mapping`.
fn positions(mapping: ColourMapping, offset: f64, samples: &[EscapeSample]) -> Vec<Option<f32>> {
    let p = params(mapping, offset).normalized();
    let mut stats = ImageStats::new(MAX_ITER);
    stats.add(samples);
    let colorizer = Colorizer::with_stats(&p, &stats);
    samples
        .iter()
        .map(|s| colorizer.palette_position(*s))
        .collect()
}

fn assert_close(got: &[Option<f32>], want: &[Option<f64>], tolerance: f64) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        match (g, w) {
            (Some(g), Some(w)) => assert!(
                (f64::from(*g) - w).abs() <= tolerance,
                "{got:?} vs {want:?}"
            ),
            (None, None) => {}
            _ => panic!("interior differs: {got:?} vs {want:?}"),
        }
    }
}

const COUNTS: [u32; 7] = [3, 5, 9, 9, 12, 3, MAX_ITER];

fn image() -> Vec<EscapeSample> {
    COUNTS.iter().map(|&k| escaped(k)).collect()
}

#[test]
fn linear_maps_counts_between_the_images_smallest_and_largest() {
    let want: Vec<Option<f64>> = COUNTS
        .iter()
        .map(|&k| (k < MAX_ITER).then(|| f64::from(k - 3) / f64::from(12 - 3)))
        .collect();
    assert_close(
        &positions(ColourMapping::Linear, 0.0, &image()),
        &want,
        1e-6,
    );
}

#[test]
fn log_maps_counts_logarithmically_over_the_images_range() {
    let want: Vec<Option<f64>> = COUNTS
        .iter()
        .map(|&k| (k < MAX_ITER).then(|| (1.0 + f64::from(k - 3)).ln() / 10f64.ln()))
        .collect();
    assert_close(&positions(ColourMapping::Log, 0.0, &image()), &want, 1e-6);
}

#[test]
fn histogram_gives_the_share_of_exterior_samples_that_escaped_sooner() {
    let exterior: Vec<u32> = COUNTS.iter().copied().filter(|&k| k < MAX_ITER).collect();
    let want: Vec<Option<f64>> = COUNTS
        .iter()
        .map(|&k| {
            (k < MAX_ITER)
                .then(|| exterior.iter().filter(|&&j| j < k).count() as f64 / exterior.len() as f64)
        })
        .collect();
    assert_close(
        &positions(ColourMapping::Histogram, 0.0, &image()),
        &want,
        1e-6,
    );
}

#[test]
fn cyclic_repeats_the_smooth_value_with_the_offset() {
    // mu = n + 1 - log2(ln|z| / ln R) with R = 2 (the default escape radius).
    let samples = [
        EscapeSample {
            count: 4,
            norm2: 9.0,
        },
        EscapeSample {
            count: 40,
            norm2: 100.0,
        },
        EscapeSample {
            count: 77,
            norm2: 5.0,
        },
        escaped(MAX_ITER),
    ];
    for offset in [0.0, 0.25, 0.9] {
        let want: Vec<Option<f64>> = samples
            .iter()
            .map(|s| {
                (s.count < MAX_ITER).then(|| {
                    let ln_z = 0.5 * f64::from(s.norm2).ln();
                    let mu = f64::from(s.count) + 1.0 - (ln_z / 2f64.ln()).log2();
                    let cycles = mu / 32.0 + offset;
                    cycles - cycles.floor()
                })
            })
            .collect();
        assert_close(
            &positions(ColourMapping::Cyclic, offset, &samples),
            &want,
            2e-3,
        );
    }
}

#[test]
fn the_default_mapping_hashes_and_serialises_as_before_it_existed() {
    let default = RenderParams::default();
    assert_eq!(canonical_hash(&default), "64a6d6ba72b93facdb196dba321316f7");
    let json = serde_json::to_string(&default).unwrap();
    assert!(!json.contains("colour"), "{json}");
    let linear = params(ColourMapping::Linear, 0.0);
    assert_ne!(
        canonical_hash(&linear),
        canonical_hash(&params(ColourMapping::Smooth, 0.0))
    );
    assert_ne!(
        canonical_hash(&linear),
        canonical_hash(&params(ColourMapping::Log, 0.0))
    );
    assert_ne!(
        canonical_hash(&params(ColourMapping::Cyclic, 0.5)),
        canonical_hash(&params(ColourMapping::Cyclic, 0.25))
    );
    // An offset outside `cyclic` changes nothing, so it is not a different job.
    assert_eq!(
        canonical_hash(&params(ColourMapping::Log, 0.5)),
        canonical_hash(&params(ColourMapping::Log, 0.0))
    );
    let back: RenderParams =
        serde_json::from_str(&serde_json::to_string(&linear).unwrap()).unwrap();
    assert_eq!(back, linear);
}

#[test]
fn colouring_changes_keep_the_escapes_hash() {
    let base = params(ColourMapping::Smooth, 0.0);
    let recoloured = RenderParams {
        palette: Palette::Magma,
        ..params(ColourMapping::Cyclic, 0.3)
    };
    assert_eq!(escapes_hash(&base), escapes_hash(&recoloured));
    assert_ne!(canonical_hash(&base), canonical_hash(&recoloured));
    let other_view = RenderParams {
        max_iter: 101,
        ..base.clone()
    };
    assert_ne!(escapes_hash(&base), escapes_hash(&other_view));
}

#[test]
fn colour_fields_are_validated_by_name() {
    for json in [
        r#"{"colour_offset": 1.0}"#,
        r#"{"colour_offset": -0.1}"#,
        r#"{"colour_offset": "x"}"#,
    ] {
        match parse_params(json, &Limits::default()) {
            Err(ParseError::Invalid(e)) => assert_eq!(e.field, "colour_offset", "{json}"),
            other => panic!("{json}: {other:?}"),
        }
    }
    match parse_params(r#"{"colour_mapping": "rainbow"}"#, &Limits::default()) {
        Err(ParseError::Invalid(e)) => assert_eq!(e.field, "colour_mapping"),
        other => panic!("{other:?}"),
    }
    let ok = parse_params(
        r#"{"colour_mapping": "cyclic", "colour_offset": 0.5}"#,
        &Limits::default(),
    )
    .expect("valid");
    assert_eq!(
        (ok.colour_mapping, ok.colour_offset),
        (ColourMapping::Cyclic, 0.5)
    );
}

fn render_png(params: &RenderParams) -> (Vec<u8>, Vec<u8>) {
    let (mut png, mut escapes) = (Vec::new(), Vec::new());
    render_to_outputs(
        params,
        &mut CpuSource::new(),
        &mut png,
        Some(&mut escapes),
        &StopFlag::new(),
        &mut |_| Flow::Continue,
    )
    .expect("render");
    (png, escapes)
}

#[test]
fn stored_escapes_colour_to_the_bytes_of_a_fresh_render_in_every_mapping() {
    let geometry = RenderParams {
        width: 70,
        height: 50,
        max_iter: 300,
        supersample: 2,
        ..RenderParams::default()
    };
    let (_, escapes) = render_png(&geometry);
    for mapping in ColourMapping::ALL {
        let wanted = RenderParams {
            palette: Palette::Viridis,
            colour_mapping: mapping,
            colour_offset: if mapping == ColourMapping::Cyclic {
                0.4
            } else {
                0.0
            },
            ..geometry.clone()
        };
        let (fresh, _) = render_png(&wanted);
        let mut recoloured = Vec::new();
        let mut stored = StoredEscapes::new(|| Ok(Cursor::new(&escapes[..])));
        let stats = render_to_writer(
            &wanted,
            &mut stored,
            &mut recoloured,
            &StopFlag::new(),
            &mut |_| Flow::Continue,
        )
        .expect("recolour");
        assert_eq!(recoloured, fresh, "{mapping:?}");
        assert!(stats.samples > 0);
    }
    // Counts for npy come out of the same data.
    let npy = RenderParams {
        supersample: 1,
        format: OutputFormat::Npy,
        ..geometry.clone()
    };
    let (_, escapes_1) = render_png(&RenderParams {
        supersample: 1,
        ..geometry
    });
    let (fresh, _) = render_png(&npy);
    let mut from_stored = Vec::new();
    let mut stored = StoredEscapes::new(|| Ok(Cursor::new(&escapes_1[..])));
    render_to_writer(
        &npy,
        &mut stored,
        &mut from_stored,
        &StopFlag::new(),
        &mut |_| Flow::Continue,
    )
    .unwrap();
    assert_eq!(from_stored, fresh);
}

#[test]
fn stored_escapes_of_another_shape_are_refused() {
    let (_, escapes) = render_png(&params(ColourMapping::Smooth, 0.0));
    let mut stored = StoredEscapes::new(|| Ok(Cursor::new(&escapes[..])));
    let other = RenderParams {
        width: 9,
        ..params(ColourMapping::Smooth, 0.0)
    };
    let err = render_to_writer(
        &other,
        &mut stored,
        Vec::new(),
        &StopFlag::new(),
        &mut |_| Flow::Continue,
    )
    .expect_err("shape differs");
    assert!(err.to_string().contains("samples"), "{err}");
}
