//! Browser sessions, kept server-side in the same database as everything else.
//!
//! The cookie holds 256 random bits; the `sessions` table holds only their SHA-256 digest, so a
//! leaked backup cannot sign anybody in. The cookie is HttpOnly and SameSite=Lax. Where the site
//! is served over https (the `SECURE_COOKIES` setting, an https `PUBLIC_URL`, or a proxy's
//! `X-Forwarded-Proto`), it is Secure and named with the `__Host-` prefix, which browsers accept
//! only from a secure origin, for the whole site (`Path=/`, no `Domain`): no subdomain or plain
//! http page can plant or overwrite it. A session ends two weeks after sign-in, or after
//! [`IDLE_SECONDS`] without use, whichever comes first.

use axum::http::{HeaderMap, HeaderValue, header};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::{
    people::{Person, PersonId},
    store::{Store, StoreError, now_millis, with_pool},
    timestamp,
};

pub const COOKIE_NAME: &str = "access_tokens_session";
/// The name over https.
pub const SECURE_COOKIE_NAME: &str = "__Host-access_tokens_session";
/// Sessions last two weeks from sign-in at most.
const LIFETIME_SECONDS: i64 = 14 * 24 * 60 * 60;
/// A session unused this long has ended.
pub const IDLE_SECONDS: i64 = 12 * 60 * 60;
/// How often a session in use records it: a write a minute at most, not one per request.
const SEEN_EVERY_MILLIS: i64 = 60 * 1000;

/// The secret cookie value of one session.
pub struct SessionKey(String);

impl SessionKey {
    fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SessionKey(URL_SAFE_NO_PAD.encode(bytes))
    }

    fn digest(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }

    /// The session key in the request's `Cookie` header, if any.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == SECURE_COOKIE_NAME || *name == COOKIE_NAME)
            .map(|(_, value)| SessionKey(value.to_owned()))
    }
}

/// Starts a session for `user_id` and returns the `Set-Cookie` value that carries it. The session
/// the browser had (if any) ends: a fresh sign-in never continues an older session, whoever
/// planted it. `secure`: the site is served over https (see the module's notes).
pub async fn start(
    store: &Store,
    user_id: PersonId,
    request: &HeaderMap,
    secure: bool,
) -> Result<HeaderValue, StoreError> {
    if let Some(old) = SessionKey::from_headers(request) {
        with_pool!(store, pool => sqlx::query("DELETE FROM sessions WHERE id_digest = $1").bind(old.digest()).execute(pool).await.map(|_| ()))?;
    }
    let key = SessionKey::generate();
    let now = now_millis();
    with_pool!(store, pool => sqlx::query(
        "INSERT INTO sessions (id_digest, user_id, created_at, expires_at, last_seen_at) VALUES ($1, $2, $3, $4, $3)",
    )
    .bind(key.digest())
    .bind(user_id)
    .bind(now)
    .bind(now + LIFETIME_SECONDS * 1000)
    .execute(pool)
    .await
    .map(|_| ()))?;
    // Housekeeping on the rare write path rather than a timer: forget sessions that ended.
    with_pool!(store, pool => sqlx::query("DELETE FROM sessions WHERE expires_at < $1 OR last_seen_at < $2")
        .bind(now)
        .bind(now - IDLE_SECONDS * 1000)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(cookie(&key.0, LIFETIME_SECONDS, request, secure))
}

/// The signed-in person of the request's session, if it is valid and unexpired. (Disabling a
/// person deletes their sessions; the condition on `disabled` also covers a sign-in racing it.)
pub async fn person(store: &Store, headers: &HeaderMap) -> Result<Option<Person>, StoreError> {
    let Some(key) = SessionKey::from_headers(headers) else { return Ok(None) };
    let now = now_millis();
    let row: Option<(PersonId, String, String, bool, i64, i64)> = with_pool!(store, pool => sqlx::query_as(
        "SELECT u.id, u.username, u.name, u.is_admin, u.created_at, s.last_seen_at \
         FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.id_digest = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND NOT u.disabled",
    )
    .bind(key.digest())
    .bind(now)
    .bind(now - IDLE_SECONDS * 1000)
    .fetch_optional(pool)
    .await)?;
    if let Some((.., last_seen_at)) = row
        && now - last_seen_at > SEEN_EVERY_MILLIS
    {
        with_pool!(store, pool => sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_digest = $1")
            .bind(key.digest())
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ()))?;
    }
    Ok(row.map(|(id, username, name, is_admin, created_at, _)| Person {
        id,
        username,
        name,
        is_admin,
        disabled: false,
        created_at: timestamp::from_millis(created_at),
    }))
}

/// Ends the request's session (if any) and returns the `Set-Cookie` value that clears the cookie.
pub async fn end(store: &Store, headers: &HeaderMap, secure: bool) -> Result<HeaderValue, StoreError> {
    if let Some(key) = SessionKey::from_headers(headers) {
        with_pool!(store, pool => sqlx::query("DELETE FROM sessions WHERE id_digest = $1").bind(key.digest()).execute(pool).await.map(|_| ()))?;
    }
    Ok(cookie("", 0, headers, secure))
}

/// Ends every session of a person but the request's own, if it is one of theirs: after a password
/// change, an admin's reset of it, or "Sign out everywhere".
pub async fn end_others(store: &Store, user_id: PersonId, headers: &HeaderMap) -> Result<(), StoreError> {
    let keep = SessionKey::from_headers(headers).map(|key| key.digest()).unwrap_or_default();
    with_pool!(store, pool => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_digest <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

fn cookie(value: &str, max_age_seconds: i64, request: &HeaderMap, secure: bool) -> HeaderValue {
    let (name, secure) = if secure || is_https(request) { (SECURE_COOKIE_NAME, "; Secure") } else { (COOKIE_NAME, "") };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{secure}"))
        .expect("a cookie of base64url characters is a valid header value")
}

fn is_https(request: &HeaderMap) -> bool {
    request
        .get("x-forwarded-proto")
        .and_then(|value| value.to_str().ok())
        .is_some_and(|proto| proto.split(',').next().is_some_and(|first| first.trim().eq_ignore_ascii_case("https")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_only_over_https() {
        let plain = cookie("abc", 60, &HeaderMap::new(), false);
        assert_eq!(plain, "access_tokens_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax");
        let mut proxied = HeaderMap::new();
        proxied.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(
            cookie("abc", 60, &proxied, false),
            "__Host-access_tokens_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure"
        );
        assert_eq!(cookie("abc", 60, &HeaderMap::new(), true), cookie("abc", 60, &proxied, false), "by the setting");
    }

    #[test]
    fn the_session_key_is_read_from_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("theme=dark; access_tokens_session=k3y; x=1"));
        assert_eq!(SessionKey::from_headers(&headers).unwrap().0, "k3y");
        assert!(SessionKey::from_headers(&HeaderMap::new()).is_none());
    }

    #[test]
    fn session_keys_are_random_256_bit_values() {
        let (a, b) = (SessionKey::generate(), SessionKey::generate());
        assert_ne!(a.0, b.0);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a.0).unwrap().len(), 32);
    }
}
