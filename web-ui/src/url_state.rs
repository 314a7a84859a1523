//! The view as a URL query string, so a view can be shared, reloaded, and walked with back/forward.
//!
//! Only what the UI edits is written; a missing or unreadable key falls back to the default of
//! that field alone, so a hand-edited or truncated link still opens something sensible.
//! Coordinates are decimals of any length (`x=-7.43643887037158704752191506114774e-1`,
//! `vw=1e-300`), so a deep view survives a reload. `iter` is written only when the user chose the
//! limit; without it the page follows the depth rule (`depth.rs`).

use render_core::{ColourMapping, Coord, Decimal, Palette, RenderParams};

use crate::exact::set_decimal;

/// The query key that names the API base URL; it is carried along but is not part of the view.
pub const API_KEY: &str = "api";

/// The view's query string (without the leading `?`). Coordinates an f64 holds use Rust's
/// shortest round-trip form, so reading the string back gives bit-identical numbers; the others
/// are their exact decimals. `iter` is left out when `iter_auto` (the depth rule sets it).
pub fn to_query(p: &RenderParams, iter_auto: bool) -> String {
    let coord = |coord: Coord| match p.exact.get(coord, coord.f64_in(p)) {
        Some(decimal) => decimal.to_string(),
        None => short_f64(coord.f64_in(p)),
    };
    let iter = if iter_auto {
        String::new()
    } else {
        format!("&iter={}", p.max_iter)
    };
    let mut query = format!(
        "cre={}&cim={}&x={}&y={}&vw={}{iter}&palette={}&w={}&h={}&ss={}",
        coord(Coord::CRe),
        coord(Coord::CIm),
        coord(Coord::CenterRe),
        coord(Coord::CenterIm),
        coord(Coord::ViewWidth),
        p.palette.name(),
        p.width,
        p.height,
        p.supersample
    );
    // The colouring only when not the default, so every earlier link stays as it was.
    if p.colour_mapping != ColourMapping::default() {
        query.push_str(&format!("&map={}", p.colour_mapping.name()));
    }
    if p.colour_offset != 0.0 {
        query.push_str(&format!("&off={}", p.colour_offset));
    }
    query
}

/// An f64 in its shortest round-trip form, with an exponent when it is tiny or huge (`1.8e-33`,
/// not 33 zeros); both forms read back bit for bit.
fn short_f64(x: f64) -> String {
    if x != 0.0 && !(1e-4..1e15).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// Whether a query leaves the iteration limit to the depth rule (it names no `iter`).
pub fn iter_is_auto<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> bool {
    !pairs.into_iter().any(|(key, _)| key == "iter")
}

/// Reads a view from `key=value` pairs (already percent-decoded), starting from the defaults.
pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> RenderParams {
    let mut p = RenderParams::default();
    for (key, value) in pairs {
        let value = value.trim();
        match key {
            "cre" => set_coord(&mut p, Coord::CRe, value),
            "cim" => set_coord(&mut p, Coord::CIm, value),
            "x" => set_coord(&mut p, Coord::CenterRe, value),
            "y" => set_coord(&mut p, Coord::CenterIm, value),
            "vw" => {
                if let Ok(d) = Decimal::parse(value)
                    && !d.is_negative()
                    && !d.is_zero()
                    && d.exponent10() >= crate::exact::MIN_WIDTH_EXP10
                    && d.to_f64().is_finite()
                {
                    set_decimal(&mut p, Coord::ViewWidth, d);
                }
            }
            "iter" => set_positive(&mut p.max_iter, value),
            "palette" => {
                if let Some(palette) = Palette::from_name(value) {
                    p.palette = palette;
                }
            }
            "w" => set_positive(&mut p.width, value),
            "h" => set_positive(&mut p.height, value),
            "ss" => set_positive(&mut p.supersample, value),
            "map" => {
                if let Some(mapping) = ColourMapping::from_name(value) {
                    p.colour_mapping = mapping;
                }
            }
            "off" => {
                if let Ok(v) = value.parse::<f64>()
                    && (0.0..1.0).contains(&v)
                {
                    p.colour_offset = v;
                }
            }
            _ => {}
        }
    }
    p
}

/// Splits a raw query string (`a=1&b=2`, with or without `?`) into pairs without decoding; the
/// view's own keys and values never need percent-encoding.
pub fn split_query(query: &str) -> Vec<(&str, &str)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| kv.split_once('=').unwrap_or((kv, "")))
        .collect()
}

