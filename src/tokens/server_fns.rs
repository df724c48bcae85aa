//! Server functions of the Access Tokens page: the same rules as the REST API ([`super::rules`]),
//! for the signed-in person.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{MaxLifetime, NewToken, Owner, TokenDetails, TokenInfo, TokenKey, WorkspaceToken};
use crate::{audit::AuditEvent, paging::Slice, ui_error::UiError};

/// What the viewer may do with tokens, so the page can explain instead of failing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPolicy {
    pub enabled: bool,
    pub may_generate: bool,
    pub max_lifetime: MaxLifetime,
    pub is_admin: bool,
}

#[server(endpoint = "token_policy")]
pub async fn load_token_policy() -> Result<TokenPolicy, UiError> {
    use crate::{auth::viewer::require_viewer, state::AppState};

    let viewer = require_viewer().await?;
    let settings = crate::workspace::store::get(&AppState::from_context().store).await?;
    Ok(TokenPolicy {
        enabled: settings.access_tokens_enabled,
        may_generate: settings.tokens_allowed_for(viewer.is_admin),
        max_lifetime: settings.max_token_lifetime_days,
        is_admin: viewer.is_admin,
    })
}

/// The viewer's tokens that expire within a week, for the warning on every page; `None` when there
/// are none, the viewer dismissed the warning about them, or nobody is signed in.
#[server(endpoint = "expiring_soon")]
pub async fn expiring_soon() -> Result<Option<super::expiring::ExpiringSoon>, UiError> {
    use super::expiring::{ExpiringSoon, MAX_COUNTED, WARN_DAYS, dismissed};
    use crate::{
        auth::viewer::{request_headers, viewer},
        state::AppState,
    };

    let Some(viewer) = viewer().await? else { return Ok(None) };
    let store = &AppState::from_context().store;
    let settings = crate::workspace::store::get(store).await?;
    // Tokens that do not work anyway (off, or not for members) do not expire in any sense that matters.
    if !settings.tokens_allowed_for(viewer.is_admin) {
        return Ok(None);
    }
    let now = crate::clock::now();
    let until = now + time::Duration::days(WARN_DAYS);
    let max = settings.max_token_lifetime_days;
    let soon = super::store::expiring_soon(store, viewer.id, now, until, max, MAX_COUNTED as i64 + 1).await?;
    let Some(first) = soon.first().map(|token| token.expires_at) else { return Ok(None) };
    // Dismissed: until a token comes into the week after that (created since, or its last week
    // begun since).
    let warning = time::Duration::days(WARN_DAYS);
    let last_came = soon.iter().map(|token| token.created_at.max(token.expires_at - warning)).max();
    if let (Some(dismissed), Some(last_came)) = (dismissed(&request_headers().await?), last_came)
        && crate::timestamp::to_millis(last_came) <= dismissed
    {
        return Ok(None);
    }
    let first = crate::timestamp::to_millis(first);
    Ok(Some(ExpiringSoon { count: soon.len().min(MAX_COUNTED), more: soon.len() > MAX_COUNTED, first }))
}

/// The viewer's tokens to be revoked for going unused, once warned of; `None` when there are none,
/// the workspace revokes none, or nobody is signed in.
#[server(endpoint = "idle_soon")]
pub async fn idle_soon() -> Result<Option<super::expiring::IdleSoon>, UiError> {
    use crate::{auth::viewer::viewer, state::AppState, workspace::IdleLimit};

    let Some(viewer) = viewer().await? else { return Ok(None) };
    let store = &AppState::from_context().store;
    let settings = crate::workspace::store::get(store).await?;
    let IdleLimit::Days(limit) = settings.revoke_unused_after_days else { return Ok(None) };
    if !settings.tokens_allowed_for(viewer.is_admin) {
        return Ok(None);
    }
    let (count, first) = super::store::idle_warned(store, viewer.id, limit).await?;
    Ok(first
        .filter(|_| count > 0)
        .map(|first| super::expiring::IdleSoon { count, first: crate::timestamp::to_millis(first) }))
}

/// A page of the viewer's tokens: the first, or the one right after (older than) or before
/// (newer than) the token a key names, as the page's links give them (`TokenKey` as text).
#[server(endpoint = "my_tokens")]
pub async fn my_tokens(after: Option<String>, before: Option<String>) -> Result<Slice<TokenInfo, TokenKey>, UiError> {
    use crate::{auth::viewer::require_viewer, state::AppState};

    let viewer = require_viewer().await?;
    let seek = ssr::seek(after, before)?;
    let state = AppState::from_context();
    Ok(super::rules::list_own(&state.store, &state.usage, viewer.id, &seek).await?)
}

