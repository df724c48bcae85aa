//! Request bodies are small in this app (a token request, a person, a form of a few fields), so
//! every body is limited to [`MAX_BYTES`]: REST, server functions and the forms posted without
//! JavaScript alike. A body announced larger (`Content-Length`) is refused before it is read, with
//! the JSON error body on `/v4`; a streamed one is cut off at the limit while it is read, and the
//! answer is 413 whatever the reader made of the cut (a server function would call it malformed).
//! Both happen in `monitoring::observe`, the one middleware every request passes (another layer
//! would cost every request, GETs included, a share of throughput).

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use axum::{
    body::Body,
    extract::Request,
    http::{Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use http_body_util::{BodyExt, LengthLimitError, Limited};

use crate::error::ApiError;

pub const MAX_BYTES: usize = 64 * 1024;

/// Whether a request's body ran over the limit while it was read.
#[derive(Clone, Default)]
pub struct Overflow(Option<Arc<AtomicBool>>);

impl Overflow {
    /// The request's answer: 413 if its body ran over, whatever its reader answered.
    /// `api`: the request was to the REST API (`/v4/`).
    pub fn settle(&self, api: bool, response: Response) -> Response {
        let ran_over = self.0.as_ref().is_some_and(|flag| flag.load(Ordering::Relaxed));
        if ran_over && response.status() != StatusCode::PAYLOAD_TOO_LARGE { too_large(api) } else { response }
    }
}

/// Cuts the request's body off at [`MAX_BYTES`]; or, when it is announced larger, the answer.
/// Requests without a body pass untouched.
#[expect(clippy::result_large_err, reason = "the refusal is the request's answer, moved once")]
pub fn limit(request: &mut Request) -> Result<Overflow, Response> {
    if matches!(*request.method(), Method::GET | Method::HEAD)
        && !request.headers().contains_key(header::CONTENT_LENGTH)
    {
        return Ok(Overflow::default());
    }
    let announced = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > MAX_BYTES as u64) {
        return Err(too_large(request.uri().path().starts_with("/v4/")));
    }
    let flag = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&flag);
    let body = std::mem::take(request.body_mut());
    *request.body_mut() = Body::new(Limited::new(body, MAX_BYTES).map_err(move |error| {
        if error.is::<LengthLimitError>() {
            seen.store(true, Ordering::Relaxed);
        }
        error
    }));
    Ok(Overflow(Some(flag)))
}

fn too_large(api: bool) -> Response {
    if api {
        return ApiError::PayloadTooLarge.into_response();
    }
    (StatusCode::PAYLOAD_TOO_LARGE, format!("The request body is too large: at most {MAX_BYTES} bytes."))
        .into_response()
}
