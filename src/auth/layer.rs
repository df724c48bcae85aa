//! The authentication layer in front of every `/v4` route.
//!
//! It reads the `Authorization` header once, resolves the caller, and hands handlers a [`Caller`].
//! HTTP Basic credentials go through the same password check as the sign-in page. Failures follow
//! RFC 6750: no credentials is a 401 with a bare `Bearer` challenge, a malformed header is a 400
//! `invalid_request`, and a database outage is a 503, never a 401.

use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, Method, header, request::Parts},
    middleware::Next,
    response::{IntoResponse, Response},
};
use base64::{Engine, engine::general_purpose::STANDARD};

use time::OffsetDateTime;

use super::password::{self, PasswordCheckError};
use crate::{
    error::ApiError,
    monitoring,
    people::Person,
    state::AppState,
    store::StoreError,
    timestamp,
    tokens::{
        self, MaxLifetime, Scope, Scopes, TokenId,
        value::{Malformed, TokenValue},
    },
};

/// The authenticated caller of a `/v4` request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub person: Person,
    pub via: Credential,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Credential {
    /// HTTP Basic: the account's username and password.
    Password,
    /// A browser session (the page's server functions and forms).
    Session,
    /// A bearer access token of the caller's: what it may do, and when it stops working (the
    /// workspace's maximum lifetime and a rotation's grace applied), which bound any token it
    /// creates. `rotated`: it was replaced and works only for its grace period.
    Token { id: TokenId, scopes: Scopes, expires_at: Option<OffsetDateTime>, rotated: bool },
}

/// Credentials as sent, before they are checked.
#[derive(Debug, PartialEq, Eq)]
enum Presented {
    Basic { username: String, password: String },
    Bearer(String),
}

pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    // The one route open to anyone: who reports a leaked token holds only its value. (This layer
    // sits on the `/v4` router, which sees paths without that prefix.)
    if request.method() == Method::POST && request.uri().path() == tokens::api::REPORT_ROUTE {
        return Ok(next.run(request).await);
    }
    let client = crate::client_ip::ClientIp::in_extensions(request.extensions());
    let caller = identify(&state, request.headers(), client).await?;
    // Every answer to a token says when the token stops working, refusals included, so that a
    // client can warn its operator before it breaks.
    let expires_at = match &caller.via {
        Credential::Token { expires_at: Some(at), .. } => HeaderValue::from_str(&timestamp::format(*at)).ok(),
        _ => None,
    };
    // Reading is all a `read_api` token may do; handlers check `admin` where they use it.
    let refused = if matches!(*request.method(), Method::GET | Method::HEAD) {
        None
    } else {
        caller.require_scope(Scope::Api, "This token is read-only (read_api): it cannot change anything").err()
    };
    let mut response = match refused {
        Some(refusal) => refusal.into_response(),
        None => {
            request.extensions_mut().insert(caller);
            next.run(request).await
        }
    };
    if let Some(at) = expires_at {
        response.headers_mut().insert(EXPIRES_AT_HEADER, at);
    }
    Ok(response)
}

/// The header that tells a token's caller when the token expires (RFC 3339); none for a token that
/// never does.
pub const EXPIRES_AT_HEADER: &str = "access-token-expires-at";

