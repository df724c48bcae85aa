//! Webhooks and their deliveries in the database.
//!
//! A delivery is queued by [`enqueue!`] inside the transaction of the change it tells of (the
//! token store's): the change and its news commit together or not at all. [`claim_due`] hands
//! due deliveries to one instance at a time; [`record_attempt`] writes what came of each.

use time::OffsetDateTime;

use super::{Delivery, DeliveryStatus, Webhook, WebhookEvent};
use crate::{
    store::{Store, StoreError, with_pool},
    timestamp,
};

/// How long an instance holds the deliveries it claimed: longer than a send may take
/// (`dispatch::SEND_TIMEOUT`), so that another instance takes them only if this one died.
const CLAIM_MILLIS: i64 = 60_000;

/// The `LIKE` pattern that finds `event` in a webhook's `events` (`_` is a wildcard there).
pub fn pattern(event: WebhookEvent) -> String {
    format!("% {} %", event.as_str().replace('_', "\\_"))
}

/// A delivery's body: the event, when it happened, and the token it is about (never its value).
pub fn payload(event: WebhookEvent, at: OffsetDateTime, token: serde_json::Value, more: serde_json::Value) -> String {
    let mut body = serde_json::json!({
        "eventId": uuid::Uuid::new_v4().to_string(),
        "event": event.as_str(),
        "occurredAt": timestamp::format(at),
        "token": token,
    });
    if let (Some(body), serde_json::Value::Object(more)) = (body.as_object_mut(), more) {
        body.extend(more);
    }
    body.to_string()
}

/// A token as a delivery describes it.
#[allow(clippy::too_many_arguments)]
pub fn token_facts(
    token_id: &str,
    description: &str,
    scopes: &str,
    created_at: i64,
    expires_at: Option<i64>,
    owner_id: i64,
    owner_username: Option<&str>,
) -> serde_json::Value {
    serde_json::json!({
        "tokenId": token_id,
        "description": description,
        "scopes": scopes.split_whitespace().collect::<Vec<_>>(),
        "createdAt": timestamp::format(timestamp::from_millis(created_at)),
        "expiresAt": expires_at.map(|at| timestamp::format(timestamp::from_millis(at))),
        "owner": { "id": owner_id, "username": owner_username },
    })
}

