//! What every handler and server function shares: one [`AppState`], built by `startup` and handed to
//! the REST handlers as axum state and to server functions as Leptos context (leptos_axum provides
//! the router's state to every page render and server function it serves).

use std::sync::Arc;

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::{
    auth::{session::CookiePolicy, throttle::LoginThrottle},
    monitoring::Metrics,
    static_files::StaticFiles,
    store::Store,
    tokens::{cache::TokenCache, leaks::ReportLimit, usage::UsageLog},
};

#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub store: Store,
    pub login_throttle: Arc<LoginThrottle>,
    /// Token uses not yet written to the database (Last Used).
    pub usage: Arc<UsageLog>,
    /// Tokens verified in the last second (see `tokens::cache`).
    pub token_cache: Arc<TokenCache>,
    /// Leaked-token reports per client IP (see `tokens::leaks`).
    pub leak_reports: Arc<ReportLimit>,
    /// The site's own files, from memory (see `static_files`).
    pub static_files: Arc<StaticFiles>,
    pub metrics: Metrics,
    /// Whether the proxy in front is trusted with the headers it sets (`x-request-id`, and
    /// `X-Forwarded-For` for the client IP: see `client_ip`).
    pub trust_proxy_headers: bool,
    /// Which cookie carries the session (see `auth::session`).
    pub cookies: CookiePolicy,
}

impl AppState {
    /// Server functions: the state of the router that is serving them.
    pub fn from_context() -> Self {
        leptos::prelude::expect_context::<AppState>()
    }
}
