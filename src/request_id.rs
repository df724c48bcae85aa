//! Every request gets an id: in the `x-request-id` answer header, in every log line written while
//! it is served, and in the `details` of a REST error body, so that a person's report ("it said
//! request id 3f2c...") leads to the log lines.
//!
//! A proxy in front may have given the request an id already; it is kept only where the
//! `TRUST_PROXY_HEADERS` setting says the proxy is trusted (anyone else could choose an id that
//! collides with another request's, or fills the log with their text). `monitoring::observe` gives
//! each request its id.

use std::sync::Arc;

use axum::{
    http::{HeaderMap, HeaderName, HeaderValue},
    response::Response,
};

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");
/// The longest id taken from a trusted proxy.
const MAX_LEN: usize = 128;

/// One request's id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestId(Arc<str>);

impl RequestId {
    /// The id of a request with these headers: the one a trusted proxy sent, or a new one.
    pub fn of(headers: &HeaderMap, trust_proxy: bool) -> Self {
        headers.get(&HEADER).filter(|_| trust_proxy).and_then(RequestId::from_proxy).unwrap_or_else(RequestId::generate)
    }

    /// Runs `future` (serving the request) with this id as [`current`].
    pub async fn scope<T>(&self, future: impl Future<Output = T>) -> T {
        CURRENT.scope(self.clone(), future).await
    }

    /// Names the id in the answer.
    pub fn name_in(&self, response: &mut Response) {
        if let Ok(value) = HeaderValue::from_str(self.as_str()) {
            response.headers_mut().insert(HEADER, value);
        }
    }

    /// 128 random bits from the thread's CSPRNG (no system call per request), in hex.
    fn generate() -> Self {
        RequestId(format!("{:032x}", rand::random::<u128>()).into())
    }

    /// An id a proxy sent: letters, digits and `-_.:/+=`, at most 128 of them.
    fn from_proxy(value: &HeaderValue) -> Option<Self> {
        let text = value.to_str().ok()?;
        let fits = !text.is_empty()
            && text.len() <= MAX_LEN
            && text.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/+=".contains(c));
        fits.then(|| RequestId(text.into()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

tokio::task_local! {
    static CURRENT: RequestId;
}

/// The id of the request being served on this task, if any.
pub fn current() -> Option<RequestId> {
    CURRENT.try_with(Clone::clone).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxys_id_is_taken_only_when_it_is_short_plain_text() {
        let id = |text: &'static str| RequestId::from_proxy(&HeaderValue::from_static(text));
        assert_eq!(id("3f2c-41aa.b:c/d+e=").map(|id| id.as_str().to_owned()).as_deref(), Some("3f2c-41aa.b:c/d+e="));
        assert!(id("").is_none());
        assert!(id("two words").is_none());
        assert!(id("line\tbreak").is_none());
        assert!(RequestId::from_proxy(&HeaderValue::from_str(&"a".repeat(129)).unwrap()).is_none());
    }

    #[test]
    fn generated_ids_are_unique() {
        assert_ne!(RequestId::generate(), RequestId::generate());
    }
}