/// Who the credentials name, counted by scheme and outcome (`auth_attempts_total`).
async fn identify(state: &AppState, headers: &HeaderMap, client: Option<std::net::IpAddr>) -> Result<Caller, ApiError> {
    let count = |scheme: &'static str, outcome: &'static str| {
        monitoring::count("auth_attempts_total", [("scheme", scheme), ("outcome", outcome)]);
    };
    match presented(headers) {
        Err(error) => {
            count("none", if matches!(error, ApiError::MissingCredentials) { "missing" } else { "malformed" });
            Err(error)
        }
        Ok(Presented::Basic { username, password: given }) => {
            let checked = password::check(&state.store, &state.login_throttle, &username, &given, client).await;
            if let Err(refusal) = &checked {
                password::record_refusal(
                    &state.store,
                    &state.login_throttle,
                    &username,
                    refusal,
                    password::Purpose::Basic,
                )
                .await;
            }
            count(
                "basic",
                match &checked {
                    Ok(_) => "ok",
                    Err(PasswordCheckError::Rejected { .. }) => "wrong_password",
                    Err(PasswordCheckError::Throttled(_)) => "throttled",
                    Err(PasswordCheckError::Disabled(_)) => "disabled",
                    Err(PasswordCheckError::Busy) => "busy",
                    Err(PasswordCheckError::Store(_)) => "unavailable",
                },
            );
            Ok(Caller { person: checked?, via: Credential::Password })
        }
        Ok(Presented::Bearer(value)) => {
            let user_agent = headers.get(header::USER_AGENT).and_then(|agent| agent.to_str().ok()).unwrap_or_default();
            let identified = bearer(state, &value, client, user_agent).await;
            count(
                "bearer",
                match &identified {
                    Ok(_) => "ok",
                    Err(refusal) => refusal.outcome(),
                },
            );
            Ok(identified?)
        }
    }
}

/// Why a bearer token does not authenticate.
#[derive(Debug)]
enum TokenRefusal {
    Malformed(Malformed),
    Unknown,
    Disabled,
    NotForMembers,
    OwnerDisabled,
    Expired(OffsetDateTime),
    /// Expired because the workspace's maximum lifetime (days) was lowered below its age.
    ExpiredByPolicy(OffsetDateTime, i64),
    /// Rotated with a grace period that has ended.
    Rotated,
    Store(StoreError),
}

impl TokenRefusal {
    fn outcome(&self) -> &'static str {
        match self {
            TokenRefusal::Malformed(_) => "malformed",
            TokenRefusal::Unknown => "unknown",
            TokenRefusal::Disabled | TokenRefusal::NotForMembers | TokenRefusal::OwnerDisabled => "disabled",
            TokenRefusal::Expired(_) | TokenRefusal::ExpiredByPolicy(..) => "expired",
            TokenRefusal::Rotated => "unknown",
            TokenRefusal::Store(_) => "unavailable",
        }
    }
}

impl From<TokenRefusal> for ApiError {
    fn from(refusal: TokenRefusal) -> Self {
        ApiError::InvalidToken(match refusal {
            TokenRefusal::Malformed(why) => format!("The access token is malformed: {why}."),
            TokenRefusal::Unknown => "The access token is not valid: it is unknown or was deleted.".into(),
            TokenRefusal::Disabled => "Access tokens are disabled in this workspace.".into(),
            TokenRefusal::NotForMembers => "Access tokens are not enabled for members of this workspace.".into(),
            TokenRefusal::OwnerDisabled => "The access token is refused: the owner's account is disabled.".into(),
            TokenRefusal::Expired(at) => format!("The access token expired at {}.", timestamp::format(at)),
            TokenRefusal::ExpiredByPolicy(at, days) => format!(
                "The access token expired at {}: this workspace's maximum token lifetime is now {days} days, \
                 and the token is older.",
                timestamp::format(at)
            ),
            TokenRefusal::Rotated => {
                "The access token is not valid: it was rotated, and its grace period has ended.".into()
            }
            TokenRefusal::Store(error) => return error.into(),
        })
    }
}

