//! Server functions of the Workspace Settings page's webhooks section: the same rules as the REST
//! API ([`super::rules`]), for a signed-in admin.

// One argument per form field, as server functions read a form: `add_webhook` has a box per
// event, and the `server` macro's code for it takes them all.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{Delivery, Webhook};
use crate::ui_error::UiError;

/// How many of each webhook's latest deliveries the page shows.
pub const DELIVERIES_SHOWN: i64 = 10;

/// A webhook with its latest deliveries, newest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookWithLog {
    pub webhook: Webhook,
    pub deliveries: Vec<Delivery>,
}

#[server(endpoint = "webhooks")]
pub async fn load_webhooks() -> Result<Vec<WebhookWithLog>, UiError> {
    let store = &crate::state::AppState::from_context().store;
    crate::auth::viewer::require_admin().await?;
    let mut listed = Vec::new();
    for webhook in super::store::list(store).await? {
        let deliveries = super::store::deliveries(store, webhook.id, DELIVERIES_SHOWN).await?;
        listed.push(WebhookWithLog { webhook, deliveries });
    }
    Ok(listed)
}

/// A webhook just added, and its secret, shown this once.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Added {
    pub webhook: Webhook,
    pub secret: String,
}

/// The Add webhook form: the URL, a checkbox per event (present when ticked: `token_generated`,
/// ...), and the secret as typed (empty: one is made).
#[server(endpoint = "add_webhook")]
pub async fn add_webhook(
    url: String,
    token_generated: Option<String>,
    token_rotated: Option<String>,
    token_revoked: Option<String>,
    token_reported_leaked: Option<String>,
    token_expiring: Option<String>,
    token_inactivity_pending: Option<String>,
    token_used_from_new_ip: Option<String>,
    secret: Option<String>,
) -> Result<Added, UiError> {
    use super::WebhookEvent;

    let admin = crate::auth::viewer::require_admin().await?;
    let ticked = [
        (token_generated, WebhookEvent::TokenGenerated),
        (token_rotated, WebhookEvent::TokenRotated),
        (token_revoked, WebhookEvent::TokenRevoked),
        (token_reported_leaked, WebhookEvent::TokenReportedLeaked),
        (token_expiring, WebhookEvent::TokenExpiring),
        (token_inactivity_pending, WebhookEvent::TokenInactivityPending),
        (token_used_from_new_ip, WebhookEvent::TokenUsedFromNewIp),
    ];
    let events: Vec<WebhookEvent> = ticked.into_iter().filter_map(|(box_, event)| box_.map(|_| event)).collect();
    let secret = secret.as_deref().map(str::trim).filter(|secret| !secret.is_empty());
    let store = &crate::state::AppState::from_context().store;
    let actor = crate::audit::record::Actor::session(&admin);
    let (webhook, secret) = super::rules::add(store, &actor, url.trim(), &events, secret).await?;
    Ok(Added { webhook, secret })
}

#[server(endpoint = "remove_webhook")]
pub async fn remove_webhook(id: String) -> Result<(), UiError> {
    let admin = crate::auth::viewer::require_admin().await?;
    let id: i64 = id.trim().parse().map_err(|_| UiError::Refused("No such webhook.".into()))?;
    let store = &crate::state::AppState::from_context().store;
    Ok(super::rules::remove(store, &crate::audit::record::Actor::session(&admin), id).await?)
}

#[cfg(feature = "ssr")]
impl From<super::rules::WebhookError> for UiError {
    fn from(error: super::rules::WebhookError) -> Self {
        use super::rules::WebhookError;
        match error {
            WebhookError::Invalid { field, message } => UiError::invalid(field, message),
            WebhookError::NotFound => UiError::Refused(error.to_string()),
            WebhookError::Store(error) => error.into(),
        }
    }
}
