//! The `audit_events` table. Rows are only ever inserted, and deleted once past the workspace's
//! retention ([`prune`]); nothing updates them. They name people and tokens by id and by the name
//! they had, without foreign keys: an event outlives what it is about.

use super::{AuditEvent, AuditFilter, Cursor, EventKind, Via};
use crate::{
    store::{Store, StoreError, now_millis, with_pool},
    timestamp,
};

/// An event about to be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEvent {
    pub at_millis: i64,
    pub kind: EventKind,
    pub actor_id: Option<i64>,
    pub actor_username: Option<String>,
    pub via: Via,
    pub via_token_id: Option<String>,
    pub subject_person_id: Option<i64>,
    pub subject_username: Option<String>,
    pub subject_token_id: Option<String>,
    /// A JSON object.
    pub details: String,
    pub client_ip: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn insert(store: &Store, event: &NewEvent) -> Result<(), StoreError> {
    with_pool!(store, pool => sqlx::query(
        "INSERT INTO audit_events (at, kind, actor_id, actor_username, via, via_token_id, subject_person_id, \
         subject_username, subject_token_id, details, client_ip, user_agent) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(event.at_millis)
    .bind(event.kind.as_str())
    .bind(event.actor_id)
    .bind(event.actor_username.as_deref())
    .bind(event.via.as_str())
    .bind(event.via_token_id.as_deref())
    .bind(event.subject_person_id)
    .bind(event.subject_username.as_deref())
    .bind(event.subject_token_id.as_deref())
    .bind(&event.details)
    .bind(event.client_ip.as_deref())
    .bind(event.user_agent.as_deref())
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

type Row = (
    i64,
    i64,
    String,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    Option<i64>,
    Option<String>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
);

/// Up to `limit` events matching `filter`, newest first, after `cursor`; and the cursor of the
/// next page, if there may be one. Keyset paging on `(at, id)`: as cheap at any depth.
pub async fn list(
    store: &Store,
    filter: &AuditFilter,
    limit: i64,
    cursor: Option<Cursor>,
) -> Result<(Vec<AuditEvent>, Option<Cursor>), StoreError> {
    // No filter is a sentinel no row matches the other way: person ids start at 1, and no kind
    // is empty. (Typed sentinels rather than NULL parameters, which PostgreSQL cannot type.)
    let person = filter.person.unwrap_or(0);
    let kind = filter.kind.map_or("", EventKind::as_str);
    let since = filter.since.map_or(i64::MIN, timestamp::to_millis);
    let until = filter.until.map_or(i64::MAX, timestamp::to_millis);
    let cursor = cursor.unwrap_or(Cursor { at_millis: i64::MAX, id: i64::MAX });
    let rows: Vec<Row> = with_pool!(store, pool => sqlx::query_as(
        "SELECT id, at, kind, actor_id, actor_username, via, via_token_id, subject_person_id, subject_username, \
         subject_token_id, details, client_ip, user_agent FROM audit_events \
         WHERE ($1 = 0 OR actor_id = $1 OR subject_person_id = $1) AND ($2 = '' OR kind = $2) \
           AND at >= $3 AND at < $4 AND (at < $5 OR (at = $5 AND id < $6)) \
         ORDER BY at DESC, id DESC LIMIT $7",
    )
    .bind(person)
    .bind(kind)
    .bind(since)
    .bind(until)
    .bind(cursor.at_millis)
    .bind(cursor.id)
    .bind(limit + 1)
    .fetch_all(pool)
    .await)?;
    let more = rows.len() as i64 > limit;
    let page: Vec<Row> = rows.into_iter().take(limit as usize).collect();
    // From the last row read, not the last shown: a page of kinds this build does not know must
    // not end the list.
    let next = more.then(|| page.last().map(|last| Cursor { at_millis: last.1, id: last.0 })).flatten();
    Ok((page.into_iter().filter_map(event).collect(), next))
}

/// The events about one token, newest first (at most `limit`): what was done to it, and the
/// rotation that made it (an event about `replaces`, the token it replaced).
pub async fn about_token(
    store: &Store,
    token_id: &str,
    replaces: Option<&str>,
    limit: i64,
) -> Result<Vec<AuditEvent>, StoreError> {
    // No predecessor: a sentinel no token id equals (typed, where NULL would not be).
    let replaces = replaces.unwrap_or("");
    let rows: Vec<Row> = with_pool!(store, pool => sqlx::query_as(
        "SELECT id, at, kind, actor_id, actor_username, via, via_token_id, subject_person_id, subject_username, \
         subject_token_id, details, client_ip, user_agent FROM audit_events \
         WHERE subject_token_id = $1 OR (subject_token_id = $2 AND kind = $3) \
         ORDER BY at DESC, id DESC LIMIT $4",
    )
    .bind(token_id)
    .bind(replaces)
    .bind(EventKind::TokenRotated.as_str())
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    Ok(rows.into_iter().filter_map(event).collect())
}

fn event(row: Row) -> Option<AuditEvent> {
    let (
        id,
        at,
        kind,
        actor_id,
        actor_username,
        via,
        via_token_id,
        subject_person_id,
        subject_username,
        subject_token_id,
        details,
        client_ip,
        user_agent,
    ) = row;
    Some(AuditEvent {
        id,
        at: timestamp::from_millis(at),
        // A kind this build does not know (written by a newer one) is left out, not misnamed.
        kind: EventKind::parse(&kind)?,
        actor_id,
        actor_username,
        via: Via::parse(&via).unwrap_or(Via::None),
        via_token_id,
        subject_person_id,
        subject_username,
        subject_token_id,
        details: serde_json::from_str(&details).unwrap_or_else(|_| serde_json::json!({})),
        client_ip,
        user_agent,
    })
}

/// A page of events as readers get it: with `own` (a person's id), only that person's events,
/// without the origin of what others did to them (see [`super::keep_others_origin_private`]).
pub async fn page(
    store: &Store,
    mut filter: AuditFilter,
    limit: i64,
    cursor: Option<Cursor>,
    own: Option<i64>,
) -> Result<super::AuditPage, StoreError> {
    if own.is_some() {
        filter.person = own;
    }
    let (mut data, next) = list(store, &filter, limit, cursor).await?;
    if let Some(own) = own {
        super::keep_others_origin_private(&mut data, own);
    }
    Ok(super::AuditPage { data, next_cursor: next.map(|cursor| cursor.to_string()) })
}

/// Deletes the events older than the workspace's retention: how many.
pub async fn prune(store: &Store) -> Result<u64, StoreError> {
    let days: i64 = with_pool!(store, pool => sqlx::query_scalar("SELECT audit_retention_days FROM workspace_settings WHERE id = 1")
        .fetch_one(pool)
        .await)?;
    let before = now_millis() - days * 24 * 60 * 60 * 1000;
    let pruned = with_pool!(store, pool => sqlx::query("DELETE FROM audit_events WHERE at < $1")
        .bind(before)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
    // The records of revoked tokens are kept as long as the events about them.
    let forgotten = with_pool!(store, pool => sqlx::query("DELETE FROM revoked_tokens WHERE revoked_at < $1")
        .bind(before)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
    if forgotten > 0 {
        tracing::info!(forgotten, "forgot revoked tokens past the audit retention");
    }
    // And finished webhook deliveries.
    crate::webhooks::store::prune(store, before).await?;
    Ok(pruned)
}
