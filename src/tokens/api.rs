//! REST: `/v4/apiAccessTokens` (the caller's own tokens) and `/v4/workspaces/current/apiAccessTokens`
//! (every member's, for admins). The rules are in [`super::rules`]; this file only speaks HTTP.

use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::get,
};
use serde::Deserialize;

use super::{
    Description, Lifetime, NewToken, TokenId, TokenInfo, WorkspaceToken,
    rules::{self, TokenError},
};
use crate::{
    auth::layer::Caller,
    error::{ApiError, ApiJson, ApiPath, ApiQuery},
    paging::{Page, Paging},
    startup::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/apiAccessTokens", get(list).post(create))
        .route("/apiAccessTokens/{tokenId}", get(one).delete(remove))
        .route("/workspaces/current/apiAccessTokens", get(list_workspace))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct CreateBody {
    lifetime_seconds: i64,
    #[serde(default)]
    description: Option<String>,
}

/// With HTTP Basic credentials or a bearer token: either way the token is the caller's own.
async fn create(State(state): State<AppState>, caller: Caller, ApiJson(body): ApiJson<CreateBody>) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let lifetime = Lifetime::from_seconds(body.lifetime_seconds).map_err(ApiError::Validation)?;
    let description = Description::parse(body.description.as_deref().unwrap_or_default()).map_err(ApiError::Validation)?;
    let token = rules::generate(&state, &caller.person, lifetime, description).await?;
    Ok((StatusCode::CREATED, Json(token)))
}

async fn list(State(state): State<AppState>, caller: Caller, ApiQuery(paging): ApiQuery<Paging>) -> Result<Json<Page<TokenInfo>>, ApiError> {
    let (limit, offset) = paging.checked()?;
    let (data, count) = rules::list_own(&state, &caller.person, limit, offset).await?;
    Ok(Json(Page { data, count }))
}

async fn list_workspace(State(state): State<AppState>, caller: Caller, ApiQuery(paging): ApiQuery<Paging>) -> Result<Json<Page<WorkspaceToken>>, ApiError> {
    caller.require_admin()?;
    let (limit, offset) = paging.checked()?;
    let (data, count) = rules::list_workspace(&state, limit, offset).await?;
    Ok(Json(Page { data, count }))
}

async fn one(State(state): State<AppState>, caller: Caller, ApiPath(token_id): ApiPath<String>) -> Result<Json<TokenInfo>, ApiError> {
    let token_id = TokenId::parse(&token_id).ok_or(TokenError::NotFound)?;
    Ok(Json(rules::get(&state, &caller.person, token_id).await?))
}

async fn remove(State(state): State<AppState>, caller: Caller, ApiPath(token_id): ApiPath<String>) -> Result<StatusCode, ApiError> {
    let token_id = TokenId::parse(&token_id).ok_or(TokenError::NotFound)?;
    rules::delete(&state, &caller.person, token_id).await?;
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
