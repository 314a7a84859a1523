//! The integer fields of `RenderParams` read as JSON Schema reads integers: `56550.0` is the
//! whole number 56550 (the OpenAPI document types them `integer`), while `1.5` or `-1` are refused
//! with the field named.

use std::fmt;

use serde::Deserializer;
use serde::de::{Error, Unexpected, Visitor};

/// Deserialises a `u32` from a JSON integer or a float with no fractional part.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    deserializer.deserialize_any(WholeNumber)
}

struct WholeNumber;

impl Visitor<'_> for WholeNumber {
    type Value = u32;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a whole number from 0 to 4294967295")
    }

    fn visit_u64<E: Error>(self, v: u64) -> Result<u32, E> {
        u32::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_i64<E: Error>(self, v: i64) -> Result<u32, E> {
        u32::try_from(v).map_err(|_| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_f64<E: Error>(self, v: f64) -> Result<u32, E> {
        if v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
            Ok(v as u32)
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Limits, ParseError, parse_params};

    #[test]
    fn an_integral_float_is_a_whole_number_and_a_fraction_is_refused() {
        let p = parse_params(
            r#"{"width": 64.0, "height": 4.8e1, "max_iter": 1e3}"#,
            &Limits::default(),
        )
        .unwrap();
        assert_eq!((p.width, p.height, p.max_iter), (64, 48, 1000));
        for (json, field) in [
            (r#"{"width": 64.5}"#, "width"),
            (r#"{"height": -1}"#, "height"),
            (r#"{"supersample": 4294967296.0}"#, "supersample"),
            (r#"{"max_iter": "9"}"#, "max_iter"),
        ] {
            match parse_params(json, &Limits::default()) {
                Err(ParseError::Invalid(err)) => assert_eq!(err.field, field, "{json}"),
                other => panic!("{json}: {other:?}"),
            }
        }
    }
}
