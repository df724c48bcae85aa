//! Browser sessions, kept server-side in the same database as everything else.
//!
//! The cookie holds 256 random bits; the `sessions` table holds only their SHA-256 digest, so a
//! leaked backup cannot sign anybody in. The cookie is HttpOnly and SameSite=Lax. Where the site
//! is served over https (the `SECURE_COOKIES` setting, an https `PUBLIC_URL`, or the
//! `X-Forwarded-Proto` of a proxy trusted with its headers), it is Secure and named with the
//! `__Host-` prefix, which browsers accept only from a secure origin, for the whole site
//! (`Path=/`, no `Domain`): no subdomain or plain http page can plant or overwrite it. Over https
//! only that name is read, so a cookie planted under the plain name is never taken for a session.
//! A session ends two weeks after sign-in, or after [`IDLE_SECONDS`] without use, whichever comes
//! first.

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

/// Which cookie carries the session on this instance: see the module's notes.
#[derive(Clone, Copy, Debug, Default)]
pub struct CookiePolicy {
    /// The site is served over https, whatever the request says (`SECURE_COOKIES`, `PUBLIC_URL`).
    pub always_secure: bool,
    /// The proxy in front is trusted with `X-Forwarded-Proto`.
    pub trust_proxy_headers: bool,
}

impl CookiePolicy {
    /// Whether this request's session cookie is the `Secure`, `__Host-` one.
    pub fn secure(&self, request: &HeaderMap) -> bool {
        self.always_secure || crate::security_headers::over_https(request, self.trust_proxy_headers)
    }

    fn name(&self, request: &HeaderMap) -> &'static str {
        if self.secure(request) { SECURE_COOKIE_NAME } else { COOKIE_NAME }
    }
}

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

    /// The session key of the request: its cookie of the name `policy` gives, if any.
    pub fn from_headers(headers: &HeaderMap, policy: CookiePolicy) -> Option<Self> {
        let name = policy.name(headers);
        presented(headers).find(|(cookie, _)| *cookie == name).map(|(_, key)| key)
    }
}

/// Every session cookie the request carries, under either name: what a sign-in or sign-out ends.
fn presented(headers: &HeaderMap) -> impl Iterator<Item = (&str, SessionKey)> {
    cookies(headers)
        .filter(|(name, _)| *name == SECURE_COOKIE_NAME || *name == COOKIE_NAME)
        .map(|(name, value)| (name, SessionKey(value.to_owned())))
}

/// The cookies a request carries, as `(name, value)` pairs.
pub fn cookies(headers: &HeaderMap) -> impl Iterator<Item = (&str, &str)> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
}

/// Whether the request carries a session cookie of either name.
pub fn any_presented(headers: &HeaderMap) -> bool {
    presented(headers).next().is_some()
}

/// Deletes the sessions of every cookie the request carries.
async fn end_presented(store: &Store, headers: &HeaderMap) -> Result<(), StoreError> {
    for (_, key) in presented(headers) {
        with_pool!(store, pool => sqlx::query("DELETE FROM sessions WHERE id_digest = $1").bind(key.digest()).execute(pool).await.map(|_| ()))?;
    }
    Ok(())
}

/// Starts a session for `user_id` and returns the `Set-Cookie` values to send: the one that
/// carries it, and one that clears the cookie of the other name. Every session the browser
/// presented ends: a fresh sign-in never continues an older session, whoever planted it.
pub async fn start(
    store: &Store,
    user_id: PersonId,
    request: &HeaderMap,
    policy: CookiePolicy,
) -> Result<[HeaderValue; 2], StoreError> {
    end_presented(store, request).await?;
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
    let secure = policy.secure(request);
    Ok([cookie(&key.0, LIFETIME_SECONDS, secure), cookie("", 0, !secure)])
}

