//! REST: `/v4/workspaces/current/webhooks` (workspace admins): add, list and remove webhooks, and
//! read each one's delivery log.

use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Delivery, Webhook, WebhookEvent, store};
use crate::{
    audit::{
        EventKind,
        record::{Actor, Event, record},
    },
    auth::layer::Admin,
    error::{ApiError, ApiJson, ApiPath, ApiQuery, ErrorBody},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list, add)).routes(routes!(remove)).routes(routes!(deliveries))
}

/// The longest URL a webhook may have.
const MAX_URL: usize = 2048;
/// What a webhook's URL looks like, as the OpenAPI document says and the server checks: `http` or
/// `https`, a host name or IPv4 address, a port from 1 to 65535, and a path and query of plain URL
/// characters.
const URL_PATTERN: &str = r"^https?://[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?(/[A-Za-z0-9._~!$&'()*+,;=:@/?-]*)?$";
/// A secret's length, in characters, when one is given.
const SECRET_CHARS: std::ops::RangeInclusive<usize> = 16..=256;

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
    let url = check_url(&body.url).map_err(ApiError::Validation)?;
    let mut events = body.events;
    events.sort_by_key(|event| event.as_str());
    events.dedup();
    if events.is_empty() {
        return Err(ApiError::Validation("events: choose at least one event.".into()));
    }
    let secret = match body.secret {
        Some(secret) => check_secret(&secret).map_err(ApiError::Validation)?,
        None => made_secret(),
    };
    let webhook = store::add(&state.store, &url, &secret, &events).await?;
    tracing::info!(webhook = webhook.id, url = %webhook.url, by = %caller.person.username, "added a webhook");
    let event = Event::new(EventKind::WebhookAdded, &Actor::of(&caller))
        .detail("webhookId", webhook.id)
        .detail("url", &webhook.url)
        .detail("events", &webhook.events);
    record(&state.store, event).await;
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
    let webhook = found(&state, &id).await?;
    if store::remove(&state.store, webhook.id).await? {
        let event = Event::new(EventKind::WebhookRemoved, &Actor::of(&caller))
            .detail("webhookId", webhook.id)
            .detail("url", &webhook.url);
        record(&state.store, event).await;
    }
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

/// The URL as kept, or why it cannot be one.
fn check_url(text: &str) -> Result<String, String> {
    static PATTERN: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(URL_PATTERN).expect("the URL pattern compiles"));
    if text.chars().count() > MAX_URL {
        return Err(format!("url: at most {MAX_URL} characters."));
    }
    // (No user name or password: verify deliveries by their signature instead.)
    let refused = || {
        "url: an http or https URL with a host name or IPv4 address, and no credentials or spaces, \
                      such as https://hooks.example.com/tokens."
            .to_owned()
    };
    if !PATTERN.is_match(text) {
        return Err(refused());
    }
    reqwest::Url::parse(text).map(|_| text.to_owned()).map_err(|_| refused())
}

fn check_secret(secret: &str) -> Result<String, String> {
    let visible = secret.bytes().all(|byte| byte.is_ascii_graphic());
    if !SECRET_CHARS.contains(&secret.len()) || !visible {
        return Err(format!(
            "secret: {} to {} visible ASCII characters (no spaces); or leave it out and one is made.",
            SECRET_CHARS.start(),
            SECRET_CHARS.end()
        ));
    }
    Ok(secret.to_owned())
}

/// 32 random bytes, URL-safe base64: `whsec_` and 43 characters.
fn made_secret() -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    format!("whsec_{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_url_is_http_or_https_with_a_host_and_no_credentials() {
        assert_eq!(check_url("https://hooks.example.com/t?x=1").unwrap(), "https://hooks.example.com/t?x=1");
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("http://localhost:65535").is_ok());
        for bad in [
            "ftp://example.com/",
            "https:///nohost",
            "not a url",
            "https://user:pw@example.com/",
            "javascript:alert(1)",
            " https://example.com/",
            "http://example.com:65536/",
            "http://example.com:0/",
            "http://-example.com/",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
        assert!(check_url(&format!("https://example.com/{}", "a".repeat(MAX_URL))).is_err());
    }

    #[test]
    fn a_secret_is_long_and_visible_or_made() {
        assert!(check_secret("0123456789abcdef").is_ok());
        assert!(check_secret("short").is_err());
        assert!(check_secret("has a space in it!!").is_err());
        let made = made_secret();
        assert!(made.starts_with("whsec_") && made.len() == 49 && check_secret(&made).is_ok());
    }
}