/// Resolves a bearer token to its owner. A malformed value is refused before any database lookup;
/// the others take one query (token, owner and workspace settings together), or none when this
/// instance verified the token less than a second ago ([`tokens::cache`]).
/// `client` and `user_agent` are recorded with the use ([`tokens::usage`]).
async fn bearer(
    state: &AppState,
    presented: &str,
    client: Option<std::net::IpAddr>,
    user_agent: &str,
) -> Result<Caller, TokenRefusal> {
    let value = TokenValue::parse(presented).map_err(TokenRefusal::Malformed)?;
    let digest = value.digest();
    let (found, looked_up) = match state.token_cache.get(&digest) {
        Some(verified) => (verified, None),
        None => {
            let generation = tokens::cache::generation();
            let found = tokens::store::find_by_digest(&state.store, &digest).await.map_err(TokenRefusal::Store)?;
            let Some(found) = found else { return Err(TokenRefusal::Unknown) };
            (found, Some(generation))
        }
    };
    if !found.settings.access_tokens_enabled {
        return Err(TokenRefusal::Disabled);
    }
    if !found.settings.tokens_allowed_for(found.owner.is_admin) {
        return Err(TokenRefusal::NotForMembers);
    }
    if found.owner.disabled {
        return Err(TokenRefusal::OwnerDisabled);
    }
    let now = OffsetDateTime::now_utc();
    if found.grace_ends_at.is_some_and(|at| at <= now) {
        tokens::store::retire(&state.store, found.token_id).await.map_err(TokenRefusal::Store)?;
        return Err(TokenRefusal::Rotated);
    }
    let max = found.settings.max_token_lifetime_days;
    let expires_at = max.effective_expiry(found.created_at, found.expires_at);
    if let Some(expired_at) = expires_at.filter(|at| *at <= now) {
        return Err(match max {
            MaxLifetime::Days(days) if found.expires_at != expires_at => {
                TokenRefusal::ExpiredByPolicy(expired_at, days)
            }
            _ => TokenRefusal::Expired(expired_at),
        });
    }
    // The first use of a token rotated with a grace period ends the grace of the one it replaced.
    if let Some(predecessor) = found.predecessor_in_grace {
        tokens::store::retire(&state.store, predecessor).await.map_err(TokenRefusal::Store)?;
        tracing::info!(token_id = %predecessor, replaced_by = %found.token_id, "retired a rotated token at its successor's first use");
    }
    state.usage.record(found.token_id, tokens::usage::Use { at: now, client, user_agent });
    // Verified: kept for the next second's requests (its predecessor retired, once).
    if let Some(generation) = looked_up {
        let verified = tokens::store::Presented { predecessor_in_grace: None, ..found.clone() };
        state.token_cache.insert(&digest, verified, generation);
    }
    // A token in its grace period stops then at the latest, whatever its expiry.
    let expires_at = match (expires_at, found.grace_ends_at) {
        (Some(at), Some(grace)) => Some(at.min(grace)),
        (at, grace) => at.or(grace),
    };
    let via = Credential::Token {
        id: found.token_id,
        scopes: found.scopes,
        expires_at,
        rotated: found.grace_ends_at.is_some(),
    };
    Ok(Caller { person: found.owner, via })
}

const MAX_AUTHORIZATION_BYTES: usize = 4096;

fn presented(headers: &HeaderMap) -> Result<Presented, ApiError> {
    let malformed = |why: &str| ApiError::InvalidRequest(format!("The Authorization header is malformed: {why}."));
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else { return Err(ApiError::MissingCredentials) };
    if values.next().is_some() {
        return Err(malformed("send it once"));
    }
    // Credentials are short (a token is 53 characters; a password at most 1 KiB): a longer header
    // is refused before it is decoded, let alone hashed or kept.
    if value.len() > MAX_AUTHORIZATION_BYTES {
        return Err(malformed("it is longer than any credentials"));
    }
    let value = value.to_str().map_err(|_| malformed("it is not ASCII"))?;
    let (scheme, credentials) =
        value.trim().split_once(' ').ok_or_else(|| malformed("expected `Bearer <token>` or `Basic <credentials>`"))?;
    let credentials = credentials.trim();
    if scheme.eq_ignore_ascii_case("bearer") {
        // RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
        let body = credentials.trim_end_matches('=');
        if body.is_empty() || !body.chars().all(|c| c.is_ascii_alphanumeric() || "-._~+/".contains(c)) {
            return Err(malformed("the bearer token has characters a token never has"));
        }
        Ok(Presented::Bearer(credentials.to_owned()))
    } else if scheme.eq_ignore_ascii_case("basic") {
        let decoded = STANDARD.decode(credentials).map_err(|_| malformed("Basic credentials are not base64"))?;
        let decoded = String::from_utf8(decoded).map_err(|_| malformed("Basic credentials are not UTF-8"))?;
        let (username, password) =
            decoded.split_once(':').ok_or_else(|| malformed("Basic credentials need `username:password`"))?;
        Ok(Presented::Basic { username: username.to_owned(), password: password.to_owned() })
    } else {
        Err(malformed("the scheme must be Bearer or Basic"))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts.extensions.get::<Caller>().cloned().ok_or_else(|| {
            tracing::error!("a handler that needs a caller is mounted outside the authentication layer");
            ApiError::Internal
        })
    }
}

