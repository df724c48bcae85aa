//! The rules of the token feature, in one place for the REST API and the page's server functions:
//! who may generate, list, read and delete which token, and what a new token may look like.

use time::OffsetDateTime;

use super::{
    Description, Lifetime, NewToken, TokenId, TokenInfo, WorkspaceToken,
    store::{self, NewRow},
    value::TokenValue,
};
use crate::{
    people::Person,
    startup::AppState,
    store::StoreError,
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

async fn enabled_settings(state: &AppState) -> Result<WorkspaceSettings, TokenError> {
    let settings = settings_store::get(&state.store).await?;
    if settings.access_tokens_enabled { Ok(settings) } else { Err(TokenError::Disabled) }
}

/// Generates a token for `owner` (always the caller: nobody generates a token for someone else).
pub async fn generate(
    state: &AppState,
    owner: &Person,
    lifetime: Lifetime,
    description: Description,
) -> Result<NewToken, TokenError> {
    let settings = enabled_settings(state).await?;
    if !settings.tokens_allowed_for(owner.is_admin) {
        return Err(TokenError::NotAllowed);
    }
    settings
        .max_token_lifetime_days
        .allows(lifetime)
        .map_err(|message| TokenError::Invalid { field: "lifetime", message })?;
    let value = TokenValue::generate();
    let created_at = OffsetDateTime::now_utc();
    let info = store::insert(
        &state.store,
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
    state: &AppState,
    owner: &Person,
    limit: i64,
    offset: i64,
) -> Result<(Vec<TokenInfo>, i64), TokenError> {
    enabled_settings(state).await?;
    let (mut tokens, count) = store::list_by_owner(&state.store, owner.id, limit, offset).await?;
    tokens.iter_mut().for_each(|token| state.usage.overlay(token));
    Ok((tokens, count))
}

/// Every token in the workspace, with its owner. The caller must be an admin (checked by the caller
/// of this function, which knows how to say no in its own terms).
pub async fn list_workspace(
    state: &AppState,
    limit: i64,
    offset: i64,
) -> Result<(Vec<WorkspaceToken>, i64), TokenError> {
    enabled_settings(state).await?;
    let (mut tokens, count) = store::list_all(&state.store, limit, offset).await?;
    tokens.iter_mut().for_each(|token| state.usage.overlay(&mut token.info));
    Ok((tokens, count))
}

/// A token its owner or an admin asks about.
pub async fn get(state: &AppState, caller: &Person, token_id: TokenId) -> Result<TokenInfo, TokenError> {
    enabled_settings(state).await?;
    match store::get(&state.store, token_id).await? {
        Some((mut token, owner_id)) if owner_id == caller.id || caller.is_admin => {
            state.usage.overlay(&mut token);
            Ok(token)
        }
        _ => Err(TokenError::NotFound),
    }
}

/// Deletes a token of the caller's, or anyone's for an admin. It stops working at once.
pub async fn delete(state: &AppState, caller: &Person, token_id: TokenId) -> Result<(), TokenError> {
    enabled_settings(state).await?;
    match store::get(&state.store, token_id).await? {
        Some((_, owner_id)) if owner_id == caller.id || caller.is_admin => {
            if store::delete(&state.store, token_id).await? {
                tracing::info!(%token_id, by = %caller.username, "deleted an access token");
            }
            Ok(())
        }
        _ => Err(TokenError::NotFound),
    }
}
