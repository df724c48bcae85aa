//! Tokens about to expire: every page warns the signed-in person of their tokens that stop working
//! within [`WARN_DAYS`] days, with a link to them, until they dismiss the warning; the Access Tokens
//! page marks those rows ("Expires in 3 days").
//!
//! Dismissing is remembered in a cookie holding the expiry the warning was about (the soonest):
//! a token that comes to expire sooner brings the warning back, as does the next one once that
//! one has expired.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// How many days ahead a token's expiry is warned of.
pub const WARN_DAYS: i64 = 7;

/// The most tokens the warning counts ("more than 100").
pub const MAX_COUNTED: usize = 100;

/// The cookie that holds the dismissed warning's expiry (milliseconds since the epoch).
pub const DISMISSED_COOKIE: &str = "expiring_tokens_dismissed";

/// The signed-in person's tokens that expire soon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringSoon {
    /// How many, up to [`MAX_COUNTED`].
    pub count: usize,
    /// More than [`MAX_COUNTED`].
    pub more: bool,
    /// When the first of them expires, in milliseconds since the epoch: what dismissing is about.
    pub first: i64,
}

impl ExpiringSoon {
    pub fn message(&self) -> String {
        match (self.count, self.more) {
            (_, true) => format!("You have more than {MAX_COUNTED} access tokens that expire within {WARN_DAYS} days."),
            (1, false) => format!("You have 1 access token that expires within {WARN_DAYS} days."),
            (count, false) => format!("You have {count} access tokens that expire within {WARN_DAYS} days."),
        }
    }
}

/// The badge of a token that expires within [`WARN_DAYS`] days of `now`; none for one that
/// expires later, never, or has expired. Days are counted up: 2 days and 23 hours left is "in 3
/// days".
pub fn badge(expires_at: Option<OffsetDateTime>, now: OffsetDateTime) -> Option<String> {
    let left = expires_at? - now;
    if left <= Duration::ZERO || left > Duration::days(WARN_DAYS) {
        return None;
    }
    let days = (left.whole_milliseconds() + 86_399_999) / 86_400_000;
    Some(match days {
        1 => "Expires within a day".to_owned(),
        days => format!("Expires in {days} days"),
    })
}

/// The warning at the top of every page, and its Dismiss button (a form, so it works without
/// JavaScript too).
#[component]
pub fn ExpiringNotice(soon: ExpiringSoon, back: String) -> impl IntoView {
    view! {
        <section class="notice expiring-notice" aria-label="Tokens expiring soon">
            <p>
                {soon.message()}" "
                <a href="/preferences/access-tokens">"Review your access tokens"</a>
            </p>
            <form method="post" action="/notices/expiring-tokens">
                <input type="hidden" name="until" value=soon.first.to_string()/>
                <input type="hidden" name="back" value=back/>
                <button type="submit" class="link">"Dismiss"</button>
            </form>
        </section>
    }
}

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use axum::{
        Form,
        extract::State,
        http::{HeaderMap, HeaderValue, StatusCode, header},
        response::{IntoResponse, Response},
    };
    use serde::Deserialize;

    use super::{DISMISSED_COOKIE, WARN_DAYS};
    use crate::state::AppState;

    /// The dismiss form: the expiry the warning was about, and the page it was on.
    #[derive(Deserialize)]
    pub struct Dismiss {
        until: i64,
        #[serde(default)]
        back: String,
    }

    /// `POST /notices/expiring-tokens`: remembers the dismissal, and goes back to the page (one of
    /// this site's paths; anything else goes to the Access Tokens page).
    pub async fn dismiss(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<Dismiss>) -> Response {
        let back = if form.back.starts_with('/') && !form.back.starts_with("//") && !form.back.contains('\\') {
            form.back
        } else {
            "/preferences/access-tokens".to_owned()
        };
        let secure = if state.cookies.secure(&headers) { "; Secure" } else { "" };
        // Kept for as long as the warning looks ahead: by then that token has expired.
        let cookie = format!(
            "{DISMISSED_COOKIE}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            form.until,
            WARN_DAYS * 86_400
        );
        let (Ok(cookie), Ok(location)) = (HeaderValue::from_str(&cookie), HeaderValue::from_str(&back)) else {
            return (StatusCode::BAD_REQUEST, "The form could not be read.").into_response();
        };
        (StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie), (header::LOCATION, location)]).into_response()
    }

    /// The dismissed warning's expiry, from the request's cookie.
    pub fn dismissed(headers: &HeaderMap) -> Option<i64> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == DISMISSED_COOKIE)
            .and_then(|(_, value)| value.parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_badge_counts_whole_days_up_within_a_week() {
        let now = time::macros::datetime!(2026-11-28 12:00 UTC);
        assert_eq!(badge(None, now), None);
        assert_eq!(badge(Some(now - Duration::seconds(1)), now), None, "expired");
        assert_eq!(badge(Some(now + Duration::hours(2)), now).as_deref(), Some("Expires within a day"));
        assert_eq!(badge(Some(now + Duration::milliseconds(300)), now).as_deref(), Some("Expires within a day"));
        assert_eq!(
            badge(Some(now + Duration::days(3) - Duration::minutes(1)), now).as_deref(),
            Some("Expires in 3 days")
        );
        assert_eq!(badge(Some(now + Duration::days(7)), now).as_deref(), Some("Expires in 7 days"));
        assert_eq!(badge(Some(now + Duration::days(7) + Duration::seconds(1)), now), None, "more than a week");
    }

    #[test]
    fn the_warning_says_how_many() {
        let soon = |count, more| ExpiringSoon { count, more, first: 0 }.message();
        assert_eq!(soon(1, false), "You have 1 access token that expires within 7 days.");
        assert_eq!(soon(3, false), "You have 3 access tokens that expire within 7 days.");
        assert_eq!(soon(100, true), "You have more than 100 access tokens that expire within 7 days.");
    }
}
