//! Request bodies are small in this app (a token request, a person, a form of a few fields), so
//! every body is limited to [`MAX_BYTES`]: REST, server functions and the forms posted without
//! JavaScript alike. A body announced larger (`Content-Length`) is refused before it is read, with
//! the JSON error body on `/v4`; a streamed one is cut off at the limit by `tower_http`'s
//! `RequestBodyLimitLayer`, and whatever reads it answers 413.

use axum::{
    extract::Request,
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::error::ApiError;

pub const MAX_BYTES: usize = 64 * 1024;

pub async fn refuse_announced(request: Request, next: Next) -> Response {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > MAX_BYTES as u64) {
        if request.uri().path().starts_with("/v4/") {
            return ApiError::PayloadTooLarge.into_response();
        }
        return (StatusCode::PAYLOAD_TOO_LARGE, format!("The request body is too large: at most {MAX_BYTES} bytes."))
            .into_response();
    }
    next.run(request).await
}