/// The same page of every member's tokens (admins).
#[server(endpoint = "workspace_tokens")]
pub async fn workspace_tokens(
    after: Option<String>,
    before: Option<String>,
) -> Result<Slice<WorkspaceToken, TokenKey>, UiError> {
    use crate::{auth::viewer::require_admin, state::AppState};

    require_admin().await?;
    let seek = ssr::seek(after, before)?;
    let state = AppState::from_context();
    Ok(super::rules::list_workspace(&state.store, &state.usage, &seek).await?)
}

/// One token as its details page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TokenPage {
    pub details: TokenDetails,
    pub owner: Owner,
    /// The viewer's own token (else an admin looks at a member's).
    pub own: bool,
    /// What happened to it, newest first: generated (or made by a rotation), rotated, and by whom.
    pub history: Vec<AuditEvent>,
    /// When this was read, which relative times are relative to.
    #[serde(with = "crate::timestamp::rfc3339")]
    pub read_at: time::OffsetDateTime,
}

/// How many of a token's events its page shows.
pub const HISTORY_SHOWN: i64 = 50;

/// A token of the viewer's, or any member's for an admin; to anyone else it does not exist.
#[server(endpoint = "token_page")]
pub async fn load_token_page(token_id: String) -> Result<TokenPage, UiError> {
    use super::{
        TokenId,
        rules::{self, TokenError},
    };
    use crate::{auth::layer::Caller, auth::viewer::require_viewer, state::AppState};

    let viewer = require_viewer().await?;
    let state = AppState::from_context();
    let token_id = TokenId::parse(&token_id).ok_or(TokenError::NotFound)?;
    let caller = Caller::session(viewer);
    let (details, owner_id) = rules::details(&state.store, &state.usage, &caller, token_id).await?;
    let owner = match owner_id == caller.person.id {
        true => Some(caller.person.clone()),
        false => crate::people::store::find(&state.store, owner_id).await?,
    }
    .ok_or(TokenError::NotFound)?;
    let replaces = details.info.replaces.map(|id| id.to_string());
    let history =
        crate::audit::store::about_token(&state.store, &token_id.to_string(), replaces.as_deref(), HISTORY_SHOWN)
            .await?;
    Ok(TokenPage {
        details,
        own: owner.id == caller.person.id,
        owner: Owner { id: owner.id, username: owner.username, name: owner.name },
        history,
        read_at: crate::clock::now(),
    })
}

/// A page of the tokens that no longer work: the viewer's, or with `all` every member's (admins).
#[server(endpoint = "inactive_tokens")]
pub async fn inactive_tokens(
    all: bool,
    after: Option<String>,
    before: Option<String>,
) -> Result<Slice<WorkspaceToken, TokenKey>, UiError> {
    use crate::{
        auth::viewer::{require_admin, require_viewer},
        state::AppState,
    };

    let owner = match all {
        true => {
            require_admin().await?;
            None
        }
        false => Some(require_viewer().await?.id),
    };
    let seek = ssr::seek(after, before)?;
    Ok(super::rules::list_inactive(&AppState::from_context().store, owner, &seek).await?)
}

/// The token page's switch for the alert of new addresses: `on` is present to turn it on. A plain
/// form posts here and is sent back to the page.
#[server(endpoint = "set_new_ip_alert")]
pub async fn set_new_ip_alert(token_id: String, on: Option<String>) -> Result<(), UiError> {
    use super::{TokenId, rules::TokenError};
    use crate::{auth::layer::Caller, auth::viewer::require_viewer, state::AppState};

    let viewer = require_viewer().await?;
    let token_id = TokenId::parse(&token_id).ok_or(TokenError::NotFound)?;
    let store = &AppState::from_context().store;
    Ok(super::rules::set_alert_new_ip(store, &Caller::session(viewer), token_id, on.is_some()).await?)
}

/// `lifetime_days` is the form field as typed: a whole number of days, or `-1`. `access` is
/// `read_api` or `api` (the default: a page loaded before scopes existed sends none); `admin` is the
/// checkbox that adds the admin scope (present when ticked).
#[server(endpoint = "generate_token")]
pub async fn generate_token(
    lifetime_days: String,
    description: String,
    access: Option<String>,
    admin: Option<String>,
) -> Result<NewToken, UiError> {
    use crate::{auth::viewer::require_viewer, state::AppState};

    let viewer = require_viewer().await?;
    let form = ssr::GenerateForm {
        lifetime_days: &lifetime_days,
        description: &description,
        access: access.as_deref().unwrap_or("api"),
        admin: admin.is_some(),
    };
    ssr::generate(&AppState::from_context().store, viewer, form).await
}

