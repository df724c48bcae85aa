//! Timestamps as the REST contract writes them: RFC 3339, UTC, milliseconds, `Z`.
//!
//! Stores keep times as whole milliseconds since the Unix epoch (`BIGINT`), which both SQLite and
//! PostgreSQL compare and index the same way.

use serde::{Deserialize, Deserializer, Serializer};
use time::{OffsetDateTime, UtcOffset, format_description::FormatItem, macros::format_description};

const RFC3339_MILLIS: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// `2026-01-16T00:05:01.743Z`
pub fn format(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(RFC3339_MILLIS)
        .expect("a UTC time always formats")
}

pub fn from_millis(millis: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn to_millis(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// `#[serde(with = "crate::timestamp::rfc3339")]`
pub mod rfc3339 {
    use super::*;

    pub fn serialize<S: Serializer>(at: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(d)?;
        OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
            .map_err(serde::de::Error::custom)
    }
}

/// `#[serde(with = "crate::timestamp::rfc3339_option")]`: `null` for `None`.
pub mod rfc3339_option {
    use super::*;

    pub fn serialize<S: Serializer>(at: &Option<OffsetDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => s.serialize_str(&format(*at)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<OffsetDateTime>, D::Error> {
        Option::<String>::deserialize(d)?
            .map(|text| {
                OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
                    .map_err(serde::de::Error::custom)
            })
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn formats_utc_with_milliseconds_and_z() {
        assert_eq!(format(datetime!(2026-01-16 00:05:01.743 UTC)), "2026-01-16T00:05:01.743Z");
        assert_eq!(format(datetime!(2026-01-16 02:05:01.7 +02:00)), "2026-01-16T00:05:01.700Z");
    }

    #[test]
    fn millis_round_trip() {
        let at = datetime!(2026-01-16 00:05:01.743 UTC);
        assert_eq!(from_millis(to_millis(at)), at);
    }
}
