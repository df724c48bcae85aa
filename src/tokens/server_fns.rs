//! Server functions of the Access Tokens page: the same rules as the REST API ([`super::rules`]),
//! for the signed-in person.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{MaxLifetime, NewToken, TokenInfo, WorkspaceToken};
use crate::{paging::Page, ui_error::UiError};

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

#[server(endpoint = "my_tokens")]
pub async fn my_tokens(limit: i64, offset: i64) -> Result<Page<TokenInfo>, UiError> {
    use crate::{auth::viewer::require_viewer, paging::Paging, state::AppState};

    let viewer = require_viewer().await?;
    let paging = Paging::new(limit, offset).map_err(UiError::Refused)?;
    let state = AppState::from_context();
    Ok(super::rules::list_own(&state.store, &state.usage, &viewer, paging).await?)
}

#[server(endpoint = "workspace_tokens")]
pub async fn workspace_tokens(limit: i64, offset: i64) -> Result<Page<WorkspaceToken>, UiError> {
    use crate::{auth::viewer::require_admin, paging::Paging, state::AppState};

    require_admin().await?;
    let paging = Paging::new(limit, offset).map_err(UiError::Refused)?;
    let state = AppState::from_context();
    Ok(super::rules::list_workspace(&state.store, &state.usage, paging).await?)
}

/// `lifetime_days` is the form field as typed: a whole number of days, or `-1`.
#[server(endpoint = "generate_token")]
pub async fn generate_token(lifetime_days: String, description: String) -> Result<NewToken, UiError> {
    use crate::{auth::viewer::require_viewer, state::AppState};

    let viewer = require_viewer().await?;
    ssr::generate(&AppState::from_context().store, &viewer, &lifetime_days, &description).await
}

#[server(endpoint = "delete_token")]
pub async fn delete_token(token_id: String) -> Result<(), UiError> {
    use crate::{auth::viewer::require_viewer, state::AppState};

    let viewer = require_viewer().await?;
    ssr::delete(&AppState::from_context().store, &viewer, &token_id).await
}

/// The page's actions on form fields as typed, shared by the server functions and the forms posted
/// without JavaScript ([`crate::tokens::form_posts`]).
#[cfg(feature = "ssr")]
pub mod ssr {
    use crate::{
        people::Person,
        store::Store,
        tokens::{Description, Lifetime, NewToken, TokenId, rules::TokenError},
        ui_error::UiError,
    };

    /// `lifetime_days`: a whole number of days, or `-1`.
    pub async fn generate(
        store: &Store,
        viewer: &Person,
        lifetime_days: &str,
        description: &str,
    ) -> Result<NewToken, UiError> {
        let lifetime =
            Lifetime::from_days_field(lifetime_days).map_err(|message| UiError::invalid("lifetime", message))?;
        let description =
            Description::parse(description).map_err(|message| UiError::invalid("description", message))?;
        Ok(crate::tokens::rules::generate(store, viewer, lifetime, description).await?)
    }

    pub async fn delete(store: &Store, viewer: &Person, token_id: &str) -> Result<(), UiError> {
        let token_id = TokenId::parse(token_id).ok_or_else(|| UiError::Refused("No such access token.".into()))?;
        Ok(crate::tokens::rules::delete(store, viewer, token_id).await?)
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
