//! The authentication layer in front of every `/v4` route.
//!
//! It reads the `Authorization` header once, resolves the caller, and hands handlers a [`Caller`].
//! HTTP Basic credentials go through the same password check as the sign-in page. Failures follow
//! RFC 6750: no credentials is a 401 with a bare `Bearer` challenge, a malformed header is a 400
//! `invalid_request`, and a database outage is a 503, never a 401.

use axum::{
    extract::{FromRequestParts, Request, State},
    http::{HeaderMap, header, request::Parts},
    middleware::Next,
    response::Response,
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
        self, TokenId,
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
    /// A bearer access token of the caller's.
    Token(TokenId),
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
    let caller = identify(&state, request.headers()).await?;
    request.extensions_mut().insert(caller);
    Ok(next.run(request).await)
}

/// Who the credentials name, counted by scheme and outcome (`auth_attempts_total`).
async fn identify(state: &AppState, headers: &HeaderMap) -> Result<Caller, ApiError> {
    let count = |scheme: &'static str, outcome: &'static str| {
        monitoring::count("auth_attempts_total", [("scheme", scheme), ("outcome", outcome)]);
    };
    match presented(headers) {
        Err(error) => {
            count("none", if matches!(error, ApiError::MissingCredentials) { "missing" } else { "malformed" });
            Err(error)
        }
        Ok(Presented::Basic { username, password: given }) => {
            let checked = password::check(&state.store, &state.login_throttle, &username, &given).await;
            count(
                "basic",
                match &checked {
                    Ok(_) => "ok",
                    Err(PasswordCheckError::Rejected) => "wrong_password",
                    Err(PasswordCheckError::Throttled(_)) => "throttled",
                    Err(PasswordCheckError::Store(_)) => "unavailable",
                },
            );
            Ok(Caller { person: checked?, via: Credential::Password })
        }
        Ok(Presented::Bearer(value)) => {
            let identified = bearer(state, &value).await;
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
    Expired(OffsetDateTime),
    Store(StoreError),
}

impl TokenRefusal {
    fn outcome(&self) -> &'static str {
        match self {
            TokenRefusal::Malformed(_) => "malformed",
            TokenRefusal::Unknown => "unknown",
            TokenRefusal::Disabled | TokenRefusal::NotForMembers => "disabled",
            TokenRefusal::Expired(_) => "expired",
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
            TokenRefusal::Expired(at) => format!("The access token expired at {}.", timestamp::format(at)),
            TokenRefusal::Store(error) => return error.into(),
        })
    }
}

/// Resolves a bearer token to its owner. A malformed value is refused before any database lookup;
/// the others take one query (token, owner and workspace settings together).
async fn bearer(state: &AppState, presented: &str) -> Result<Caller, TokenRefusal> {
    let value = TokenValue::parse(presented).map_err(TokenRefusal::Malformed)?;
    let found = tokens::store::find_by_digest(&state.store, &value.digest()).await.map_err(TokenRefusal::Store)?;
    let Some(found) = found else { return Err(TokenRefusal::Unknown) };
    if !found.settings.access_tokens_enabled {
        return Err(TokenRefusal::Disabled);
    }
    if !found.settings.tokens_allowed_for(found.owner.is_admin) {
        return Err(TokenRefusal::NotForMembers);
    }
    let now = OffsetDateTime::now_utc();
    if let Some(expired_at) = found.expires_at.filter(|at| *at <= now) {
        return Err(TokenRefusal::Expired(expired_at));
    }
    state.usage.record(found.token_id, now);
    Ok(Caller { person: found.owner, via: Credential::Token(found.token_id) })
}

fn presented(headers: &HeaderMap) -> Result<Presented, ApiError> {
    let malformed = |why: &str| ApiError::InvalidRequest(format!("The Authorization header is malformed: {why}."));
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let Some(value) = values.next() else { return Err(ApiError::MissingCredentials) };
    if values.next().is_some() {
        return Err(malformed("send it once"));
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

impl From<PasswordCheckError> for ApiError {
    fn from(error: PasswordCheckError) -> Self {
        match error {
            PasswordCheckError::Rejected => ApiError::BadCredentials,
            PasswordCheckError::Throttled(seconds) => ApiError::Throttled(seconds),
            PasswordCheckError::Store(error) => error.into(),
        }
    }
}

impl Caller {
    /// Admin-only endpoints start here.
    pub fn require_admin(&self) -> Result<&Person, ApiError> {
        if self.person.is_admin {
            Ok(&self.person)
        } else {
            Err(ApiError::Forbidden("Only workspace admins can do this.".into()))
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