/// The caller of an admin-only endpoint, refused (403) as it is extracted: before the request body
/// is read, so a non-admin learns nothing from how their body would have been judged.
pub struct Admin(pub Caller);

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        caller.require_admin()?;
        Ok(Admin(caller))
    }
}

impl From<PasswordCheckError> for ApiError {
    fn from(error: PasswordCheckError) -> Self {
        match error {
            PasswordCheckError::Rejected { .. } => ApiError::BadCredentials,
            PasswordCheckError::Throttled(seconds) => ApiError::Throttled(seconds),
            PasswordCheckError::Disabled(_) => ApiError::AccountDisabled,
            PasswordCheckError::Busy => ApiError::Unavailable,
            PasswordCheckError::Store(error) => error.into(),
        }
    }
}

/// Whether a caller may use admin rights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdminRights {
    /// An admin, through a password, a session, or a token with the `admin` scope.
    Granted,
    /// An admin's token without the `admin` scope.
    NotInScope,
    NotAdmin,
}

impl Caller {
    /// A signed-in browser: sessions are not scoped.
    pub fn session(person: Person) -> Self {
        Caller { person, via: Credential::Session }
    }

    /// The token's scopes; `None` for passwords and sessions, which are not scoped.
    pub fn scopes(&self) -> Option<Scopes> {
        match self.via {
            Credential::Token { scopes, .. } => Some(scopes),
            Credential::Password | Credential::Session => None,
        }
    }

    /// Refuses a token that lacks `scope`, saying what it was for (`why`, without a full stop).
    pub fn require_scope(&self, scope: Scope, why: &str) -> Result<(), ApiError> {
        match self.scopes() {
            Some(scopes) if !scopes.grants(scope) => Err(ApiError::InsufficientScope {
                scope,
                message: format!("{why}: that needs a token with the {scope} scope."),
            }),
            _ => Ok(()),
        }
    }

    pub fn admin_rights(&self) -> AdminRights {
        match (self.person.is_admin, self.scopes()) {
            (false, _) => AdminRights::NotAdmin,
            (true, Some(scopes)) if !scopes.admin() => AdminRights::NotInScope,
            (true, _) => AdminRights::Granted,
        }
    }

    /// Admin-only endpoints start here.
    pub fn require_admin(&self) -> Result<&Person, ApiError> {
        match self.admin_rights() {
            AdminRights::Granted => Ok(&self.person),
            AdminRights::NotInScope => Err(ApiError::InsufficientScope {
                scope: Scope::Admin,
                message: "Only workspace admins can do this: that needs a token with the admin scope.".into(),
            }),
            AdminRights::NotAdmin => Err(ApiError::Forbidden("Only workspace admins can do this.".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static(value));
        headers
    }

    #[test]
    fn the_scheme_name_is_case_insensitive() {
        assert_eq!(presented(&with("bEaReR abc.DEF-123")).unwrap(), Presented::Bearer("abc.DEF-123".into()));
        assert_eq!(
            presented(&with("basic YWxpY2U6czNjcjN0OndpdGg6Y29sb25z")).unwrap(),
            Presented::Basic { username: "alice".into(), password: "s3cr3t:with:colons".into() }
        );
    }

    #[test]
    fn no_header_is_missing_credentials() {
        assert!(matches!(presented(&HeaderMap::new()), Err(ApiError::MissingCredentials)));
    }

    #[test]
    fn malformed_headers_are_invalid_requests() {
        for value in ["Bearer", "Bearer ", "Bearer a b", "Bearer a,b", "Basic !!!", "Basic YWxpY2U=", "Token abc"] {
            assert!(matches!(presented(&with(value)), Err(ApiError::InvalidRequest(_))), "{value}");
        }
    }
}
