//! Tokens about to expire: every page warns the signed-in person of their tokens that stop working
//! within [`WARN_DAYS`] days, with a link to them, until they dismiss the warning; the Access Tokens
//! page marks those rows ("Expires in 3 days").
//!
//! Dismissing is remembered in a cookie holding when it was dismissed: a token that comes into its
//! last week after that (a new short-lived one, or one whose week has begun) brings the warning
//! back.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime};

/// How many days ahead a token's expiry is warned of.
pub const WARN_DAYS: i64 = 7;

/// The most tokens the warning counts ("more than 100").
pub const MAX_COUNTED: usize = 100;

/// The cookie that holds when the warning was dismissed (milliseconds since the epoch).
pub const DISMISSED_COOKIE: &str = "expiring_tokens_dismissed";

/// The signed-in person's tokens that expire soon.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringSoon {
    /// How many, up to [`MAX_COUNTED`].
    pub count: usize,
    /// More than [`MAX_COUNTED`].
    pub more: bool,
    /// When the first of them expires, in milliseconds since the epoch.
    pub first: i64,
}

impl ExpiringSoon {
    /// What the warning says, as of `now`.
    pub fn message(&self, now: OffsetDateTime) -> String {
        let first = crate::timestamp::relative(crate::timestamp::from_millis(self.first), now);
        match (self.count, self.more) {
            (_, true) => format!(
                "You have more than {MAX_COUNTED} access tokens that expire within {WARN_DAYS} days, the first {first}."
            ),
            (1, false) => format!("You have 1 access token that expires within {WARN_DAYS} days: {first}."),
            (count, false) => {
                format!("You have {count} access tokens that expire within {WARN_DAYS} days, the first {first}.")
            }
        }
    }
}

/// The badge of a token that expires within [`WARN_DAYS`] days of `now`; none for one that
/// expires later, never, or has expired. Whole days, as the time beside it counts them (2 days and
/// 23 hours left is "in 2 days").
pub fn badge(expires_at: Option<OffsetDateTime>, now: OffsetDateTime) -> Option<String> {
    let left = expires_at? - now;
    if left <= Duration::ZERO || left > Duration::days(WARN_DAYS) {
        return None;
    }
    Some(match left.whole_days() {
        0 => "Expires within a day".to_owned(),
        1 => "Expires in 1 day".to_owned(),
        days => format!("Expires in {days} days"),
    })
}

/// The signed-in person's tokens that will be revoked for going unused (the workspace's
/// `revokeUnusedAfterDays`), once they have been warned of them (`tokens::sweep`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdleSoon {
    pub count: i64,
    /// When the first of them is revoked at the soonest, in milliseconds since the epoch.
    pub first: i64,
}

/// The warning of tokens about to be revoked for going unused, at the top of every page. Not
/// dismissible: it goes away when the tokens are used (or revoked).
#[component]
pub fn IdleNotice(soon: IdleSoon) -> impl IntoView {
    let first = crate::timestamp::relative(crate::timestamp::from_millis(soon.first), crate::clock::now());
    let message = match soon.count {
        1 => format!(
            "1 of your access tokens has not been used for a long time and will be revoked {first}, unless it is used."
        ),
        count => format!(
            "{count} of your access tokens have not been used for a long time and will be revoked, the first {first}, unless they are used."
        ),
    };
    view! {
        <section class="notice expiring-notice idle-notice" aria-label="Unused tokens to be revoked">
            <p>{message}" "<a href="/preferences/access-tokens">"Review your access tokens"</a></p>
        </section>
    }
}

