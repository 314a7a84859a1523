//! `Decimal`: a coordinate written as a decimal string of any precision (issue 13, docs/DESIGN.md §3).
//!
//! JSON numbers are f64s; a deep view needs more digits than an f64 holds, so `c`, `center` and
//! `view_width` may also be decimal strings. A `Decimal` keeps the value exactly as written, in
//! one canonical text form (the form Rust's `{:e}` gives an f64: `5e-1`, `-7.4364e-1`, `0e0`), so
//! that `0.5`, `"0.5"` and `"5e-1"` are one value with one hash.

use std::fmt;
use std::sync::Arc;

/// Longest accepted decimal string, in characters: enough for any depth the renderer supports
/// (1e-2000 needs about 2000 significant digits at most), and it bounds parsing and hashing.
pub const MAX_DECIMAL_LEN: usize = 2000;

/// An exact decimal number.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    /// The canonical text: `[-]d[.ddd]e<exp>`, no leading or trailing zeros in the digits.
    canonical: Arc<str>,
    /// Nearest f64 (0 or ±inf where the exponent is beyond f64's range).
    approx: F64Bits,
}

/// An f64 compared by bits, so `Decimal` can be `Eq` and `Hash`.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct F64Bits(u64);

/// Why a string is not a decimal number; the caller names the field.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    #[error("is longer than {MAX_DECIMAL_LEN} characters")]
    TooLong,
    #[error("is not a decimal number (expected digits like \"-0.75\" or \"1.5e-300\")")]
    Syntax,
    #[error("has an exponent out of range")]
    ExponentRange,
    #[error("must be a finite number")]
    NotFinite,
}

impl Decimal {
    /// Parses a decimal in JSON-number syntax (an optional sign, digits with an optional point,
    /// an optional exponent). Leading and trailing zeros are not significant.
    pub fn parse(text: &str) -> Result<Decimal, DecimalError> {
        if text.len() > MAX_DECIMAL_LEN {
            return Err(DecimalError::TooLong);
        }
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let (mantissa, exponent) = match rest.find(['e', 'E']) {
            Some(i) => (&rest[..i], parse_exponent(&rest[i + 1..])?),
            None => (rest, 0),
        };
        let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int_part.len() + frac_part.len() == 0 || !all_digits(int_part) || !all_digits(frac_part)
        {
            return Err(DecimalError::Syntax);
        }
        let digits: Vec<u8> = int_part.bytes().chain(frac_part.bytes()).collect();
        let Some(first) = digits.iter().position(|&d| d != b'0') else {
            return Ok(Decimal::from_canonical("0e0".into()));
        };
        let last = digits
            .iter()
            .rposition(|&d| d != b'0')
            .expect("a non-zero digit exists");
        let significant = &digits[first..=last];
        // The value is d₀.d₁d₂… × 10^sci_exponent.
        let sci_exponent = exponent + int_part.len() as i64 - first as i64 - 1;
        let mut canonical = String::with_capacity(significant.len() + 24);
        if negative {
            canonical.push('-');
        }
        canonical.push(char::from(significant[0]));
        if significant.len() > 1 {
            canonical.push('.');
            canonical.extend(significant[1..].iter().map(|&d| char::from(d)));
        }
        canonical.push_str(&format!("e{sci_exponent}"));
        Ok(Decimal::from_canonical(canonical))
    }

    /// The exact decimal value of a finite f64, written with the fewest digits that read back as
    /// the same f64 (so a JSON number is the decimal it was written as).
    pub fn from_f64(value: f64) -> Result<Decimal, DecimalError> {
        if !value.is_finite() {
            return Err(DecimalError::NotFinite);
        }
        let value = if value == 0.0 { 0.0 } else { value };
        Ok(Decimal::from_canonical(format!("{value:e}")))
    }

    fn from_canonical(canonical: String) -> Decimal {
        let approx = canonical.parse::<f64>().expect("canonical decimals parse");
        Decimal {
            canonical: canonical.into(),
            approx: F64Bits(approx.to_bits()),
        }
    }

