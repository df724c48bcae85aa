//! REST: `/v4/apiAccessTokens` (the caller's own tokens) and `/v4/workspaces/current/apiAccessTokens`
//! (every member's, for admins). The rules are in [`super::rules`]; this file only speaks HTTP.

use axum::{Json, extract::State, http::StatusCode};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    Description, Lifetime, NewToken, Scope, Scopes, TokenDetails, TokenId, TokenInfo, TokenKey, WorkspaceToken,
    rules::{self, MAX_GRACE_SECONDS, TokenError},
};
use crate::{
    auth::layer::{Admin, Caller, Credential},
    error::{ApiBytes, ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody, object_body},
    json::WholeNumber,
    openapi::{fields, patterns},
    paging::{CursorPage, Paging, Seek, Start},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(current))
        .routes(routes!(report_leaked))
        .routes(routes!(one, remove))
        .routes(routes!(rotate))
        .routes(routes!(list_workspace))
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
    /// What the token may do: `read_api` (read-only), `api` (everything but admin-only
    /// endpoints), and `admin` (admin-only endpoints, added to one of the other two; admins only).
    /// Omitted: `["api"]` for a member and `["api", "admin"]` for an admin, as before scopes
    /// existed. A token creating a token can give it no scope it lacks itself.
    #[serde(default)]
    #[schema(schema_with = scopes)]
    scopes: Option<Vec<String>>,
    /// Tell its owner (on their pages) and the webhooks (`token.used_from_new_ip`) of its first
    /// use from an address outside its last 5. Omitted: `false`.
    #[serde(default)]
    alert_on_new_ip: Option<bool>,
}

/// How to rotate a token.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RotateRequest {
    /// How long the old token keeps working, at most, in seconds (0 to 86,400): it stops at the
    /// new token's first use or when this ends, whichever comes first. 0 (the default): at once.
    #[serde(default)]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 86400)]
    grace_seconds: Option<WholeNumber>,
}

fn lifetime_seconds() -> utoipa::openapi::Schema {
    fields::minus_one_or_up_to(
        Lifetime::MAX_DAYS * Lifetime::SECONDS_PER_DAY,
        "How long the token lives, in seconds; -1 for a token that never expires. The workspace's maximum \
         lifetime (`maxTokenLifetimeDays`) bounds it, and allows -1 only while it is unlimited.",
        false,
    )
}

/// One or more scope names, at least one of them `read_api` or `api` (the document says so with
/// `contains`, which utoipa's schema types lack: [`crate::openapi::Document::new`] adds it).
fn scopes() -> utoipa::openapi::Schema {
    let names: Vec<&str> = Scope::ALL.iter().map(|scope| scope.name()).collect();
    serde_json::from_value(serde_json::json!({
        "type": ["array", "null"],
        "items": { "type": "string", "enum": names },
        "minItems": 1,
        "description": "What the token may do: `read_api` (read-only), `api` (everything but admin-only \
                        endpoints), and `admin` (admin-only endpoints, added to one of the other two; admins \
                        only). Omitted: `[\"api\"]` for a member and `[\"api\", \"admin\"]` for an admin, as \
                        before scopes existed. A token creating a token can give it no scope it lacks itself."
    }))
    .expect("a JSON Schema utoipa reads")
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
#[utoipa::path(post, operation_id = "createAccessToken", path = "/apiAccessTokens", tag = "Access tokens", request_body = NewTokenRequest,
    security(("bearerToken" = ["api"])),
    responses(
    (status = 201, description = "The new token and its value", body = NewToken),
    (status = 400, description = "A lifetime or description that breaks a rule", body = ErrorBody),
    (status = 403, description = "Members may not generate tokens in this workspace", body = ErrorBody),
    (status = 404, description = "Access tokens are disabled in this workspace", body = ErrorBody),
    (status = 409, description = "The caller holds as many active tokens as the workspace allows one person", body = ErrorBody),
))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<NewTokenRequest>,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let lifetime = Lifetime::from_seconds(body.lifetime_seconds.0).map_err(ApiError::Validation)?;
    let description =
        Description::parse(body.description.as_deref().unwrap_or_default()).map_err(ApiError::Validation)?;
    let scopes = body.scopes.as_deref().map(Scopes::parse).transpose().map_err(ApiError::Validation)?;
    let alert = body.alert_on_new_ip.unwrap_or(false);
    let token = rules::generate(&state.store, &caller, lifetime, description, scopes, alert).await?;
    Ok((StatusCode::CREATED, Json(token)))
}

