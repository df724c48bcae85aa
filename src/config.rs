//! Settings from the environment.
//!
//! - `DATABASE_URL`: `sqlite:path` (default `sqlite:data/access-tokens.db`, created on first start)
//!   or `postgres://user:password@host:port/database`.
//! - `LEPTOS_SITE_ADDR`: the address to listen on (cargo-leptos sets it from `Cargo.toml`,
//!   127.0.0.1:3000); the other `LEPTOS_*` variables locate the site's files.
//! - `ADMIN_USERNAME` and `ADMIN_PASSWORD`: the first admin, when the database has no user.
//! - `TRUST_PROXY_HEADERS`: `true` when a trusted proxy in front sets `x-request-id` (default `false`).
//! - `METRICS_ADDR`: an address (e.g. `127.0.0.1:9100`) that serves `GET /metrics` without
//!   credentials, for a scraper on a private network (default: none; admins get `/metrics` on the
//!   app's own address either way).
//! - `LOG_FORMAT`: `text` (the default) or `json`, one object per line, for log shippers.

use std::net::SocketAddr;

use leptos::config::LeptosOptions;

use crate::people::accounts::FirstAdmin;

pub const DEFAULT_DATABASE_URL: &str = "sqlite:data/access-tokens.db";

pub struct Settings {
    pub database_url: String,
    pub leptos_options: LeptosOptions,
    pub first_admin: FirstAdmin,
    pub trust_proxy_headers: bool,
    pub metrics_addr: Option<SocketAddr>,
    /// The site is served over https: session cookies are `Secure` and `__Host-` prefixed.
    /// `SECURE_COOKIES=true`, or a `PUBLIC_URL` that starts with `https://`.
    pub secure_cookies: bool,
}

impl Settings {
    pub fn from_env() -> Result<Self, String> {
        Ok(Settings {
            database_url: database_url(),
            leptos_options: leptos_options()?,
            first_admin: first_admin(),
            trust_proxy_headers: flag("TRUST_PROXY_HEADERS", var("TRUST_PROXY_HEADERS").as_deref())?,
            metrics_addr: var("METRICS_ADDR")
                .map(|addr| {
                    addr.parse()
                        .map_err(|_| format!("METRICS_ADDR must be an address like 127.0.0.1:9100, not {addr:?}"))
                })
                .transpose()?,
            secure_cookies: flag("SECURE_COOKIES", var("SECURE_COOKIES").as_deref())?
                || var("PUBLIC_URL").is_some_and(|url| url.trim().to_ascii_lowercase().starts_with("https://")),
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl LogFormat {
    pub fn from_env() -> Result<Self, String> {
        Self::parse(var("LOG_FORMAT").as_deref())
    }

    fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(format!("LOG_FORMAT must be text or json, not {other:?}")),
        }
    }
}

/// A variable's value, unless it is unset or blank.
fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty())
}

fn flag(name: &str, value: Option<&str>) -> Result<bool, String> {
    match value.map(str::trim).map(str::to_ascii_lowercase).as_deref() {
        None | Some("false" | "0" | "no") => Ok(false),
        Some("true" | "1" | "yes") => Ok(true),
        Some(other) => Err(format!("{name} must be true or false, not {other:?}")),
    }
}

pub fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned())
}

/// cargo-leptos passes the site's settings as `LEPTOS_*` variables (at build time and when it runs
/// the server); a binary built or started otherwise reads them from `Cargo.toml` in the working
/// directory.
fn leptos_options() -> Result<LeptosOptions, String> {
    let from_env = std::env::var_os("LEPTOS_OUTPUT_NAME").is_some() || option_env!("LEPTOS_OUTPUT_NAME").is_some();
    let file = (!from_env && std::path::Path::new("Cargo.toml").exists()).then_some("Cargo.toml");
    leptos::config::get_configuration(file)
        .map(|conf| conf.leptos_options)
        .map_err(|error| format!("cannot read the site configuration: {error}"))
}

fn first_admin() -> FirstAdmin {
    let var = |name| std::env::var(name).ok().filter(|value: &String| !value.is_empty());
    match (var("ADMIN_USERNAME"), var("ADMIN_PASSWORD")) {
        (Some(username), Some(password)) => FirstAdmin::Given { username, password },
        _ => FirstAdmin::Generated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_is_true_or_false_and_off_when_unset() {
        assert_eq!(flag("X", None), Ok(false));
        assert_eq!(flag("X", Some("TRUE")), Ok(true));
        assert_eq!(flag("X", Some("0")), Ok(false));
        assert!(flag("X", Some("sometimes")).unwrap_err().contains("X must be true or false"));
    }

    #[test]
    fn logs_are_text_unless_json_is_asked_for() {
        assert_eq!(LogFormat::parse(None), Ok(LogFormat::Text));
        assert_eq!(LogFormat::parse(Some("json")), Ok(LogFormat::Json));
        assert!(LogFormat::parse(Some("yaml")).unwrap_err().contains("text or json"));
    }
}
