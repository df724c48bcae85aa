//! Webhooks: admins name URLs that hear about tokens (generated, rotated, revoked for any reason,
//! reported leaked). Each delivery is a JSON body signed with `X-Signature-256: sha256=<HMAC of
//! the body>`, queued in the database in the same transaction as the change it tells of, and sent
//! by a background task that retries with backoff; a failing endpoint never slows a request, and
//! a restart loses nothing.
//!
//! - this module: what a webhook, an event and a delivery are, as the REST API shows them;
//! - `store` (server): the tables, and [`store::enqueue!`], which the token store calls inside its
//!   transactions;
//! - `dispatch` (server): claiming due deliveries, signing, sending, retrying;
//! - `rules` (server): what a webhook may be, shared by the REST API and the page;
//! - `api` (server): `/v4/workspaces/current/webhooks` (admins);
//! - `server_fns`: the Workspace Settings page's webhooks section.

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod dispatch;
pub mod page;
#[cfg(feature = "ssr")]
pub mod rules;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "ssr")]
pub(crate) use store::{enqueue, payload, token_facts};

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What a webhook can hear about. On the wire: the dotted name (`token.revoked`).
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WebhookEvent {
    /// A token was generated (not by rotation: that is `token.rotated`).
    #[serde(rename = "token.generated")]
    TokenGenerated,
    /// A token was replaced by a new one; `replacedBy` names it.
    #[serde(rename = "token.rotated")]
    TokenRotated,
    /// A token stopped working for good, for any reason (`reason`): deleted by its owner or an
    /// admin, rotated, reported leaked, unused for too long.
    #[serde(rename = "token.revoked")]
    TokenRevoked,
    /// Someone reported a token's value as leaked, and it was revoked (`token.revoked` follows too).
    #[serde(rename = "token.reported_leaked")]
    TokenReportedLeaked,
    /// A token expires within 7 days, and again within a day (`daysLeft`, `expiresAt`).
    #[serde(rename = "token.expiring")]
    TokenExpiring,
    /// A token unused for long is revoked in 7 days, and again in a day, unless it is used
    /// (`daysLeft`, `revokesAt`).
    #[serde(rename = "token.inactivity_pending")]
    TokenInactivityPending,
    /// A token that asked for it (`alertOnNewIp`) was used from an address outside its last 5
    /// (`ip`, `userAgent`, `seenAt`); told within about 10 seconds of the use.
    #[serde(rename = "token.used_from_new_ip")]
    TokenUsedFromNewIp,
}

impl WebhookEvent {
    pub const ALL: [WebhookEvent; 7] = [
        WebhookEvent::TokenGenerated,
        WebhookEvent::TokenRotated,
        WebhookEvent::TokenRevoked,
        WebhookEvent::TokenReportedLeaked,
        WebhookEvent::TokenExpiring,
        WebhookEvent::TokenInactivityPending,
        WebhookEvent::TokenUsedFromNewIp,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WebhookEvent::TokenGenerated => "token.generated",
            WebhookEvent::TokenRotated => "token.rotated",
            WebhookEvent::TokenRevoked => "token.revoked",
            WebhookEvent::TokenReportedLeaked => "token.reported_leaked",
            WebhookEvent::TokenExpiring => "token.expiring",
            WebhookEvent::TokenInactivityPending => "token.inactivity_pending",
            WebhookEvent::TokenUsedFromNewIp => "token.used_from_new_ip",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|event| event.as_str() == text)
    }
}

/// A webhook as admins see it. Its secret is shown once, when it is added.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    pub id: i64,
    pub url: String,
    pub events: Vec<WebhookEvent>,
    #[serde(with = "crate::timestamp::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Where a delivery stands.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Not sent yet, or refused and to be tried again at `nextAttemptAt`.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Given up after `dispatch::MAX_ATTEMPTS` attempts.
    Failed,
}

/// One event sent (or to be sent) to one webhook.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery {
    /// Also sent as `X-Webhook-Delivery`.
    pub id: i64,
    pub event: WebhookEvent,
    pub status: DeliveryStatus,
    pub attempts: i64,
    #[serde(with = "crate::timestamp::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "crate::timestamp::rfc3339_option")]
    pub next_attempt_at: Option<OffsetDateTime>,
    #[serde(with = "crate::timestamp::rfc3339_option")]
    pub delivered_at: Option<OffsetDateTime>,
    /// The HTTP status of the last attempt; `null` if it got none (see `lastError`).
    pub last_status: Option<i64>,
    pub last_error: Option<String>,
}