fn set_coord(p: &mut RenderParams, coord: Coord, value: &str) {
    if let Ok(d) = Decimal::parse(value)
        && d.to_f64().is_finite()
    {
        set_decimal(p, coord, d);
    }
}

fn set_positive(field: &mut u32, value: &str) {
    if let Ok(v) = value.parse::<u32>()
        && v > 0
    {
        *field = v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use render_core::Complex;

    #[test]
    fn a_view_survives_the_round_trip_through_the_query_bit_for_bit() {
        let p = RenderParams {
            c: Complex::new(-0.7269, 0.188_888_888_888_9),
            center: Complex::new(0.1 + 0.2, -1e-9),
            view_width: 0.000_123_456_789,
            max_iter: 1234,
            palette: Palette::Magma,
            width: 640,
            height: 360,
            supersample: 3,
            ..RenderParams::default()
        };
        let query = to_query(&p, false);
        let back = from_pairs(split_query(&query));
        assert_eq!(back, p);
        assert_eq!(back.center.re.to_bits(), p.center.re.to_bits());
        assert!(!iter_is_auto(split_query(&query)));
        let tiny = RenderParams {
            view_width: 1.7930540828032184e-33,
            ..RenderParams::default()
        };
        assert!(to_query(&tiny, true).contains("vw=1.7930540828032184e-33"));
    }

    #[test]
    fn a_deep_view_survives_the_round_trip_digit_for_digit() {
        let mut p = RenderParams::default();
        let centre = "-7.436438870371587047521915061147740986e-1";
        set_decimal(&mut p, Coord::CenterRe, Decimal::parse(centre).unwrap());
        set_decimal(
            &mut p,
            Coord::ViewWidth,
            Decimal::parse("1.5e-300").unwrap(),
        );
        let query = to_query(&p, true);
        assert!(query.contains(&format!("x={centre}")), "{query}");
        assert!(query.contains("vw=1.5e-300"), "{query}");
        assert!(iter_is_auto(split_query(&query)));
        let back = from_pairs(split_query(&query));
        assert_eq!(back.decimal(Coord::CenterRe).as_str(), centre);
        assert_eq!(back.decimal(Coord::ViewWidth).as_str(), "1.5e-300");
        assert_eq!(back, p);
    }

    #[test]
    fn the_colouring_survives_the_round_trip_and_stays_out_of_default_links() {
        let p = RenderParams {
            colour_mapping: ColourMapping::Cyclic,
            colour_offset: 0.375,
            ..RenderParams::default()
        };
        assert_eq!(from_pairs(split_query(&to_query(&p, false))), p);
        assert!(!to_query(&RenderParams::default(), true).contains("map="));
        let odd = from_pairs(split_query("map=rainbow&off=1.5"));
        assert_eq!(
            (odd.colour_mapping, odd.colour_offset),
            (ColourMapping::Smooth, 0.0)
        );
    }

    #[test]
    fn unreadable_values_fall_back_to_each_fields_default() {
        let p = from_pairs(split_query(
            "?cre=abc&cim=0.5&vw=-3&iter=0&palette=nope&w=800",
        ));
        assert_eq!(p.c, Complex::new(RenderParams::default().c.re, 0.5));
        assert_eq!(p.view_width, RenderParams::default().view_width);
        assert_eq!(p.max_iter, RenderParams::default().max_iter);
        assert_eq!(p.palette, Palette::default());
        assert_eq!(p.width, 800);
    }

    #[test]
    fn the_api_key_is_ignored_by_the_view() {
        let p = from_pairs(split_query("api=http://h:1&iter=77"));
        assert_eq!(p.max_iter, 77);
        assert_eq!(
            RenderParams {
                max_iter: 77,
                ..RenderParams::default()
            },
            p
        );
    }
}
