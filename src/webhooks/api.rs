//! REST: `/v4/workspaces/current/webhooks` (workspace admins): add, list and remove webhooks, and
//! read each one's delivery log.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    Delivery, Webhook, WebhookEvent,
    rules::{self, WebhookError},
    store,
};
use crate::{
    audit::record::Actor,
    auth::layer::Admin,
    error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, add)).routes(routes!(remove)).routes(routes!(deliveries))
}

/// A webhook to add.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewWebhook {
    /// Where deliveries are posted: an `http` or `https` URL, at most 2048 characters.
    #[schema(
        max_length = 2048,
        pattern = r"^https?://[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?(/[A-Za-z0-9._~!$&'()*+,;=:@/?-]*)?$"
    )]
    url: String,
    /// What it hears about: at least one event.
    #[schema(min_items = 1)]
    events: Vec<WebhookEvent>,
    /// What signs each delivery (`X-Signature-256`): 16 to 256 visible ASCII characters. Omitted:
    /// the server makes one, returned once in the answer.
    #[serde(default)]
    #[schema(min_length = 16, max_length = 256, pattern = r"^[!-~]+$")]
    secret: Option<String>,
}

/// A webhook just added, with its secret: the only time the secret is shown.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
struct AddedWebhook {
    webhook: Webhook,
    /// Verify each delivery's `X-Signature-256` with it: `sha256=` and the hex HMAC-SHA256 of the
    /// raw body.
    secret: String,
}

/// The webhooks of the workspace, oldest first.
#[derive(Serialize, utoipa::ToSchema)]
struct WebhookList {
    data: Vec<Webhook>,
}

/// A webhook's latest deliveries, newest first.
#[derive(Serialize, utoipa::ToSchema)]
struct DeliveryLog {
    data: Vec<Delivery>,
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DeliveryQuery {
    /// How many deliveries: 1 to 1000 (default 100).
    #[param(required = false, minimum = 1, maximum = 1000, default = 100)]
    limit: Option<i64>,
}

/// The workspace's webhooks (workspace admins). Secrets are not shown.
#[utoipa::path(get, operation_id = "listWebhooks", path = "/workspaces/current/webhooks", tag = "Webhooks",
    security(("bearerToken" = ["read_api", "admin"])),
    responses(
        (status = 200, body = WebhookList),
        (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
    ))]
async fn list(State(state): State<AppState>, _: Admin) -> Result<Json<WebhookList>, ApiError> {
    Ok(Json(WebhookList { data: store::list(&state.store).await? }))
}

/// Adds a webhook (workspace admins): from now on each event it takes is posted to its URL as a
/// signed JSON body, and retried with backoff until the URL answers 2xx. A delivery never holds a
/// token's value.
#[utoipa::path(post, operation_id = "addWebhook", path = "/workspaces/current/webhooks", tag = "Webhooks",
    request_body = NewWebhook,
    security(("bearerToken" = ["api", "admin"])),
    responses(
        (status = 201, description = "Added; its secret is in this answer only", body = AddedWebhook),
        (status = 400, description = "A URL, event or secret that breaks a rule", body = ErrorBody),
        (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
    ))]
async fn add(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiJson(body): ApiJson<NewWebhook>,
) -> Result<(StatusCode, Json<AddedWebhook>), ApiError> {
    let (webhook, secret) =
        rules::add(&state.store, &Actor::of(&caller), &body.url, &body.events, body.secret.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(AddedWebhook { webhook, secret })))
}

/// Removes a webhook and its delivery log (workspace admins). Nothing more is sent to it.
#[utoipa::path(delete, operation_id = "removeWebhook", path = "/workspaces/current/webhooks/{id}", tag = "Webhooks",
    params(("id" = i64, Path, minimum = 1, description = "The webhook's id")),
    security(("bearerToken" = ["api", "admin"])),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
        (status = 404, description = "No such webhook", body = ErrorBody),
    ))]
async fn remove(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    let id = found(&state, &id).await?.id;
    rules::remove(&state.store, &Actor::of(&caller), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A webhook's delivery log, newest first (workspace admins): each delivery's event, status,
/// attempts, and what the last attempt got. Kept as long as the audit trail.
#[utoipa::path(get, operation_id = "listWebhookDeliveries", path = "/workspaces/current/webhooks/{id}/deliveries", tag = "Webhooks",
    params(("id" = i64, Path, minimum = 1, description = "The webhook's id"), DeliveryQuery),
    security(("bearerToken" = ["read_api", "admin"])),
    responses(
        (status = 200, body = DeliveryLog),
        (status = 400, description = "A limit out of range", body = ErrorBody),
        (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
        (status = 404, description = "No such webhook", body = ErrorBody),
    ))]
async fn deliveries(
    State(state): State<AppState>,
    _: Admin,
    ApiPath(id): ApiPath<String>,
    ApiQuery(query): ApiQuery<DeliveryQuery>,
) -> Result<Json<DeliveryLog>, ApiError> {
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::Validation("limit must be between 1 and 1000.".into()));
    }
    let webhook = found(&state, &id).await?;
    Ok(Json(DeliveryLog { data: store::deliveries(&state.store, webhook.id, limit).await? }))
}

async fn found(state: &AppState, id: &str) -> Result<Webhook, ApiError> {
    let missing = || ApiError::NotFound("No such webhook.".into());
    let id: i64 = id.trim().parse().map_err(|_| missing())?;
    store::find(&state.store, id).await?.ok_or_else(missing)
}

impl From<WebhookError> for ApiError {
    fn from(error: WebhookError) -> Self {
        match error {
            WebhookError::Invalid { field, message } => ApiError::Validation(format!("{field}: {message}")),
            WebhookError::NotFound => ApiError::NotFound(error.to_string()),
            WebhookError::Store(error) => error.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_states_the_url_rule_the_server_checks() {
        let (_, document) = router().split_for_parts();
        let document = serde_json::to_value(document).unwrap();
        assert_eq!(
            document
                .pointer("/components/schemas/NewWebhook/properties/url/pattern")
                .and_then(|pattern| pattern.as_str()),
            Some(rules::URL_PATTERN)
        );
    }
}