/// `grace_seconds`: how long the old token may keep working (until the new one's first use), as
/// the dialog's choice: `0` for not at all.
#[server(endpoint = "rotate_token")]
pub async fn rotate_token(token_id: String, grace_seconds: String) -> Result<NewToken, UiError> {
    use crate::{auth::viewer::require_viewer, state::AppState};

    let viewer = require_viewer().await?;
    ssr::rotate(&AppState::from_context().store, viewer, &token_id, &grace_seconds).await
}

#[server(endpoint = "delete_token")]
pub async fn delete_token(token_id: String) -> Result<(), UiError> {
    use crate::{auth::viewer::require_viewer, state::AppState};

    let viewer = require_viewer().await?;
    ssr::delete(&AppState::from_context().store, viewer, &token_id).await
}

/// The page's actions on form fields as typed, shared by the server functions and the forms posted
/// to the page ([`crate::tokens::form_posts`]).
#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::{
        auth::layer::Caller,
        paging::{Seek, Start},
        people::Person,
        store::Store,
        tokens::{
            Description, Lifetime, NewToken, Scope, Scopes, TokenId, TokenKey,
            page::listing,
            rules::{self, MAX_GRACE_SECONDS, TokenError},
        },
        ui_error::UiError,
    };

    /// The Generate New Token form as posted.
    pub struct GenerateForm<'a> {
        /// A whole number of days, or `-1`.
        pub lifetime_days: &'a str,
        pub description: &'a str,
        /// `read_api` or `api` (also when empty).
        pub access: &'a str,
        /// The admin checkbox.
        pub admin: bool,
    }

    pub async fn generate(store: &Store, viewer: Person, form: GenerateForm<'_>) -> Result<NewToken, UiError> {
        let lifetime =
            Lifetime::from_days_field(form.lifetime_days).map_err(|message| UiError::invalid("lifetime", message))?;
        let description =
            Description::parse(form.description).map_err(|message| UiError::invalid("description", message))?;
        let access = match form.access {
            "read_api" => Scope::ReadApi,
            "api" | "" => Scope::Api,
            _ => return Err(UiError::invalid("scopes", "Choose read-only or read and write.")),
        };
        let scopes = Scopes::from_scopes([access].into_iter().chain(form.admin.then_some(Scope::Admin)))
            .map_err(|message| UiError::invalid("scopes", message))?;
        Ok(rules::generate(store, &Caller::session(viewer), lifetime, description, Some(scopes), false).await?)
    }

    pub async fn rotate(
        store: &Store,
        viewer: Person,
        token_id: &str,
        grace_seconds: &str,
    ) -> Result<NewToken, UiError> {
        let token_id = TokenId::parse(token_id).ok_or_else(|| UiError::Refused("No such access token.".into()))?;
        let grace_seconds = grace_seconds
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|seconds| (0..=MAX_GRACE_SECONDS).contains(seconds))
            .ok_or_else(|| UiError::invalid("grace", "Choose when the old token stops working."))?;
        Ok(rules::rotate(store, &Caller::session(viewer), token_id, grace_seconds).await?)
    }

    /// A page of [`listing::PAGE_SIZE`] tokens, after or before a key (the first page when neither
    /// is given). A key that does not read is refused: the page's own links never hold one.
    pub fn seek(after: Option<String>, before: Option<String>) -> Result<Seek<TokenKey>, UiError> {
        let key = |text: String| {
            TokenKey::parse(&text).ok_or_else(|| UiError::Refused("That page link is not one of this page's.".into()))
        };
        let start = match (after, before) {
            (Some(after), _) => Start::After(key(after)?),
            (None, Some(before)) => Start::Before(key(before)?),
            (None, None) => Start::First,
        };
        Seek::new(listing::PAGE_SIZE, 0, start).map_err(UiError::Refused)
    }

    pub async fn delete(store: &Store, viewer: Person, token_id: &str) -> Result<(), UiError> {
        let token_id = TokenId::parse(token_id).ok_or_else(|| UiError::Refused("No such access token.".into()))?;
        Ok(rules::delete(store, &Caller::session(viewer), token_id).await?)
    }

    impl From<TokenError> for UiError {
        fn from(error: TokenError) -> Self {
            match error {
                TokenError::Invalid { field, message } => UiError::invalid(field, message),
                TokenError::Store(error) => error.into(),
                other => UiError::Refused(other.to_string()),
            }
        }
    }
}
