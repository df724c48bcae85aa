//! Small pieces the pages share: numbers and times as people read them.

use leptos::prelude::*;
use time::OffsetDateTime;

use crate::clock::Time;

/// `12345678` as `12,345,678`.
pub fn thousands(number: i64) -> String {
    let digits = number.unsigned_abs().to_string();
    let mut out = String::new();
    if number < 0 {
        out.push('-');
    }
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A time (see [`Time`]), or the word `none` says when there is no time, such as "Never".
pub fn time_or(at: Option<OffsetDateTime>, rendered_at: OffsetDateTime, none: &'static str) -> AnyView {
    match at {
        Some(at) => view! { <Time at rendered_at/> }.into_any(),
        None => view! { <span class="muted">{none}</span> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped_by_commas() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(10_000_000), "10,000,000");
        assert_eq!(thousands(-1_234), "-1,234");
    }
}