/// The signed-in person of the request's session, if it is valid and unexpired. (Disabling a
/// person deletes their sessions; the condition on `disabled` also covers a sign-in racing it.)
pub async fn person(store: &Store, headers: &HeaderMap, policy: CookiePolicy) -> Result<Option<Person>, StoreError> {
    let Some(key) = SessionKey::from_headers(headers, policy) else { return Ok(None) };
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

/// Ends every session the request presents and returns the `Set-Cookie` values that clear both
/// cookie names (a browser keeps nothing that a later request could be confused by).
pub async fn end(store: &Store, headers: &HeaderMap) -> Result<[HeaderValue; 2], StoreError> {
    end_presented(store, headers).await?;
    Ok([cookie("", 0, true), cookie("", 0, false)])
}

/// Ends every session of a person but `keep` (the request's own session, as
/// [`SessionKey::from_headers`] finds it), if it is theirs: after a password change, an admin's
/// reset of it, or "Sign out everywhere". Only that one: a cookie of the other name is no
/// session of this request, and may have been planted.
pub async fn end_others(store: &Store, user_id: PersonId, keep: Option<&SessionKey>) -> Result<(), StoreError> {
    let keep = keep.map(SessionKey::digest).unwrap_or_default();
    with_pool!(store, pool => sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_digest <> $2")
        .bind(user_id)
        .bind(keep)
        .execute(pool)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The `Set-Cookie` value of the secure (`__Host-`) or the plain cookie.
fn cookie(value: &str, max_age_seconds: i64, secure: bool) -> HeaderValue {
    let (name, secure) = if secure { (SECURE_COOKIE_NAME, "; Secure") } else { (COOKIE_NAME, "") };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{secure}"))
        .expect("a cookie of base64url characters is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded_https() -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        headers
    }

    #[test]
    fn the_cookie_is_http_only_lax_and_secure_only_over_https() {
        assert_eq!(cookie("abc", 60, false), "access_tokens_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax");
        assert_eq!(
            cookie("abc", 60, true),
            "__Host-access_tokens_session=abc; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure"
        );
    }

    #[test]
    fn https_is_the_setting_or_a_trusted_proxy_saying_so() {
        let setting = CookiePolicy { always_secure: true, trust_proxy_headers: false };
        let trusted = CookiePolicy { always_secure: false, trust_proxy_headers: true };
        let untrusted = CookiePolicy::default();
        assert!(setting.secure(&HeaderMap::new()));
        assert!(trusted.secure(&forwarded_https()) && !trusted.secure(&HeaderMap::new()));
        assert!(!untrusted.secure(&forwarded_https()), "anybody can send X-Forwarded-Proto");
    }

    #[test]
    fn the_session_key_is_read_from_among_other_cookies() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("theme=dark; access_tokens_session=k3y; x=1"));
        assert_eq!(SessionKey::from_headers(&headers, CookiePolicy::default()).unwrap().0, "k3y");
        assert!(SessionKey::from_headers(&HeaderMap::new(), CookiePolicy::default()).is_none());
    }

    #[test]
    fn over_https_only_the_host_prefixed_cookie_is_a_session() {
        let secure = CookiePolicy { always_secure: true, trust_proxy_headers: false };
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, HeaderValue::from_static("access_tokens_session=planted"));
        assert!(SessionKey::from_headers(&headers, secure).is_none(), "a plain-name cookie can be planted over http");
        assert!(any_presented(&headers), "but a sign-in or sign-out still ends it");
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("access_tokens_session=planted; __Host-access_tokens_session=mine"),
        );
        assert_eq!(SessionKey::from_headers(&headers, secure).unwrap().0, "mine");
        assert_eq!(SessionKey::from_headers(&headers, CookiePolicy::default()).unwrap().0, "planted");
    }

    #[test]
    fn session_keys_are_random_256_bit_values() {
        let (a, b) = (SessionKey::generate(), SessionKey::generate());
        assert_ne!(a.0, b.0);
        assert_eq!(URL_SAFE_NO_PAD.decode(&a.0).unwrap().len(), 32);
    }
}