/// Queues `$payload` (a [`payload`]) for every webhook that takes `$event`, on the transaction
/// `$tx`: nothing when there is none.
macro_rules! enqueue {
    ($tx:expr, $event:expr, $at:expr, $payload:expr) => {{
        let event: $crate::webhooks::WebhookEvent = $event;
        sqlx::query(
            "INSERT INTO webhook_deliveries (webhook_id, event, payload, created_at, next_attempt_at) \
             SELECT id, $1, $2, $3, $3 FROM webhooks WHERE events LIKE $4 ESCAPE '\\'",
        )
        .bind(event.as_str())
        .bind($payload)
        .bind($crate::timestamp::to_millis($at))
        .bind($crate::webhooks::store::pattern(event))
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use enqueue;

#[derive(sqlx::FromRow)]
struct WebhookRow {
    id: i64,
    url: String,
    events: String,
    created_at: i64,
}

impl From<WebhookRow> for Webhook {
    fn from(row: WebhookRow) -> Self {
        Webhook {
            id: row.id,
            url: row.url,
            // A name this build does not know (written by a newer one) is left out.
            events: row.events.split_whitespace().filter_map(WebhookEvent::parse).collect(),
            created_at: timestamp::from_millis(row.created_at),
        }
    }
}

pub async fn add(store: &Store, url: &str, secret: &str, events: &[WebhookEvent]) -> Result<Webhook, StoreError> {
    let names: Vec<&str> = events.iter().map(|event| event.as_str()).collect();
    let events = format!(" {} ", names.join(" "));
    let now = timestamp::to_millis(crate::clock::now());
    let id: i64 = with_pool!(store, pool => sqlx::query_scalar(
        "INSERT INTO webhooks (url, secret, events, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(url)
    .bind(secret)
    .bind(&events)
    .bind(now)
    .fetch_one(pool)
    .await)?;
    Ok(WebhookRow { id, url: url.to_owned(), events, created_at: now }.into())
}

pub async fn list(store: &Store) -> Result<Vec<Webhook>, StoreError> {
    let rows: Vec<WebhookRow> = with_pool!(store, pool => sqlx::query_as(
        "SELECT id, url, events, created_at FROM webhooks ORDER BY id",
    )
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().map(Webhook::from).collect())
}

pub async fn find(store: &Store, id: i64) -> Result<Option<Webhook>, StoreError> {
    let row: Option<WebhookRow> = with_pool!(store, pool => sqlx::query_as(
        "SELECT id, url, events, created_at FROM webhooks WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await)?;
    Ok(row.map(Webhook::from))
}

/// Removes a webhook and its deliveries; `false` when there was none.
pub async fn remove(store: &Store, id: i64) -> Result<bool, StoreError> {
    let removed = with_pool!(store, pool => sqlx::query("DELETE FROM webhooks WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(removed > 0)
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    id: i64,
    event: String,
    attempts: i64,
    created_at: i64,
    next_attempt_at: Option<i64>,
    delivered_at: Option<i64>,
    last_status: Option<i64>,
    last_error: Option<String>,
}

/// A webhook's latest deliveries, newest first.
pub async fn deliveries(store: &Store, webhook_id: i64, limit: i64) -> Result<Vec<Delivery>, StoreError> {
    let rows: Vec<DeliveryRow> = with_pool!(store, pool => sqlx::query_as(
        "SELECT id, event, attempts, created_at, next_attempt_at, delivered_at, last_status, last_error \
         FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2",
    )
    .bind(webhook_id)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    Ok(rows
        .into_iter()
        .filter_map(|row| {
            Some(Delivery {
                id: row.id,
                event: WebhookEvent::parse(&row.event)?,
                status: match (row.delivered_at, row.next_attempt_at) {
                    (Some(_), _) => DeliveryStatus::Delivered,
                    (None, Some(_)) => DeliveryStatus::Pending,
                    (None, None) => DeliveryStatus::Failed,
                },
                attempts: row.attempts,
                created_at: timestamp::from_millis(row.created_at),
                next_attempt_at: row.next_attempt_at.map(timestamp::from_millis),
                delivered_at: row.delivered_at.map(timestamp::from_millis),
                last_status: row.last_status,
                last_error: row.last_error,
            })
        })
        .collect())
}

/// A delivery this instance is to send.
/// (No `Debug`: it holds the secret.)
#[derive(sqlx::FromRow)]
pub struct Due {
    pub id: i64,
    pub event: String,
    pub payload: String,
    pub attempts: i64,
    pub url: String,
    pub secret: String,
}

/// Claims up to `limit` deliveries due at `now` for this instance, oldest first. Another instance
/// claiming at the same time gets others: the update re-checks the claim on each row it takes.
pub async fn claim_due(store: &Store, now: OffsetDateTime, limit: i64) -> Result<Vec<Due>, StoreError> {
    let now = timestamp::to_millis(now);
    let claimed: Vec<i64> = with_pool!(store, pool => sqlx::query_scalar(
        "UPDATE webhook_deliveries SET claimed_until = $1 + $2 \
         WHERE id IN (SELECT id FROM webhook_deliveries \
                      WHERE next_attempt_at <= $1 AND claimed_until <= $1 ORDER BY next_attempt_at, id LIMIT $3) \
           AND claimed_until <= $1 \
         RETURNING id",
    )
    .bind(now)
    .bind(CLAIM_MILLIS)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    let mut due = Vec::with_capacity(claimed.len());
    for id in claimed {
        let row: Option<Due> = with_pool!(store, pool => sqlx::query_as(
            "SELECT d.id, d.event, d.payload, d.attempts, w.url, w.secret \
             FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        due.extend(row);
    }
    Ok(due)
}

/// What came of one attempt.
pub enum Outcome {
    Delivered {
        status: u16,
    },
    /// Refused (`status`), or no answer (`error`); tried again at `retry_at`, or never.
    Refused {
        status: Option<u16>,
        error: Option<String>,
        retry_at: Option<OffsetDateTime>,
    },
}

pub async fn record_attempt(store: &Store, id: i64, at: OffsetDateTime, outcome: Outcome) -> Result<(), StoreError> {
    let at = timestamp::to_millis(at);
    let (status, error, next, delivered) = match outcome {
        Outcome::Delivered { status } => (Some(i64::from(status)), None, None, Some(at)),
        Outcome::Refused { status, error, retry_at } => {
            (status.map(i64::from), error, retry_at.map(timestamp::to_millis), None)
        }
    };
    with_pool!(store, pool => sqlx::query(
        "UPDATE webhook_deliveries SET attempts = attempts + 1, last_status = $2, last_error = $3, \
                next_attempt_at = $4, delivered_at = $5, claimed_until = 0 WHERE id = $1",
    )
    .bind(id)
    .bind(status)
    .bind(error)
    .bind(next)
    .bind(delivered)
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Forgets finished deliveries made before `before` (milliseconds), with the audit trail.
pub async fn prune(store: &Store, before: i64) -> Result<u64, StoreError> {
    Ok(with_pool!(store, pool => sqlx::query(
        "DELETE FROM webhook_deliveries WHERE created_at < $1 AND next_attempt_at IS NULL",
    )
    .bind(before)
    .execute(pool)
    .await
    .map(|done| done.rows_affected()))?)
}
