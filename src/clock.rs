//! Times on the page: a time shown with a relative hint ("in 29 days", "3 minutes ago") and the
//! exact UTC time on hover.
//!
//! The server renders UTC (it does not know the reader's locale or time zone), relative to the
//! moment it listed the data. In the browser the page's script (`enhance`) takes over from the
//! `datetime` attribute: the reader's locale, and a clock that ticks every second, which turns a
//! token Expired the moment it expires and keeps the hints moving without a reload.

use leptos::prelude::*;
use time::OffsetDateTime;

use crate::timestamp;

/// A `<time>` element: the date and time, a relative hint below it, the exact UTC on hover.
/// `rendered_at`: the moment the data `at` came with was read, which the hint is relative to.
///
/// The script rewrites the text of the `<time>` and of `.relative`: keep this shape.
#[component]
pub fn Time(at: OffsetDateTime, rendered_at: OffsetDateTime) -> impl IntoView {
    view! {
        <span class="when">
            <time datetime=timestamp::format(at) title=timestamp::exact_utc(at)>{timestamp::short_utc(at)}</time>
            <span class="relative">{timestamp::relative(at, rendered_at)}</span>
        </span>
    }
}

/// Now, to the millisecond (as timestamps travel).
pub fn now() -> OffsetDateTime {
    timestamp::from_millis(timestamp::to_millis(OffsetDateTime::now_utc()))
}
