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
    at.to_offset(UtcOffset::UTC).format(RFC3339_MILLIS).expect("a UTC time always formats")
}

pub fn from_millis(millis: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

pub fn to_millis(at: OffsetDateTime) -> i64 {
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

const SHORT_UTC: &[FormatItem<'static>] = format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
const EXACT_UTC: &[FormatItem<'static>] = format_description!("[year]-[month]-[day] [hour]:[minute]:[second] UTC");

/// `2026-01-16 00:05 UTC`: what the server renders, not knowing the reader's time zone.
pub fn short_utc(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC).format(SHORT_UTC).expect("a UTC time always formats")
}

/// `2026-01-16 00:05:01 UTC`: the exact time, on hover.
pub fn exact_utc(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC).format(EXACT_UTC).expect("a UTC time always formats")
}

/// How far `at` is from `now`, in the largest whole unit: "in 29 days", "3 minutes ago", "now".
///
/// Whole units round down, so a 30-day token generated a moment ago expires "in 29 days": it does
/// not have 30 whole days left.
pub fn relative(at: OffsetDateTime, now: OffsetDateTime) -> String {
    relative_seconds((at - now).whole_seconds())
}

/// [`relative`] from the whole seconds between now and the moment (negative: in the past); the
/// page's script writes the same words as the clock ticks (`enhance`).
pub fn relative_seconds(seconds: i64) -> String {
    let distance = seconds.unsigned_abs();
    if distance == 0 {
        return "now".to_owned();
    }
    const UNITS: [(u64, &str); 5] =
        [(365 * 86_400, "year"), (86_400, "day"), (3_600, "hour"), (60, "minute"), (1, "second")];
    // Days up to two years ("in 400 days" reads better for a token than "in 1 year").
    let (size, unit) = UNITS
        .into_iter()
        .find(|&(size, unit)| distance >= size && (unit != "year" || distance >= 2 * size))
        .unwrap_or((1, "second"));
    let count = distance / size;
    let plural = if count == 1 { "" } else { "s" };
    if seconds > 0 { format!("in {count} {unit}{plural}") } else { format!("{count} {unit}{plural} ago") }
}

/// `#[serde(with = "crate::timestamp::rfc3339")]`
pub mod rfc3339 {
    use super::*;

    pub fn serialize<S: Serializer>(at: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        let text = String::deserialize(d)?;
        OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339).map_err(serde::de::Error::custom)
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
    fn utc_for_the_server_and_for_hover() {
        let at = datetime!(2026-01-16 02:05:01.743 +02:00);
        assert_eq!(short_utc(at), "2026-01-16 00:05 UTC");
        assert_eq!(exact_utc(at), "2026-01-16 00:05:01 UTC");
    }

    #[test]
    fn relative_hints_use_the_largest_whole_unit() {
        let now = datetime!(2026-01-16 12:00:00 UTC);
        let hint = |seconds: i64| relative(now + time::Duration::seconds(seconds), now);
        assert_eq!(hint(0), "now");
        assert_eq!(hint(1), "in 1 second");
        assert_eq!(hint(-1), "1 second ago");
        assert_eq!(hint(-59), "59 seconds ago");
        assert_eq!(hint(-3 * 60 - 20), "3 minutes ago");
        assert_eq!(hint(2 * 3_600), "in 2 hours");
        assert_eq!(hint(30 * 86_400 - 1), "in 29 days");
        assert_eq!(hint(30 * 86_400), "in 30 days");
        assert_eq!(hint(400 * 86_400), "in 400 days");
        assert_eq!(hint(-3 * 365 * 86_400), "3 years ago");
        // Milliseconds do not count: half a second ago is now.
        assert_eq!(relative(now - time::Duration::milliseconds(500), now), "now");
    }

    #[test]
    fn millis_round_trip() {
        let at = datetime!(2026-01-16 00:05:01.743 UTC);
        assert_eq!(from_millis(to_millis(at)), at);
    }
}
