//! Refuses state-changing browser requests that come from another site.
//!
//! Server functions (`/api/...`) and the pages' forms (posted to the page, see `form_posts`) act on
//! the session cookie, so a page elsewhere could try to post to them. `SameSite=Lax` already keeps the cookie off cross-site POSTs in current browsers; this
//! layer is the second lock, and covers browsers that lack the first:
//! - `Sec-Fetch-Site` (every current browser sends it) must be `same-origin` or `none` (typed or
//!   bookmarked); `same-site` is refused too, since a sibling subdomain is another party;
//! - otherwise `Origin`, when present, must name this host.
//!
//! Requests with neither header come from non-browser clients, which carry no ambient cookie to
//! abuse. The REST API under `/v4` authenticates with explicit headers and is not affected. GET never
//! changes state here, so it is let through.

use axum::{
    extract::Request,
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    // Everything but the REST API, whose credentials are never ambient.
    let guarded = !request.uri().path().starts_with("/v4/")
        && !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if guarded && is_cross_site(request.headers()) {
        tracing::warn!(path = %request.uri().path(), "refused a cross-site request");
        return (StatusCode::FORBIDDEN, "Cross-site requests are not allowed.").into_response();
    }
    next.run(request).await
}

fn is_cross_site(headers: &HeaderMap) -> bool {
    let text = |name| headers.get(name).and_then(|value| value.to_str().ok());
    if let Some(site) = text("sec-fetch-site") {
        return !matches!(site, "same-origin" | "none");
    }
    let Some(origin) = text(header::ORIGIN.as_str()) else { return false };
    let host = text("x-forwarded-host").or_else(|| text(header::HOST.as_str()));
    let origin_host = origin.split_once("://").map(|(_, rest)| rest.trim_end_matches('/'));
    // `Origin: null` (sandboxed frames, some redirects) names no host and is refused.
    origin_host.is_none() || origin_host != host
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| (header::HeaderName::from_static(name), HeaderValue::from_static(value)))
            .collect()
    }

    #[test]
    fn fetch_metadata_decides_when_present() {
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "same-origin")])));
        assert!(!is_cross_site(&headers(&[("sec-fetch-site", "none")])));
        assert!(is_cross_site(&headers(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "http://app:3000"),
            ("host", "app:3000")
        ])));
        assert!(is_cross_site(&headers(&[("sec-fetch-site", "same-site")])));
    }

    #[test]
    fn otherwise_the_origin_must_name_this_host() {
        assert!(!is_cross_site(&headers(&[("origin", "http://app:3000"), ("host", "app:3000")])));
        assert!(is_cross_site(&headers(&[("origin", "https://evil.example"), ("host", "app:3000")])));
        assert!(is_cross_site(&headers(&[("origin", "null"), ("host", "app:3000")])));
        assert!(!is_cross_site(&headers(&[
            ("origin", "https://tokens.example.com"),
            ("host", "internal:3000"),
            ("x-forwarded-host", "tokens.example.com")
        ])));
    }

    #[test]
    fn clients_without_browser_headers_are_not_browsers() {
        assert!(!is_cross_site(&headers(&[("host", "app:3000")])));
    }
}
