//! The REST boundary's one error type: every `/v4` handler and middleware returns [`ApiError`], and
//! this file alone decides status codes, challenge headers and the JSON body
//! `{"exception": {"name", "message", "details"}}` of `API.md`.

use axum::{
    Json,
    extract::rejection::{BytesRejection, JsonRejection, PathRejection, QueryRejection},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{store::StoreError, tokens::Scope};

/// The realm named in `WWW-Authenticate` challenges.
pub const REALM: &str = "access-tokens";
/// Seconds a client should wait before retrying while the database is unavailable.
const RETRY_AFTER_SECONDS: &str = "5";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: the request body or parameters break a rule; the message says which.
    #[error("{0}")]
    Validation(String),
    /// 400 with an RFC 6750 `invalid_request` challenge: the `Authorization` header is malformed.
    #[error("{0}")]
    InvalidRequest(String),
    /// 401 with a bare `Bearer` challenge: no credentials at all.
    #[error("Authentication is required: send an access token as `Authorization: Bearer <token>`.")]
    MissingCredentials,
    /// 401: a username and password that do not match. One message whatever was wrong.
    #[error("The username or password is incorrect.")]
    BadCredentials,
    /// 401 with an RFC 6750 `invalid_token` challenge; the message is its `error_description`.
    #[error("{0}")]
    InvalidToken(String),
    /// 401: the right password of a disabled account.
    #[error("This account is disabled; a workspace admin can enable it again.")]
    AccountDisabled,
    /// 403 with an RFC 6750 `insufficient_scope` challenge naming the scope the token lacks.
    #[error("{message}")]
    InsufficientScope { scope: Scope, message: String },
    /// 429: too many failed sign-ins for this account; retry after the given seconds.
    #[error("Too many failed attempts. Try again in {0} seconds.")]
    Throttled(u64),
    /// 403
    #[error("{0}")]
    Forbidden(String),
    /// 404
    #[error("{0}")]
    NotFound(String),
    /// 413: the request body is over [`crate::body_limit::MAX_BYTES`].
    #[error("The request body is too large: at most {} bytes.", crate::body_limit::MAX_BYTES)]
    PayloadTooLarge,
    /// 405: the route exists, with other methods (its `Allow` header lists them).
    #[error("This route does not take that method.")]
    MethodNotAllowed,
    /// 409: the write conflicts with existing data (a taken username).
    #[error("{0}")]
    Conflict(String),
    /// 503 with `Retry-After`: the database did not answer. Never reported as a 401.
    #[error("The service is temporarily unavailable. Please retry shortly.")]
    Unavailable,
    /// 500: a bug or an unexpected database error; details go to the log, not to the client.
    #[error("An unexpected error occurred.")]
    Internal,
}

impl ApiError {
    fn status(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) | ApiError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::MissingCredentials
            | ApiError::BadCredentials
            | ApiError::AccountDisabled
            | ApiError::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            ApiError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Forbidden(_) | ApiError::InsufficientScope { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The exception name of `API.md`.
    pub fn name(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "ApiValidationFailed",
            ApiError::InvalidRequest(_) => "InvalidRequest",
            ApiError::MissingCredentials
            | ApiError::BadCredentials
            | ApiError::AccountDisabled
            | ApiError::InvalidToken(_) => "AuthenticationFailed",
            ApiError::Throttled(_) => "TooManyRequests",
            ApiError::Forbidden(_) | ApiError::InsufficientScope { .. } => "AccessControlException",
            ApiError::NotFound(_) => "RouteNotFoundException",
            ApiError::MethodNotAllowed => "MethodNotAllowed",
            ApiError::PayloadTooLarge => "PayloadTooLarge",
            ApiError::Conflict(_) => "ConflictException",
            ApiError::Unavailable => "ServiceUnavailable",
            ApiError::Internal => "InternalServerError",
        }
    }

    /// The `WWW-Authenticate` challenge (RFC 6750 section 3), where the status calls for one.
    fn challenge(&self) -> Option<String> {
        let quoted = |text: &str| text.replace(['"', '\\'], "'");
        match self {
            ApiError::MissingCredentials => Some(format!("Bearer realm=\"{REALM}\"")),
            ApiError::BadCredentials | ApiError::AccountDisabled => {
                Some(format!("Bearer realm=\"{REALM}\", Basic realm=\"{REALM}\""))
            }
            ApiError::InvalidRequest(message) => Some(format!(
                "Bearer realm=\"{REALM}\", error=\"invalid_request\", error_description=\"{}\"",
                quoted(message)
            )),
            ApiError::InvalidToken(message) => Some(format!(
                "Bearer realm=\"{REALM}\", error=\"invalid_token\", error_description=\"{}\"",
                quoted(message)
            )),
            ApiError::InsufficientScope { scope, message } => Some(format!(
                "Bearer realm=\"{REALM}\", error=\"insufficient_scope\", scope=\"{scope}\", error_description=\"{}\"",
                quoted(message)
            )),
            _ => None,
        }
    }

