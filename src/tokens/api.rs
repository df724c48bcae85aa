//! REST: `/v4/apiAccessTokens` (the caller's own tokens) and `/v4/workspaces/current/apiAccessTokens`
//! (every member's, for admins). The rules are in [`super::rules`]; this file only speaks HTTP.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    Description, Lifetime, NewToken, TokenId, TokenInfo, WorkspaceToken,
    rules::{self, TokenError},
};
use crate::{
    auth::layer::Caller,
    error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody},
    json::WholeNumber,
    openapi::{fields, patterns},
    paging::{Page, Paging},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, create)).routes(routes!(one, remove)).routes(routes!(list_workspace))
}

/// What a new token should be.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewTokenRequest {
    #[schema(schema_with = lifetime_seconds)]
    lifetime_seconds: WholeNumber,
    #[serde(default)]
    #[schema(schema_with = description)]
    description: Option<String>,
}

fn lifetime_seconds() -> utoipa::openapi::Schema {
    fields::minus_one_or_up_to(
        Lifetime::MAX_DAYS * Lifetime::SECONDS_PER_DAY,
        "How long the token lives, in seconds; -1 for a token that never expires. The workspace's maximum \
         lifetime (`maxTokenLifetimeDays`) bounds it, and allows -1 only while it is unlimited.",
        false,
    )
}

fn description() -> utoipa::openapi::Schema {
    fields::text(
        patterns::trimmed_line(0, Description::MAX_CHARS),
        "What the token is for: one line, trimmed, at most 255 characters, no control characters.",
        true,
    )
}

/// Generates an access token for the caller.
///
/// With HTTP Basic credentials or a bearer token: either way the token is the caller's own. The
/// value is in this answer only; it cannot be retrieved again.
#[utoipa::path(post, operation_id = "createAccessToken", path = "/apiAccessTokens", tag = "Access tokens", request_body = NewTokenRequest, responses(
    (status = 201, description = "The new token and its value", body = NewToken),
    (status = 400, description = "A lifetime or description that breaks a rule", body = ErrorBody),
    (status = 403, description = "Members may not generate tokens in this workspace", body = ErrorBody),
    (status = 404, description = "Access tokens are disabled in this workspace", body = ErrorBody),
))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewTokenRequest>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let lifetime = Lifetime::from_seconds(body.lifetime_seconds.0).map_err(ApiError::Validation)?;
    let description =
        Description::parse(body.description.as_deref().unwrap_or_default()).map_err(ApiError::Validation)?;
    let token = rules::generate(&state.store, &caller.person, lifetime, description).await?;
    Ok((StatusCode::CREATED, Json(token)))
}

/// The caller's tokens, newest first.
#[utoipa::path(get, operation_id = "listAccessTokens", path = "/apiAccessTokens", tag = "Access tokens", params(Paging), responses(
    (status = 200, body = Page<TokenInfo>),
    (status = 404, description = "Access tokens are disabled in this workspace", body = ErrorBody),
))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<Page<TokenInfo>>, ApiError> {
    Ok(Json(rules::list_own(&state.store, &state.usage, &caller.person, paging).await?))
}

/// Every member's tokens with their owner, newest first (workspace admins).
#[utoipa::path(get, operation_id = "listWorkspaceAccessTokens", path = "/workspaces/current/apiAccessTokens", tag = "Access tokens", params(Paging), responses(
    (status = 200, body = Page<WorkspaceToken>),
    (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
    (status = 404, description = "Access tokens are disabled in this workspace", body = ErrorBody),
))]
async fn list_workspace(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(paging): ApiQuery<Paging>,
) -> Result<Json<Page<WorkspaceToken>>, ApiError> {
    caller.require_admin()?;
    Ok(Json(rules::list_workspace(&state.store, &state.usage, paging).await?))
}

/// One token of the caller's (any token, for workspace admins).
#[utoipa::path(get, operation_id = "getAccessToken", path = "/apiAccessTokens/{tokenId}", tag = "Access tokens",
    params(("tokenId" = String, Path, format = Uuid, description = "The token's id (not its value)")),
    responses(
        (status = 200, body = TokenInfo),
        (status = 404, description = "No such token, or another member's", body = ErrorBody),
    ))]
async fn one(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(token_id): ApiPath<String>,
) -> Result<Json<TokenInfo>, ApiError> {
    let token_id = TokenId::parse(&token_id).ok_or(TokenError::NotFound)?;
    Ok(Json(rules::get(&state.store, &state.usage, &caller.person, token_id).await?))
}

/// Deletes a token of the caller's (any token, for workspace admins). It stops working at once;
/// this cannot be undone.
#[utoipa::path(delete, operation_id = "deleteAccessToken", path = "/apiAccessTokens/{tokenId}", tag = "Access tokens",
    params(("tokenId" = String, Path, format = Uuid, description = "The token's id (not its value)")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such token, or another member's", body = ErrorBody),
    ))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(token_id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let token_id = TokenId::parse(&token_id).ok_or(TokenError::NotFound)?;
    rules::delete(&state.store, &caller.person, token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        match error {
            // As if the routes did not exist (API.md); the message still tells a person why.
            TokenError::Disabled => ApiError::NotFound(error.to_string()),
            TokenError::NotAllowed => ApiError::Forbidden(error.to_string()),
            TokenError::Invalid { message, .. } => ApiError::Validation(message),
            TokenError::NotFound => ApiError::NotFound(error.to_string()),
            TokenError::Store(error) => error.into(),
        }
    }
}