/// The warning at the top of every page, and its Dismiss button (a form, so it works without
/// JavaScript too).
#[component]
pub fn ExpiringNotice(soon: ExpiringSoon, back: String) -> impl IntoView {
    view! {
        <section class="notice expiring-notice" aria-label="Tokens expiring soon">
            <p>
                {soon.message(crate::clock::now())}" "
                <a href="/preferences/access-tokens">"Review your access tokens"</a>
            </p>
            <form method="post" action="/notices/expiring-tokens">
                <input type="hidden" name="back" value=back/>
                <button type="submit" class="link" aria-label="Dismiss the warning of expiring tokens">"Dismiss"</button>
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

    /// The dismiss form: the page it was on.
    #[derive(Deserialize)]
    pub struct Dismiss {
        #[serde(default)]
        back: String,
    }

    /// `POST /notices/expiring-tokens`: remembers the dismissal, and goes back to the page (one of
    /// this site's paths; anything else goes to the Access Tokens page).
    pub async fn dismiss(State(state): State<AppState>, headers: HeaderMap, Form(form): Form<Dismiss>) -> Response {
        let back = if is_own_path(&form.back) { form.back } else { "/preferences/access-tokens".to_owned() };
        let secure = if state.cookies.secure(&headers) { "; Secure" } else { "" };
        // Kept for as long as the warning looks ahead: by then that token has expired.
        let cookie = format!(
            "{DISMISSED_COOKIE}={}; Path=/; Max-Age={}; HttpOnly; SameSite=Lax{secure}",
            crate::timestamp::to_millis(crate::clock::now()),
            WARN_DAYS * 86_400
        );
        let (Ok(cookie), Ok(location)) = (HeaderValue::from_str(&cookie), HeaderValue::from_str(&back)) else {
            return (StatusCode::BAD_REQUEST, "The form could not be read.").into_response();
        };
        (StatusCode::SEE_OTHER, [(header::SET_COOKIE, cookie), (header::LOCATION, location)]).into_response()
    }

    /// A path on this site, and nothing a browser could read as another (`//host`, `/\host`, or
    /// with whitespace, which browsers strip).
    pub fn is_own_path(path: &str) -> bool {
        path.starts_with('/') && !path.starts_with("//") && path.chars().all(|c| c.is_ascii_graphic() && c != '\\')
    }

    /// When the warning was dismissed, from the request's cookie.
    pub fn dismissed(headers: &HeaderMap) -> Option<i64> {
        crate::auth::session::cookies(headers)
            .find(|(name, _)| *name == DISMISSED_COOKIE)
            .and_then(|(_, value)| value.parse().ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_badge_counts_whole_days_as_the_time_beside_it_does_within_a_week() {
        let now = time::macros::datetime!(2026-11-28 12:00 UTC);
        assert_eq!(badge(None, now), None);
        assert_eq!(badge(Some(now - Duration::seconds(1)), now), None, "expired");
        assert_eq!(badge(Some(now + Duration::milliseconds(300)), now).as_deref(), Some("Expires within a day"));
        assert_eq!(badge(Some(now + Duration::hours(23)), now).as_deref(), Some("Expires within a day"));
        assert_eq!(badge(Some(now + Duration::hours(25)), now).as_deref(), Some("Expires in 1 day"));
        let three_days = now + Duration::days(3) - Duration::minutes(1);
        assert_eq!(badge(Some(three_days), now).as_deref(), Some("Expires in 2 days"));
        assert_eq!(crate::timestamp::relative(three_days, now), "in 2 days", "as the time beside it says");
        assert_eq!(badge(Some(now + Duration::days(7)), now).as_deref(), Some("Expires in 7 days"));
        assert_eq!(badge(Some(now + Duration::days(7) + Duration::seconds(1)), now), None, "more than a week");
    }

    #[test]
    fn the_warning_says_how_many_and_when_the_first_expires() {
        let now = time::macros::datetime!(2026-11-28 12:00 UTC);
        let first = crate::timestamp::to_millis(now + Duration::hours(5));
        let soon = |count, more| ExpiringSoon { count, more, first }.message(now);
        assert_eq!(soon(1, false), "You have 1 access token that expires within 7 days: in 5 hours.");
        assert_eq!(soon(3, false), "You have 3 access tokens that expire within 7 days, the first in 5 hours.");
        assert_eq!(
            soon(100, true),
            "You have more than 100 access tokens that expire within 7 days, the first in 5 hours."
        );
    }

    #[cfg(feature = "ssr")]
    #[test]
    fn only_paths_of_this_site_are_gone_back_to() {
        for own in ["/", "/preferences", "/preferences/access-tokens?view=all&after=1.x"] {
            assert!(is_own_path(own), "{own}");
        }
        for other in [
            "",
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example",
            "/\t/evil.example",
            "/ /x",
            "preferences",
        ] {
            assert!(!is_own_path(other), "{other:?}");
        }
    }
}