    /// What else there is to say, and the request's id, which names it in the server's log:
    /// `invalid_token; request id 3f2c...`.
    fn details(&self) -> String {
        let detail = match self {
            ApiError::InvalidRequest(_) => Some("invalid_request"),
            ApiError::InvalidToken(_) => Some("invalid_token"),
            ApiError::InsufficientScope { .. } => Some("insufficient_scope"),
            ApiError::Unavailable => Some("The database did not answer; nothing was changed"),
            _ => None,
        };
        let request = crate::request_id::current().map(|id| format!("request id {}", id.as_str()));
        detail.map(str::to_owned).into_iter().chain(request).collect::<Vec<_>>().join("; ")
    }
}

/// The body of every error answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub exception: Exception,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Exception {
    /// `ApiValidationFailed`, `AuthenticationFailed`, `AccessControlException`,
    /// `RouteNotFoundException`, `ServiceUnavailable`, ...
    pub name: String,
    /// For people; never echoes a token or a password.
    pub message: String,
    /// The RFC 6750 error code where there is one, and the request's id (as in the
    /// `x-request-id` header), e.g. `invalid_token; request id 3f2c...`.
    pub details: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = ErrorBody {
            exception: Exception { name: self.name().to_owned(), message: self.to_string(), details: self.details() },
        };
        let mut response = (status, Json(body)).into_response();
        let headers = response.headers_mut();
        if let Some(challenge) = self.challenge()
            && let Ok(value) = HeaderValue::from_str(&challenge)
        {
            headers.insert(header::WWW_AUTHENTICATE, value);
        }
        match self {
            ApiError::Unavailable => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static(RETRY_AFTER_SECONDS));
            }
            ApiError::Throttled(seconds) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            _ => {}
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable(cause) => {
                tracing::warn!(error = %cause, "database unavailable");
                ApiError::Unavailable
            }
            StoreError::Conflict => ApiError::Conflict("The resource already exists.".into()),
            StoreError::Other(cause) => {
                tracing::error!(error = %cause, "database error");
                ApiError::Internal
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // A body cut off by the limit while it was read.
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::PayloadTooLarge;
        }
        ApiError::Validation(format!("The request body is not valid: {}", rejection.body_text()))
    }
}

impl From<BytesRejection> for ApiError {
    fn from(rejection: BytesRejection) -> Self {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::PayloadTooLarge;
        }
        ApiError::Validation(format!("The request body could not be read: {}", rejection.body_text()))
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> Self {
        ApiError::Validation(format!("The query string is not valid: {}", rejection.body_text()))
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::NotFound("No such resource.".into())
    }
}

/// A JSON object body, with [`ApiError`] rejections, so a bad body gets the JSON error shape too.
/// Only an object: serde would otherwise also read a struct from an array (`[60]` as
/// `{"lifetimeSeconds": 60}`), which no client means.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let Json(value) = Json::<serde_json::Value>::from_request(request, state).await?;
        Ok(ApiJson(object_body(value)?))
    }
}

/// `value` as a `T`, if it is a JSON object.
pub fn object_body<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    if !value.is_object() {
        return Err(ApiError::Validation("The request body is not valid: it must be a JSON object.".into()));
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        let field = if path == "." { String::new() } else { format!("{path}: ") };
        ApiError::Validation(format!("The request body is not valid: {field}{}", error.inner()))
    })
}

/// The raw body, with [`ApiError`] rejections (413 past the limit).
pub struct ApiBytes(pub axum::body::Bytes);

impl<S: Send + Sync> axum::extract::FromRequest<S> for ApiBytes {
    type Rejection = ApiError;

    async fn from_request(request: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        Ok(ApiBytes(axum::body::Bytes::from_request(request, state).await?))
    }
}

/// `axum::extract::Query` with [`ApiError`] rejections.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// `axum::extract::Path` with [`ApiError`] rejections (an id that does not parse is not found).
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

/// The answer to `/v4` paths that name no route.
pub async fn route_not_found() -> ApiError {
    ApiError::NotFound("No such route.".into())
}

/// The answer to a `/v4` route asked with a method it does not take.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
