//! Request bodies are small in this app (a token request, a person, a form of a few fields), so
//! every body is limited to [`MAX_BYTES`]: REST, server functions and the forms posted without
//! JavaScript alike. A body announced larger (`Content-Length`) is refused before it is read, with
//! the JSON error body on `/v4`; a streamed one is cut off at the limit while it is read, and
//! whatever reads it answers 413. Both happen in `monitoring::observe`, the one middleware every
//! request passes (another layer would cost every request, GETs included, a share of throughput).

use axum::{
    body::Body,
    extract::Request,
    http::{Method, StatusCode, header},
    response::{IntoResponse, Response},
};

use http_body_util::Limited;

use crate::error::ApiError;

pub const MAX_BYTES: usize = 64 * 1024;

/// Cuts the request's body off at [`MAX_BYTES`]; or, when it is announced larger, the answer.
/// Requests without a body pass untouched.
pub fn limit(request: &mut Request) -> Option<Response> {
    if matches!(*request.method(), Method::GET | Method::HEAD)
        && !request.headers().contains_key(header::CONTENT_LENGTH)
    {
        return None;
    }
    if let Some(refused) = refusal(request) {
        return Some(refused);
    }
    let body = std::mem::take(request.body_mut());
    *request.body_mut() = Body::new(Limited::new(body, MAX_BYTES));
    None
}

fn refusal(request: &Request) -> Option<Response> {
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_none_or(|length| length <= MAX_BYTES as u64) {
        return None;
    }
    if request.uri().path().starts_with("/v4/") {
        return Some(ApiError::PayloadTooLarge.into_response());
    }
    Some(
        (StatusCode::PAYLOAD_TOO_LARGE, format!("The request body is too large: at most {MAX_BYTES} bytes."))
            .into_response(),
    )
}
