//! The rules for webhooks, in one place for the REST API and the Workspace Settings page: what a
//! webhook's URL, events and secret may be, and that adding and removing one is in the audit trail.
//! The caller has checked that an admin asks.

use super::{Webhook, WebhookEvent, store};
use crate::{
    audit::{
        EventKind,
        record::{Actor, Event, record},
    },
    store::{Store, StoreError},
};

/// The longest URL a webhook may have.
pub const MAX_URL: usize = 2048;
/// What a webhook's URL looks like, as the OpenAPI document says and the server checks: `http` or
/// `https`, a host name or IPv4 address, a port from 1 to 65535, and a path and query of plain URL
/// characters.
pub const URL_PATTERN: &str = r"^https?://[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3}))?(/[A-Za-z0-9._~!$&'()*+,;=:@/?-]*)?$";
/// A secret's length, in characters, when one is given.
pub const SECRET_CHARS: std::ops::RangeInclusive<usize> = 16..=256;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// A field breaks a rule: which, and why.
    #[error("{message}")]
    Invalid { field: &'static str, message: String },
    #[error("No such webhook.")]
    NotFound,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn invalid(field: &'static str, message: impl Into<String>) -> WebhookError {
    WebhookError::Invalid { field, message: message.into() }
}

/// Adds a webhook; it and its secret (the one given, or one made here), which is shown this once.
pub async fn add(
    store: &Store,
    actor: &Actor,
    url: &str,
    events: &[WebhookEvent],
    secret: Option<&str>,
) -> Result<(Webhook, String), WebhookError> {
    let url = check_url(url)?;
    let mut events = events.to_vec();
    events.sort_by_key(|event| event.as_str());
    events.dedup();
    if events.is_empty() {
        return Err(invalid("events", "Choose at least one event."));
    }
    let secret = match secret {
        Some(secret) => check_secret(secret)?,
        None => made_secret(),
    };
    let webhook = store::add(store, &url, &secret, &events).await?;
    tracing::info!(webhook = webhook.id, url = %webhook.url, "added a webhook");
    let event = Event::new(EventKind::WebhookAdded, actor)
        .detail("webhookId", webhook.id)
        .detail("url", &webhook.url)
        .detail("events", &webhook.events);
    record(store, event).await;
    Ok((webhook, secret))
}

/// Removes a webhook and its delivery log.
pub async fn remove(store: &Store, actor: &Actor, id: i64) -> Result<(), WebhookError> {
    let webhook = store::find(store, id).await?.ok_or(WebhookError::NotFound)?;
    if store::remove(store, webhook.id).await? {
        tracing::info!(webhook = webhook.id, url = %webhook.url, "removed a webhook");
        let event =
            Event::new(EventKind::WebhookRemoved, actor).detail("webhookId", webhook.id).detail("url", &webhook.url);
        record(store, event).await;
    }
    Ok(())
}

/// The URL as kept, or why it cannot be one.
fn check_url(text: &str) -> Result<String, WebhookError> {
    static PATTERN: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(URL_PATTERN).expect("the URL pattern compiles"));
    if text.chars().count() > MAX_URL {
        return Err(invalid("url", format!("The URL is at most {MAX_URL} characters.")));
    }
    // (No user name or password: deliveries are verified by their signature instead.)
    let refused = || {
        invalid(
            "url",
            "The URL is an http or https URL with a host name or IPv4 address, and no credentials or spaces, such as \
             https://hooks.example.com/tokens.",
        )
    };
    if !PATTERN.is_match(text) {
        return Err(refused());
    }
    reqwest::Url::parse(text).map(|_| text.to_owned()).map_err(|_| refused())
}

fn check_secret(secret: &str) -> Result<String, WebhookError> {
    let visible = secret.bytes().all(|byte| byte.is_ascii_graphic());
    if !SECRET_CHARS.contains(&secret.len()) || !visible {
        return Err(invalid(
            "secret",
            format!(
                "The secret is {} to {} visible ASCII characters (no spaces); or leave it out and one is made.",
                SECRET_CHARS.start(),
                SECRET_CHARS.end()
            ),
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
