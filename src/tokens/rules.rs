//! The rules of the token feature, in one place for the REST API and the page's server functions:
//! who may generate, list, read and delete which token, and what a new token may look like.
//!
//! Each rule takes only what it needs (the store, and the log of uses not yet written for what
//! shows Last Used), so it can be tried without a whole app.

use super::{
    Description, Lifetime, NewToken, TokenId, TokenInfo, WorkspaceToken,
    store::{self, NewRow},
    usage::UsageLog,
    value::TokenValue,
};
use crate::{
    paging::{Page, Paging},
    people::Person,
    store::{Store, StoreError},
    workspace::{WorkspaceSettings, store as settings_store},
};

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// The workspace has access tokens turned off; the REST routes answer as if they did not exist.
    #[error("Access tokens are disabled in this workspace.")]
    Disabled,
    #[error("Only workspace admins can generate access tokens in this workspace; an admin can allow members to.")]
    NotAllowed,
    /// A lifetime or description that breaks a rule; `field` names it for the page.
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    /// No such token, or one the caller may not see: the same answer, so ids cannot be probed.
    #[error("No such access token.")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

async fn enabled_settings(store: &Store) -> Result<WorkspaceSettings, TokenError> {
    let settings = settings_store::get(store).await?;
    if settings.access_tokens_enabled { Ok(settings) } else { Err(TokenError::Disabled) }
}

/// Generates a token for `owner` (always the caller: nobody generates a token for someone else).
pub async fn generate(
    store: &Store,
    owner: &Person,
    lifetime: Lifetime,
    description: Description,
) -> Result<NewToken, TokenError> {
    let settings = enabled_settings(store).await?;
    if !settings.tokens_allowed_for(owner.is_admin) {
        return Err(TokenError::NotAllowed);
    }
    settings
        .max_token_lifetime_days
        .allows(lifetime)
        .map_err(|message| TokenError::Invalid { field: "lifetime", message })?;
    let value = TokenValue::generate();
    // To the millisecond, as the store keeps it: the answer shows what a later read shows.
    let created_at = crate::clock::now();
    let info = store::insert(
        store,
        NewRow {
            token_id: TokenId(uuid::Uuid::new_v4()),
            owner_id: owner.id,
            digest: &value.digest(),
            description: description.as_str(),
            created_at,
            expires_at: lifetime.expiry(created_at),
        },
    )
    .await?;
    tracing::info!(token_id = %info.token_id, owner = %owner.username, "generated an access token");
    Ok(NewToken { token_value: value.expose().to_owned(), token_info: info })
}

/// The caller's own tokens, newest first. Members may list (and delete) theirs even while they may
/// not generate new ones.
pub async fn list_own(
    store: &Store,
    usage: &UsageLog,
    owner: &Person,
    paging: Paging,
) -> Result<Page<TokenInfo>, TokenError> {
    enabled_settings(store).await?;
    let mut page = store::list_by_owner(store, owner.id, paging).await?;
    page.data.iter_mut().for_each(|token| usage.overlay(token));
    Ok(page)
}

/// Every token in the workspace, with its owner. The caller must be an admin (checked by the caller
/// of this function, which knows how to say no in its own terms).
pub async fn list_workspace(
    store: &Store,
    usage: &UsageLog,
    paging: Paging,
) -> Result<Page<WorkspaceToken>, TokenError> {
    enabled_settings(store).await?;
    let mut page = store::list_all(store, paging).await?;
    page.data.iter_mut().for_each(|token| usage.overlay(&mut token.info));
    Ok(page)
}

/// A token its owner or an admin asks about.
pub async fn get(store: &Store, usage: &UsageLog, caller: &Person, token_id: TokenId) -> Result<TokenInfo, TokenError> {
    enabled_settings(store).await?;
    match store::get(store, token_id).await? {
        Some((mut token, owner_id)) if owner_id == caller.id || caller.is_admin => {
            usage.overlay(&mut token);
            Ok(token)
        }
        _ => Err(TokenError::NotFound),
    }
}

/// Deletes a token of the caller's, or anyone's for an admin. It stops working at once.
pub async fn delete(store: &Store, caller: &Person, token_id: TokenId) -> Result<(), TokenError> {
    enabled_settings(store).await?;
    match store::get(store, token_id).await? {
        Some((_, owner_id)) if owner_id == caller.id || caller.is_admin => {
            if store::delete(store, token_id).await? {
                tracing::info!(%token_id, by = %caller.username, "deleted an access token");
            }
            Ok(())
        }
        _ => Err(TokenError::NotFound),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        people::{DisplayName, Username, store as people_store},
        tokens::MaxLifetime,
        workspace::SettingsChanges,
    };

    /// A fresh SQLite store in a temporary directory (kept alive with it) and one person in it.
    async fn store_with(username: &str, is_admin: bool) -> (Store, Person, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&format!("sqlite:{}", dir.path().join("rules.db").display())).await.unwrap();
        store.migrate().await.unwrap();
        let username = Username::parse(username).unwrap();
        let name = DisplayName::parse_or(None, &username).unwrap();
        let person = people_store::create(&store, &username, &name, "not a real hash", is_admin).await.unwrap();
        (store, person, dir)
    }

    fn month() -> Lifetime {
        Lifetime::Seconds(30 * Lifetime::SECONDS_PER_DAY)
    }

    #[tokio::test]
    async fn members_generate_tokens_only_where_the_workspace_allows_it() {
        let (store, member, _dir) = store_with("member", false).await;
        let refused = generate(&store, &member, month(), Description::default()).await;
        assert!(matches!(refused, Err(TokenError::NotAllowed)), "{refused:?}");
        settings_store::update(
            &store,
            &SettingsChanges { allow_members_to_generate_tokens: Some(true), ..Default::default() },
        )
        .await
        .unwrap();
        let token = generate(&store, &member, month(), Description::default()).await.unwrap();
        let listed = list_own(&store, &UsageLog::default(), &member, Paging::first(10)).await.unwrap();
        assert_eq!(listed.data, vec![token.token_info]);
    }

    #[tokio::test]
    async fn a_lifetime_over_the_workspace_maximum_is_refused_by_field() {
        let (store, admin, _dir) = store_with("admin", true).await;
        let week = SettingsChanges { max_token_lifetime_days: Some(MaxLifetime::Days(7)), ..Default::default() };
        settings_store::update(&store, &week).await.unwrap();
        let refused = generate(&store, &admin, month(), Description::default()).await;
        assert!(matches!(refused, Err(TokenError::Invalid { field: "lifetime", .. })), "{refused:?}");
        assert_eq!(list_own(&store, &UsageLog::default(), &admin, Paging::first(10)).await.unwrap().count, 0);
    }
}
