//! access-tokens: workspace members manage their API access tokens, REST clients authenticate with them.
//!
//! One crate, two builds: the `ssr` feature builds the server (axum, sqlx, the REST API) and renders
//! every page; the `hydrate` feature builds the small wasm bundle of the pages' one island
//! (`enhance`), the only part that runs in the browser. Server-only modules are
//! declared here behind `#[cfg(feature = "ssr")]`; feature modules keep their server halves in one
//! nested `ssr` module or file.

pub mod app;
pub mod audit;
pub mod auth;
pub mod clock;
pub mod enhance;
pub mod form_posts;
pub mod json;
pub mod layout;
pub mod notifications;
pub mod paging;
pub mod people;
pub mod text;
pub mod timestamp;
pub mod tokens;
pub mod ui;
pub mod ui_error;
pub mod webhooks;
pub mod workspace;

#[cfg(feature = "ssr")]
pub mod body_limit;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod client_ip;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod error;
#[cfg(feature = "ssr")]
pub mod health;
#[cfg(feature = "ssr")]
pub mod monitoring;
#[cfg(feature = "ssr")]
pub mod openapi;
#[cfg(feature = "ssr")]
pub mod periodic;
#[cfg(feature = "ssr")]
pub mod request_id;
#[cfg(feature = "ssr")]
pub mod security_headers;
#[cfg(feature = "ssr")]
pub mod startup;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod static_files;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