/// Replaces a token with a new one (its owner, or a workspace admin; a token may rotate itself).
///
/// The new token has a new id and value, the same description and scopes, and the same lifetime
/// counted from now, within the workspace's maximum; a token asking cannot give it a later expiry
/// than its own. Its `replaces` names the old token. The old token stops working at once, or,
/// with `graceSeconds`, at the new token's first use or when the grace ends, whichever is first.
/// An expired, deleted or already rotated token cannot be rotated.
#[utoipa::path(post, operation_id = "rotateAccessToken", path = "/apiAccessTokens/{tokenId}/rotate", tag = "Access tokens",
    params(("tokenId" = String, Path, format = Uuid, description = "The token's id (not its value)")),
    request_body(content = Option<RotateRequest>, description = "Optional: the grace period"),
    security(("bearerToken" = ["api"])),
    responses(
        (status = 201, description = "The new token and its value", body = NewToken),
        (status = 400, description = "A grace period out of range", body = ErrorBody),
        (status = 403, description = "Members may not generate tokens in this workspace, or the calling token lacks a scope", body = ErrorBody),
        (status = 404, description = "No such token, or another member's", body = ErrorBody),
        (status = 409, description = "The token expired, or was rotated already (rotate its replacement)", body = ErrorBody),
    ))]
async fn rotate(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(token_id): ApiPath<String>,
    ApiBytes(body): ApiBytes,
) -> Result<(StatusCode, Json<NewToken>), ApiError> {
    let token_id = TokenId::parse(&token_id).ok_or(TokenError::NotFound)?;
    // The body is optional: none at all (or `null`) rotates at once.
    let request: RotateRequest = match body.iter().all(u8::is_ascii_whitespace) {
        true => RotateRequest::default(),
        false => match serde_json::from_slice::<serde_json::Value>(&body)
            .map_err(|error| ApiError::Validation(format!("The request body is not valid: {error}")))?
        {
            serde_json::Value::Null => RotateRequest::default(),
            value => object_body(value)?,
        },
    };
    let grace_seconds = request.grace_seconds.map_or(0, |seconds| seconds.0);
    if !(0..=MAX_GRACE_SECONDS).contains(&grace_seconds) {
        return Err(ApiError::Validation(format!(
            "graceSeconds is from 0 (the old token stops at once) to {MAX_GRACE_SECONDS} (a day)."
        )));
    }
    let token = rules::rotate(&state.store, &caller, token_id, grace_seconds).await?;
    Ok((StatusCode::CREATED, Json(token)))
}

/// Which page of a token list, as the query string says: after a `cursor`, or by `offset` (as
/// before cursors existed), or both (skipping `offset` tokens after the cursor).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct TokenListQuery {
    /// How many tokens to return: 1 to 1000 (default 100).
    #[param(required = false, minimum = 1, maximum = 1000, default = 100)]
    limit: Option<i64>,
    /// How many tokens to skip (default 0), from the start or from `cursor`. The server reads every
    /// token it skips: for deep pages of long lists, pass `cursor` alone instead.
    #[param(required = false, minimum = 0, default = 0)]
    offset: Option<i64>,
    /// Where the page starts: the `nextCursor` of the page before, passed back as it is. Any page
    /// costs what the first does.
    #[param(
        required = false,
        pattern = r"^[0-9]{1,18}\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
    )]
    cursor: Option<String>,
    /// `inactive`: the tokens that no longer work instead, with when, why and by whom they
    /// ended (`ended`): revoked ones (deleted, rotated, reported leaked; kept for the workspace's
    /// audit retention period), expired ones, and those whose owner's account is disabled.
    /// Omitted: the tokens as before (working and expired ones).
    #[param(required = false, inline)]
    status: Option<ListStatus>,
}

