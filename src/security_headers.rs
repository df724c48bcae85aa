//! The headers every answer carries for the browser's protection, in one place.
//!
//! - Pages get a Content-Security-Policy that runs only this site's scripts: the hydration
//!   scripts inline carry the response's nonce (leptos_axum makes one per render, and
//!   `HydrationScripts` puts it on them); nothing else inline runs. `frame-ancestors 'none'`: no
//!   page, the My Token dialog least of all, can be framed.
//! - Every answer: `X-Content-Type-Options: nosniff`, `Referrer-Policy: same-origin`,
//!   `X-Frame-Options: DENY` (for browsers without `frame-ancestors`), and, unless it set its own
//!   caching, `Cache-Control: no-store` on pages and API answers (they are per user; the site's
//!   static files keep theirs). HSTS when the request came over https through a trusted proxy.

use axum::{
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};

/// The policy of a page rendered with `nonce`. `reload_port`: `cargo leptos watch`'s live reload.
pub fn content_security_policy(nonce: &str, reload_port: Option<u32>) -> String {
    let reload = reload_port.map(|port| format!(" ws://127.0.0.1:{port} ws://localhost:{port}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'{reload}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The site's own files, which keep their caching.
pub fn is_static_file(path: &str) -> bool {
    path.starts_with("/pkg/") || path == "/favicon.svg"
}

/// Sets the headers every answer carries; `static_file`: see [`is_static_file`]; `https`: whether
/// the request came over https (as a trusted proxy says).
pub fn apply(response: &mut Response, static_file: bool, https: bool) {
    let headers = response.headers_mut();
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    // Not `no-referrer`: a form posted without JavaScript to a server function is sent back to
    // the page it came from by its `Referer`. `same-origin` keeps every URL from other sites.
    set(headers, header::REFERRER_POLICY, "same-origin");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    if !static_file && !headers.contains_key(header::CACHE_CONTROL) {
        set(headers, header::CACHE_CONTROL, "no-store");
    }
    if https {
        set(headers, header::STRICT_TRANSPORT_SECURITY, "max-age=31536000; includeSubDomains");
    }
}

fn set(headers: &mut HeaderMap, name: header::HeaderName, value: &'static str) {
    headers.entry(name).or_insert(HeaderValue::from_static(value));
}

/// Whether a request came over https, as a proxy trusted with its headers says.
pub fn over_https(headers: &HeaderMap, trust_proxy: bool) -> bool {
    trust_proxy
        && headers.get("x-forwarded-proto").and_then(|value| value.to_str().ok()).is_some_and(|proto| {
            proto.split(',').next().is_some_and(|first| first.trim().eq_ignore_ascii_case("https"))
        })
}