    /// The canonical text, e.g. `-7.436438870371587047521915061147740e-1`.
    pub fn as_str(&self) -> &str {
        &self.canonical
    }

    /// The nearest f64 (correctly rounded; 0 or ±inf beyond f64's exponent range).
    pub fn to_f64(&self) -> f64 {
        f64::from_bits(self.approx.0)
    }

    /// Whether an f64 carries this value exactly as written: the decimal is the shortest form of
    /// its nearest f64, so a JSON number with these digits would be the same value.
    pub fn is_f64(&self) -> bool {
        let f = self.to_f64();
        f.is_finite() && format!("{f:e}") == *self.canonical
    }

    pub fn is_negative(&self) -> bool {
        self.canonical.starts_with('-')
    }

    pub fn is_zero(&self) -> bool {
        &*self.canonical == "0e0"
    }

    /// The power of ten of the leading digit: `x` in `d.ddd × 10^x`.
    pub fn exponent10(&self) -> i64 {
        let e = self
            .canonical
            .rfind('e')
            .expect("canonical form has an exponent");
        self.canonical[e + 1..]
            .parse()
            .expect("canonical exponent parses")
    }

    /// The significant digits without sign or point, and the power of ten of the first one.
    pub fn digits(&self) -> (String, i64) {
        let e = self
            .canonical
            .rfind('e')
            .expect("canonical form has an exponent");
        let digits = self.canonical[..e]
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        (digits, self.exponent10())
    }
}

/// An exponent of at most 9 digits (far beyond any accepted value, yet no overflow).
fn parse_exponent(text: &str) -> Result<i64, DecimalError> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned.is_empty() || !unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DecimalError::Syntax);
    }
    if unsigned.trim_start_matches('0').len() > 9 {
        return Err(DecimalError::ExponentRange);
    }
    let magnitude: i64 = unsigned.parse().map_err(|_| DecimalError::Syntax)?;
    Ok(if text.starts_with('-') {
        -magnitude
    } else {
        magnitude
    })
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Decimal({})", self.canonical)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_have_one_canonical_form() {
        for text in ["0.5", "5e-1", "+0.50", "00.5000", "50E-2", "0.05e1"] {
            assert_eq!(Decimal::parse(text).unwrap().as_str(), "5e-1", "{text}");
        }
        assert_eq!(Decimal::from_f64(0.5).unwrap().as_str(), "5e-1");
        assert_eq!(Decimal::parse("-0.000").unwrap().as_str(), "0e0");
        assert_eq!(Decimal::from_f64(-0.0).unwrap().as_str(), "0e0");
        assert_eq!(Decimal::parse("-123.450").unwrap().as_str(), "-1.2345e2");
        assert_eq!(Decimal::parse("1e-1000").unwrap().exponent10(), -1000);
    }

    #[test]
    fn f64_values_are_recognised_and_longer_ones_are_not() {
        assert!(Decimal::parse("0.1").unwrap().is_f64());
        assert!(Decimal::parse("-0.8").unwrap().is_f64());
        assert!(
            !Decimal::parse("0.10000000000000000000001")
                .unwrap()
                .is_f64()
        );
        assert!(!Decimal::parse("1e-1000").unwrap().is_f64());
        assert_eq!(Decimal::parse("1e-1000").unwrap().to_f64(), 0.0);
    }

    #[test]
    fn garbage_is_refused() {
        for text in [
            "", "-", ".", "e5", "1e", "1e+", "0x10", "NaN", "inf", "1.2.3", " 1", "1 ", "1_0",
        ] {
            assert_eq!(Decimal::parse(text), Err(DecimalError::Syntax), "{text:?}");
        }
        assert_eq!(
            Decimal::parse("1e9999999999"),
            Err(DecimalError::ExponentRange)
        );
        assert_eq!(
            Decimal::parse(&"1".repeat(2001)),
            Err(DecimalError::TooLong)
        );
        assert!(Decimal::parse(&"1".repeat(2000)).is_ok());
        assert_eq!(Decimal::from_f64(f64::NAN), Err(DecimalError::NotFinite));
    }
}
