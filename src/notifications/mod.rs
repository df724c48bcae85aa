//! What the app tells a person on its pages until they dismiss it: a token of theirs reported
//! leaked, or revoked by someone else (an admin, or for going unused); for admins, any token
//! reported leaked. The same events reach the webhooks; these are for the people themselves.
//!
//! Notifications are written by [`store::notify!`] inside the transaction of what they tell of
//! (the token store's revocations), shown at the top of every page (newest first, a few at a
//! time), and dismissed with a plain form.

#[cfg(feature = "ssr")]
pub mod store;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::ui_error::UiError;

/// How many notifications the banner shows at once.
pub const SHOWN: i64 = 5;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    pub id: i64,
    pub message: String,
    #[serde(with = "crate::timestamp::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// The viewer's unread notifications, newest first (at most [`SHOWN`]), and how many there are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unread {
    pub shown: Vec<Notification>,
    pub count: i64,
}

#[server(endpoint = "notifications")]
pub async fn load_notifications() -> Result<Unread, UiError> {
    let Some(viewer) = crate::auth::viewer::viewer().await? else { return Ok(Unread::default()) };
    Ok(store::unread(&crate::state::AppState::from_context().store, viewer.id, SHOWN).await?)
}

/// Marks the viewer's notifications read, up to the newest one shown (`up_to`, its id): one that
/// came in since is kept. A plain form posts here and is sent back to its page.
#[server(endpoint = "dismiss_notifications")]
pub async fn dismiss_notifications(up_to: String) -> Result<(), UiError> {
    let viewer = crate::auth::viewer::require_viewer().await?;
    let up_to: i64 = up_to.trim().parse().map_err(|_| UiError::Refused("The form could not be read.".into()))?;
    Ok(store::dismiss(&crate::state::AppState::from_context().store, viewer.id, up_to).await?)
}

/// The banner at the top of every page, with its Dismiss button.
#[component]
pub fn NotificationsBanner(unread: Unread) -> impl IntoView {
    let newest = unread.shown.first().map(|notification| notification.id.to_string())?;
    let more = unread.count - unread.shown.len() as i64;
    let items = unread
        .shown
        .into_iter()
        .map(|notification| {
            view! {
                <li>
                    {notification.message}" "
                    <span class="muted"><time datetime=crate::timestamp::format(notification.created_at)>{crate::timestamp::exact_utc(notification.created_at)}</time></span>
                </li>
            }
        })
        .collect_view();
    Some(view! {
        <section class="notice notifications" aria-label="Notifications">
            <ul>{items}</ul>
            {(more > 0).then(|| view! { <p class="hint">{format!("And {more} more.")}</p> })}
            <form method="post" action="/api/dismiss_notifications">
                <input type="hidden" name="up_to" value=newest/>
                <button type="submit" class="link">"Dismiss"</button>
            </form>
        </section>
    })
}