/// Which tokens a list holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
enum ListStatus {
    Inactive,
}

impl TokenListQuery {
    fn inactive(&self) -> bool {
        self.status == Some(ListStatus::Inactive)
    }

    fn seek(self) -> Result<Seek<TokenKey>, ApiError> {
        let start = match self.cursor {
            Some(cursor) => Start::After(TokenKey::parse(&cursor).ok_or_else(|| {
                ApiError::Validation("cursor is not one this API gave out: pass a nextCursor back as it is.".into())
            })?),
            None => Start::First,
        };
        Seek::new(self.limit.unwrap_or(Paging::DEFAULT_LIMIT), self.offset.unwrap_or(0), start)
            .map_err(ApiError::Validation)
    }
}

/// The caller's tokens, newest first; with `status=inactive`, those that no longer work.
#[utoipa::path(get, operation_id = "listAccessTokens", path = "/apiAccessTokens", tag = "Access tokens", params(TokenListQuery),
    security(("bearerToken" = ["read_api"])),
    responses(
    (status = 200, body = CursorPage<TokenInfo>),
    (status = 400, description = "A limit, offset or cursor that cannot be read", body = ErrorBody),
    (status = 404, description = "Access tokens are disabled in this workspace", body = ErrorBody),
))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<TokenListQuery>,
) -> Result<Json<CursorPage<TokenInfo>>, ApiError> {
    let inactive = query.inactive();
    let seek = query.seek()?;
    if inactive {
        let page = rules::list_inactive(&state.store, Some(caller.person.id), &seek).await?;
        return Ok(Json(page.map(|token| token.info).into()));
    }
    Ok(Json(rules::list_own(&state.store, &state.usage, caller.person.id, &seek).await?.into()))
}

/// Every member's tokens with their owner, newest first (workspace admins); with
/// `status=inactive`, those that no longer work.
#[utoipa::path(get, operation_id = "listWorkspaceAccessTokens", path = "/workspaces/current/apiAccessTokens", tag = "Access tokens", params(TokenListQuery),
    security(("bearerToken" = ["read_api", "admin"])),
    responses(
    (status = 200, body = CursorPage<WorkspaceToken>),
    (status = 400, description = "A limit, offset or cursor that cannot be read", body = ErrorBody),
    (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
    (status = 404, description = "Access tokens are disabled in this workspace", body = ErrorBody),
))]
async fn list_workspace(
    State(state): State<AppState>,
    _: Admin,
    ApiQuery(query): ApiQuery<TokenListQuery>,
) -> Result<Json<CursorPage<WorkspaceToken>>, ApiError> {
    let inactive = query.inactive();
    let seek = query.seek()?;
    if inactive {
        return Ok(Json(rules::list_inactive(&state.store, None, &seek).await?.into()));
    }
    Ok(Json(rules::list_workspace(&state.store, &state.usage, &seek).await?.into()))
}

/// Where leaked tokens are reported, under `/v4`; open to anyone (see `auth::layer::authenticate`).
pub const REPORT_ROUTE: &str = "/apiAccessTokens/revoke";

/// A leaked token's value, as found.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LeakReport {
    /// The value (`atk_...`), not its id.
    token_value: String,
}

/// The same answer to every report.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ReportReceived {
    /// Always `received`.
    status: &'static str,
}

/// Reports a leaked token's value: if it is a live token, it is revoked at once and the audit
/// trail says so. No credentials: whoever found the value (a person, a secret scanner) holds only
/// that. The answer is the same whether or not the value was a live token, and is sent before it
/// is looked up, so it reveals nothing.
#[utoipa::path(post, operation_id = "reportLeakedAccessToken", path = "/apiAccessTokens/revoke", tag = "Access tokens",
    request_body = LeakReport,
    security(()),
    responses(
        (status = 202, description = "Received; a live token it names is revoked", body = ReportReceived),
        (status = 429, description = "Too many reports from this address; see `Retry-After`", body = ErrorBody),
    ))]
