//! The one row of `workspace_settings`.

use super::{IdleLimit, RetentionDays, SettingsChanges, WorkspaceSettings};
use crate::store::{Store, StoreError, with_pool};
use crate::tokens::{MaxLifetime, TokenCap};

/// The settings columns, also read by `tokens::store` together with a presented token.
#[derive(sqlx::FromRow)]
pub(crate) struct SettingsRow {
    access_tokens_enabled: bool,
    allow_members_to_generate_tokens: bool,
    max_token_lifetime_days: i64,
    max_active_tokens_per_person: i64,
    audit_retention_days: i64,
    revoke_unused_after_days: i64,
}

impl From<SettingsRow> for WorkspaceSettings {
    fn from(row: SettingsRow) -> Self {
        WorkspaceSettings {
            access_tokens_enabled: row.access_tokens_enabled,
            allow_members_to_generate_tokens: row.allow_members_to_generate_tokens,
            // The column only ever receives validated values; an impossible one reads as the safe side.
            max_token_lifetime_days: MaxLifetime::parse(row.max_token_lifetime_days).unwrap_or(MaxLifetime::Days(1)),
            max_active_tokens_per_person: TokenCap::parse(row.max_active_tokens_per_person).unwrap_or(TokenCap::At(1)),
            audit_retention_days: RetentionDays::parse(row.audit_retention_days).unwrap_or(RetentionDays::DEFAULT),
            revoke_unused_after_days: IdleLimit::parse(row.revoke_unused_after_days).unwrap_or(IdleLimit::Never),
        }
    }
}

pub async fn get(store: &Store) -> Result<WorkspaceSettings, StoreError> {
    let row: SettingsRow = with_pool!(store, pool => sqlx::query_as(
        "SELECT access_tokens_enabled, allow_members_to_generate_tokens, max_token_lifetime_days, \
         max_active_tokens_per_person, audit_retention_days, revoke_unused_after_days FROM workspace_settings WHERE id = 1",
    )
    .fetch_one(pool)
    .await)?;
    Ok(row.into())
}

/// Applies the changes given (the others stay as they are) in one statement, so that two admins
/// changing different settings at once both get their way.
pub async fn update(store: &Store, changes: &SettingsChanges) -> Result<WorkspaceSettings, StoreError> {
    let row: SettingsRow = with_pool!(store, pool => sqlx::query_as(
        "UPDATE workspace_settings SET \
         access_tokens_enabled = COALESCE($1, access_tokens_enabled), \
         allow_members_to_generate_tokens = COALESCE($2, allow_members_to_generate_tokens), \
         max_token_lifetime_days = COALESCE($3, max_token_lifetime_days), \
         max_active_tokens_per_person = COALESCE($4, max_active_tokens_per_person), \
         audit_retention_days = COALESCE($5, audit_retention_days), \
         revoke_unused_after_days = COALESCE($6, revoke_unused_after_days) \
         WHERE id = 1 \
         RETURNING access_tokens_enabled, allow_members_to_generate_tokens, max_token_lifetime_days, \
         max_active_tokens_per_person, audit_retention_days, revoke_unused_after_days",
    )
    .bind(changes.access_tokens_enabled)
    .bind(changes.allow_members_to_generate_tokens)
    .bind(changes.max_token_lifetime_days.map(i64::from))
    .bind(changes.max_active_tokens_per_person.map(i64::from))
    .bind(changes.audit_retention_days.map(i64::from))
    .bind(changes.revoke_unused_after_days.map(i64::from))
    .fetch_one(pool)
    .await)?;
    // Every verified token carries the settings it was checked against (tokens::cache).
    crate::tokens::cache::changed();
    Ok(row.into())
}
