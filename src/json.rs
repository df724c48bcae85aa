//! How the API reads numbers from JSON.

use std::fmt;

use serde::{Deserialize, Deserializer, de};

/// A whole number as JSON Schema counts one: `30` and `30.0` alike (an `integer` is any number
/// without a fractional part), within `i64`. serde reads `30.0` as a float only, which would
/// refuse a request that the OpenAPI document calls valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WholeNumber(pub i64);

impl<'de> Deserialize<'de> for WholeNumber {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;

        impl de::Visitor<'_> for Visitor {
            type Value = WholeNumber;

            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a whole number")
            }

            fn visit_i64<E: de::Error>(self, number: i64) -> Result<WholeNumber, E> {
                Ok(WholeNumber(number))
            }

            fn visit_u64<E: de::Error>(self, number: u64) -> Result<WholeNumber, E> {
                i64::try_from(number).map(WholeNumber).map_err(|_| E::custom("the number is too large"))
            }

            fn visit_f64<E: de::Error>(self, number: f64) -> Result<WholeNumber, E> {
                // 2^63 is the first float past i64::MAX; every float below it converts exactly.
                const LIMIT: f64 = 9_223_372_036_854_775_808.0;
                if number.fract() != 0.0 || !number.is_finite() {
                    Err(E::custom(format!("expected a whole number, not {number}")))
                } else if !(-LIMIT..LIMIT).contains(&number) {
                    Err(E::custom("the number is too large"))
                } else {
                    Ok(WholeNumber(number as i64))
                }
            }
        }

        deserializer.deserialize_any(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(json: &str) -> Result<i64, String> {
        serde_json::from_str::<WholeNumber>(json).map(|number| number.0).map_err(|error| error.to_string())
    }

    #[test]
    fn whole_numbers_are_read_with_or_without_a_zero_fraction() {
        assert_eq!(read("30"), Ok(30));
        assert_eq!(read("-1"), Ok(-1));
        assert_eq!(read("30.0"), Ok(30));
        assert_eq!(read("-1.0"), Ok(-1));
        assert_eq!(read("1e3"), Ok(1000));
        assert_eq!(read("9223372036854775807"), Ok(i64::MAX));
    }

    #[test]
    fn fractions_text_and_numbers_out_of_range_are_refused() {
        assert!(read("30.5").unwrap_err().contains("whole number"));
        assert!(read("\"30\"").is_err());
        assert!(read("9223372036854775808").unwrap_err().contains("too large"));
        assert!(read("1e19").unwrap_err().contains("too large"));
    }
}