async fn report_leaked(
    State(state): State<AppState>,
    client: Option<axum::Extension<crate::client_ip::ClientIp>>,
    ApiJson(report): ApiJson<LeakReport>,
) -> Result<(StatusCode, Json<ReportReceived>), ApiError> {
    state.leak_reports.allow(client.and_then(|client| client.0.0)).map_err(ApiError::Throttled)?;
    tokio::spawn(async move {
        if let Err(error) = rules::revoke_reported(&state.store, &report.token_value).await {
            tracing::error!(%error, "could not act on a leaked-token report");
        }
    });
    Ok((StatusCode::ACCEPTED, Json(ReportReceived { status: "received" })))
}

/// The access token the request is made with: a client learns what its token is, what it may do,
/// when it expires and where it was used, without knowing its id. Only for bearer requests.
#[utoipa::path(get, operation_id = "getCurrentAccessToken", path = "/apiAccessTokens/current", tag = "Access tokens",
    security(("bearerToken" = ["read_api"])),
    responses(
        (status = 200, body = TokenDetails, headers(
            ("Access-Token-Expires-At" = String, description = "When the token stops working (RFC 3339), as every answer to a bearer request says; absent for a token that never expires"),
        )),
        (status = 400, description = "The request was not made with an access token", body = ErrorBody),
    ))]
async fn current(State(state): State<AppState>, caller: Caller) -> Result<Json<TokenDetails>, ApiError> {
    let Credential::Token { id, .. } = caller.via else {
        return Err(ApiError::InvalidRequest(
            "This endpoint describes the access token a request is made with: send one as `Authorization: Bearer \
             <token>`."
                .into(),
        ));
    };
    Ok(Json(rules::details(&state.store, &state.usage, &caller, id).await?.0))
}

/// One token of the caller's (any token, for workspace admins; with a token, its `admin` scope),
/// with where it was used from (the last 5 client addresses) and how much (its uses on each of the
/// last 30 days).
#[utoipa::path(get, operation_id = "getAccessToken", path = "/apiAccessTokens/{tokenId}", tag = "Access tokens",
    params(("tokenId" = String, Path, format = Uuid, description = "The token's id (not its value)")),
    security(("bearerToken" = ["read_api"])),
    responses(
        (status = 200, body = TokenDetails),
        (status = 404, description = "No such token, or another member's", body = ErrorBody),
    ))]
async fn one(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(token_id): ApiPath<String>,
) -> Result<Json<TokenDetails>, ApiError> {
    let token_id = TokenId::parse(&token_id).ok_or(TokenError::NotFound)?;
    Ok(Json(rules::details(&state.store, &state.usage, &caller, token_id).await?.0))
}

/// Deletes a token of the caller's (any token, for workspace admins; with a token, its `admin`
/// scope). It stops working at once; this cannot be undone.
#[utoipa::path(delete, operation_id = "deleteAccessToken", path = "/apiAccessTokens/{tokenId}", tag = "Access tokens",
    params(("tokenId" = String, Path, format = Uuid, description = "The token's id (not its value)")),
    security(("bearerToken" = ["api"])),
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
    rules::delete(&state.store, &caller, token_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

impl From<TokenError> for ApiError {
    fn from(error: TokenError) -> Self {
        match error {
            // As if the routes did not exist (API.md); the message still tells a person why.
            TokenError::Disabled => ApiError::NotFound(error.to_string()),
            TokenError::NotAllowed | TokenError::RotatedCaller => ApiError::Forbidden(error.to_string()),
            TokenError::Invalid { message, .. } => ApiError::Validation(message),
            TokenError::MissingScope { scope, message } => ApiError::InsufficientScope { scope, message },
            TokenError::NotFound => ApiError::NotFound(error.to_string()),
            TokenError::Conflict(message) => ApiError::Conflict(message),
            TokenError::CapReached(_) => ApiError::Conflict(error.to_string()),
            TokenError::Store(error) => error.into(),
        }
    }
}
