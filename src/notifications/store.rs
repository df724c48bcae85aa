//! The `notifications` table.

use super::{Notification, Unread};
use crate::{
    people::PersonId,
    store::{Store, StoreError, now_millis, with_pool},
    timestamp,
};

/// Notifies the people `$who` names (an SQL condition over `users`, its parameter `$5`: `$param`)
/// on the transaction `$tx`: `$kind` (an event name), `$message`, about token `$token_id`.
macro_rules! notify {
    ($tx:expr, $who:expr, $param:expr, $kind:expr, $message:expr, $token_id:expr, $at:expr) => {{
        sqlx::query(&format!(
            "INSERT INTO notifications (person_id, kind, message, token_id, created_at) \
             SELECT id, $1, $2, $3, $4 FROM users WHERE {}",
            $who
        ))
        .bind($kind)
        .bind($message)
        .bind($token_id)
        .bind($crate::timestamp::to_millis($at))
        .bind($param)
        .execute(&mut *$tx)
        .await?;
    }};
}
pub(crate) use notify;

pub async fn unread(store: &Store, person: PersonId, limit: i64) -> Result<Unread, StoreError> {
    let rows: Vec<(i64, String, i64)> = with_pool!(store, pool => sqlx::query_as(
        "SELECT id, message, created_at FROM notifications WHERE person_id = $1 AND read_at IS NULL \
         ORDER BY id DESC LIMIT $2",
    )
    .bind(person)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    let count: i64 = if (rows.len() as i64) < limit {
        rows.len() as i64
    } else {
        with_pool!(store, pool => sqlx::query_scalar(
            "SELECT count(*) FROM notifications WHERE person_id = $1 AND read_at IS NULL",
        )
        .bind(person)
        .fetch_one(pool)
        .await)?
    };
    let shown = rows
        .into_iter()
        .map(|(id, message, created_at)| Notification { id, message, created_at: timestamp::from_millis(created_at) })
        .collect();
    Ok(Unread { shown, count })
}

pub async fn dismiss(store: &Store, person: PersonId, up_to: i64) -> Result<(), StoreError> {
    with_pool!(store, pool => sqlx::query(
        "UPDATE notifications SET read_at = $3 WHERE person_id = $1 AND id <= $2 AND read_at IS NULL",
    )
    .bind(person)
    .bind(up_to)
    .bind(now_millis())
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}
