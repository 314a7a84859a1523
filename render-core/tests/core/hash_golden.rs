//! The canonical hash: pinned golden values (a change here breaks every cached result, so it must
//! be deliberate) and the invariants deduplication relies on.

use render_core::{Complex, OutputFormat, Palette, Precision, RenderParams, canonical_hash};

#[test]
fn golden_hashes_are_stable() {
    let default = RenderParams::default();
    let npy = RenderParams {
        width: 640,
        height: 480,
        c: Complex::new(0.285, 0.01),
        max_iter: 2000,
        format: OutputFormat::Npy,
        ..RenderParams::default()
    };
    let deep = RenderParams {
        center: Complex::new(-0.1, 0.65),
        view_width: 1e-9,
        palette: Palette::Magma,
        supersample: 3,
        escape_radius: 100.0,
        ..RenderParams::default()
    };
    assert_eq!(canonical_hash(&default), "64a6d6ba72b93facdb196dba321316f7");
    assert_eq!(canonical_hash(&npy), "0a9985b5aa30bc32e8693763f34032d9");
    assert_eq!(canonical_hash(&deep), "1ffee8b31e25da178a635a07871ae58c");
}

#[test]
fn hash_is_32_lowercase_hex_digits() {
    let h = canonical_hash(&RenderParams::default());
    assert_eq!(h.len(), 32);
    assert!(
        h.chars()
            .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
        "{h}"
    );
}

#[test]
fn auto_precision_hashes_like_the_precision_it_resolves_to() {
    let auto = RenderParams::default();
    let resolved = RenderParams {
        precision: auto.resolved_precision(),
        ..auto.clone()
    };
    assert_ne!(resolved.precision, Precision::Auto);
    assert_eq!(canonical_hash(&auto), canonical_hash(&resolved));
    let deep_auto = RenderParams {
        view_width: 1e-12,
        ..RenderParams::default()
    };
    let deep_f64 = RenderParams {
        precision: Precision::F64,
        ..deep_auto.clone()
    };
    assert_eq!(canonical_hash(&deep_auto), canonical_hash(&deep_f64));
}

#[test]
fn negative_zero_hashes_like_zero() {
    let zero = RenderParams {
        c: Complex::new(0.0, 0.0),
        ..RenderParams::default()
    };
    let negative = RenderParams {
        c: Complex::new(-0.0, -0.0),
        center: Complex::new(-0.0, -0.0),
        ..RenderParams::default()
    };
    assert_eq!(canonical_hash(&zero), canonical_hash(&negative));
}

#[test]
fn the_palette_of_an_npy_render_does_not_change_its_hash() {
    let a = RenderParams {
        format: OutputFormat::Npy,
        palette: Palette::Viridis,
        ..RenderParams::default()
    };
    let b = RenderParams {
        palette: Palette::Ocean,
        ..a.clone()
    };
    assert_eq!(canonical_hash(&a), canonical_hash(&b));
}

#[test]
fn changing_any_field_changes_the_hash() {
    let base = RenderParams::default();
    let variants: Vec<(&str, RenderParams)> = vec![
        (
            "width",
            RenderParams {
                width: 1025,
                ..base.clone()
            },
        ),
        (
            "height",
            RenderParams {
                height: 769,
                ..base.clone()
            },
        ),
        (
            "c.re",
            RenderParams {
                c: Complex::new(-0.7999999, 0.156),
                ..base.clone()
            },
        ),
        (
            "c.im",
            RenderParams {
                c: Complex::new(-0.8, 0.157),
                ..base.clone()
            },
        ),
        (
            "center.re",
            RenderParams {
                center: Complex::new(1e-300, 0.0),
                ..base.clone()
            },
        ),
        (
            "center.im",
            RenderParams {
                center: Complex::new(0.0, 0.5),
                ..base.clone()
            },
        ),
        (
            "view_width",
            RenderParams {
                view_width: 3.0000001,
                ..base.clone()
            },
        ),
        (
            "max_iter",
            RenderParams {
                max_iter: 501,
                ..base.clone()
            },
        ),
        (
            "escape_radius",
            RenderParams {
                escape_radius: 2.5,
                ..base.clone()
            },
        ),
        (
            "palette",
            RenderParams {
                palette: Palette::Turbo,
                ..base.clone()
            },
        ),
        (
            "supersample",
            RenderParams {
                supersample: 2,
                ..base.clone()
            },
        ),
        (
            "precision",
            RenderParams {
                precision: Precision::F64,
                ..base.clone()
            },
        ),
        (
            "format",
            RenderParams {
                format: OutputFormat::Npy,
                ..base.clone()
            },
        ),
    ];
    let base_hash = canonical_hash(&base);
    let mut seen = std::collections::HashSet::new();
    for (field, params) in &variants {
        let h = canonical_hash(params);
        assert_ne!(h, base_hash, "changing {field} kept the hash");
        assert!(
            seen.insert(h),
            "changing {field} collided with another variant"
        );
    }
}
