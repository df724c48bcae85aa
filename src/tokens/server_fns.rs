//! Server functions of the Access Tokens page: the same rules as the REST API ([`super::rules`]),
//! for the signed-in person.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::{NewToken, TokenInfo, WorkspaceToken};
use crate::{ui_error::UiError, workspace::MaxLifetime};

/// What the viewer may do with tokens, so the page can explain instead of failing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPolicy {
    pub enabled: bool,
    pub may_generate: bool,
    pub max_lifetime: MaxLifetime,
    pub is_admin: bool,
}

/// One page of a list, and the total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenPage<T> {
    pub tokens: Vec<T>,
    pub count: i64,
}

/// The most tokens one request lists.
pub const MAX_PAGE: i64 = 1000;

#[server(endpoint = "token_policy")]
pub async fn load_token_policy() -> Result<TokenPolicy, UiError> {
    let viewer = crate::auth::require_viewer().await?;
    let settings = crate::workspace::store::get(&crate::auth::app_state().store).await?;
    Ok(TokenPolicy {
        enabled: settings.access_tokens_enabled,
        may_generate: settings.tokens_allowed_for(viewer.is_admin),
        max_lifetime: settings.max_token_lifetime_days,
        is_admin: viewer.is_admin,
    })
}

#[server(endpoint = "my_tokens")]
pub async fn my_tokens(limit: i64, offset: i64) -> Result<TokenPage<TokenInfo>, UiError> {
    let viewer = crate::auth::require_viewer().await?;
    let (limit, offset) = ssr::paging(limit, offset)?;
    let (tokens, count) = super::rules::list_own(&crate::auth::app_state(), &viewer, limit, offset).await?;
    Ok(TokenPage { tokens, count })
}

#[server(endpoint = "workspace_tokens")]
pub async fn workspace_tokens(limit: i64, offset: i64) -> Result<TokenPage<WorkspaceToken>, UiError> {
    crate::auth::require_admin().await?;
    let (limit, offset) = ssr::paging(limit, offset)?;
    let (tokens, count) = super::rules::list_workspace(&crate::auth::app_state(), limit, offset).await?;
    Ok(TokenPage { tokens, count })
}

/// `lifetime_days` is the form field as typed: a whole number of days, or `-1`.
#[server(endpoint = "generate_token")]
pub async fn generate_token(lifetime_days: String, description: String) -> Result<NewToken, UiError> {
    let viewer = crate::auth::require_viewer().await?;
    ssr::generate(&crate::auth::app_state(), &viewer, &lifetime_days, &description).await
}

#[server(endpoint = "delete_token")]
pub async fn delete_token(token_id: String) -> Result<(), UiError> {
    let viewer = crate::auth::require_viewer().await?;
    ssr::delete(&crate::auth::app_state(), &viewer, &token_id).await
}

/// The page's actions on form fields as typed, shared by the server functions and the forms posted
/// without JavaScript ([`crate::tokens::form_posts`]).
#[cfg(feature = "ssr")]
pub mod ssr {
    use super::MAX_PAGE;
    use crate::{
        people::Person,
        startup::AppState,
        tokens::{Description, Lifetime, NewToken, TokenId, rules::TokenError},
        ui_error::UiError,
    };

    /// `lifetime_days`: a whole number of days, or `-1`.
    pub async fn generate(
        state: &AppState,
        viewer: &Person,
        lifetime_days: &str,
        description: &str,
    ) -> Result<NewToken, UiError> {
        let lifetime =
            Lifetime::from_days_field(lifetime_days).map_err(|message| UiError::invalid("lifetime", message))?;
        let description =
            Description::parse(description).map_err(|message| UiError::invalid("description", message))?;
        Ok(crate::tokens::rules::generate(state, viewer, lifetime, description).await?)
    }

    pub async fn delete(state: &AppState, viewer: &Person, token_id: &str) -> Result<(), UiError> {
        let token_id = TokenId::parse(token_id).ok_or_else(|| UiError::Refused("No such access token.".into()))?;
        Ok(crate::tokens::rules::delete(state, viewer, token_id).await?)
    }

    pub fn paging(limit: i64, offset: i64) -> Result<(i64, i64), UiError> {
        if (1..=MAX_PAGE).contains(&limit) && offset >= 0 {
            Ok((limit, offset))
        } else {
            Err(UiError::Refused(format!("Lists show 1 to {MAX_PAGE} tokens at a time.")))
        }
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
