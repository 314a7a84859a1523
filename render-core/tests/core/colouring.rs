//! Colouring: palette ends match matplotlib, the interior gets the palette's darkest colour,
//! supersamples average in linear light, and the colouring is smooth in the escape value.

use render_core::{Colorizer, EscapeSample, Palette, RenderParams};

fn colorizer(palette: Palette, supersample: u32, width: u32) -> Colorizer {
    Colorizer::new(&RenderParams {
        width,
        height: 1,
        palette,
        supersample,
        max_iter: 500,
        ..RenderParams::default()
    })
}

/// RGB of each sample coloured on its own (one sample per pixel).
fn colours(palette: Palette, samples: &[EscapeSample]) -> Vec<[u8; 3]> {
    let mut rgba = Vec::new();
    colorizer(palette, 1, samples.len() as u32).colour_band(samples, 1, &mut rgba);
    assert!(rgba.chunks_exact(4).all(|p| p[3] == 255), "opaque");
    rgba.chunks_exact(4).map(|p| [p[0], p[1], p[2]]).collect()
}

/// Escapes immediately and far: smooth value 0, the palette's first colour.
const FIRST: EscapeSample = EscapeSample {
    count: 0,
    norm2: 1e6,
};
/// Escapes at the last step just past the radius: smooth value 1, the palette's last colour.
const LAST: EscapeSample = EscapeSample {
    count: 499,
    norm2: 4.0001,
};
const INTERIOR: EscapeSample = EscapeSample {
    count: 500,
    norm2: 0.1,
};

#[test]
fn palette_ends_match_matplotlib() {
    // matplotlib: viridis(0) = (0.267, 0.005, 0.329), viridis(1) = (0.993, 0.906, 0.144),
    // magma(1) = (0.987, 0.991, 0.750), Oranges(0) = (1.0, 0.961, 0.922).
    assert_eq!(
        colours(Palette::Viridis, &[FIRST, LAST]),
        [[68, 1, 84], [253, 231, 37]]
    );
    assert_eq!(colours(Palette::Magma, &[LAST]), [[252, 253, 191]]);
    assert_eq!(colours(Palette::Oranges, &[FIRST]), [[255, 245, 235]]);
}

fn luminance(c: [u8; 3]) -> f32 {
    0.2126 * f32::from(c[0]) + 0.7152 * f32::from(c[1]) + 0.0722 * f32::from(c[2])
}

#[test]
fn the_interior_is_no_brighter_than_any_colour_of_its_palette() {
    let escaped: Vec<EscapeSample> = (0..499)
        .map(|n| EscapeSample {
            count: n,
            norm2: 5.0,
        })
        .collect();
    for palette in Palette::ALL {
        let interior = colours(palette, &[INTERIOR])[0];
        for c in colours(palette, &escaped) {
            // Allow one level: the interior is a palette entry, escaped colours interpolate.
            assert!(
                luminance(c) + 1.0 >= luminance(interior),
                "{palette:?}: {c:?} darker than interior {interior:?}"
            );
        }
    }
}

fn srgb_to_linear(c: u8) -> f64 {
    let c = f64::from(c) / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn linear_to_srgb8(c: f64) -> f64 {
    let s = if c <= 0.0031308 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    };
    s * 255.0
}

#[test]
fn supersamples_average_in_linear_light_not_in_srgb() {
    // One 2x2 pixel: two interior samples (near black in magma) and two bright ones.
    let samples = [INTERIOR, LAST, LAST, INTERIOR];
    let dark = colours(Palette::Magma, &[INTERIOR])[0];
    let bright = colours(Palette::Magma, &[LAST])[0];
    let mut rgba = Vec::new();
    colorizer(Palette::Magma, 2, 1).colour_band(&samples, 1, &mut rgba);
    for k in 0..3 {
        let linear_mean = (srgb_to_linear(dark[k]) + srgb_to_linear(bright[k])) / 2.0;
        let expected = linear_to_srgb8(linear_mean);
        let got = f64::from(rgba[k]);
        assert!(
            (got - expected).abs() <= 1.0,
            "channel {k}: got {got}, expected {expected}"
        );
    }
    let srgb_mean_green = (f64::from(dark[1]) + f64::from(bright[1])) / 2.0;
    assert!(
        f64::from(rgba[1]) > srgb_mean_green + 40.0,
        "a half-interior pixel must be lighter than the sRGB mean ({} vs {srgb_mean_green})",
        rgba[1]
    );
}

#[test]
fn colour_changes_smoothly_with_the_escape_value() {
    // Consecutive counts with the norm sweeping the escape annulus: no jumps between neighbours.
    let mut samples = Vec::new();
    for n in 3..60 {
        for k in (0..8).rev() {
            let norm2 = 4.0f32 * (4.0f32).powf(k as f32 / 8.0 * 2.0);
            samples.push(EscapeSample { count: n, norm2 });
        }
    }
    let cs = colours(Palette::Viridis, &samples);
    for pair in cs.windows(2) {
        let jump = (0..3)
            .map(|k| (i32::from(pair[0][k]) - i32::from(pair[1][k])).abs())
            .max();
        assert!(
            jump.unwrap() <= 12,
            "colour jumped from {:?} to {:?}",
            pair[0],
            pair[1]
        );
    }
}
