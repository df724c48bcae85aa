//! Settings from the environment.
//!
//! - `DATABASE_URL`: `sqlite:path` (default `sqlite:data/access-tokens.db`, created on first start)
//!   or `postgres://user:password@host:port/database`.
//! - `LEPTOS_SITE_ADDR`: the address to listen on (cargo-leptos sets it from `Cargo.toml`,
//!   127.0.0.1:3000); the other `LEPTOS_*` variables locate the site's files.
//! - `ADMIN_USERNAME` and `ADMIN_PASSWORD`: the first admin, when the database has no user.

use leptos::config::LeptosOptions;

use crate::people::accounts::FirstAdmin;

pub const DEFAULT_DATABASE_URL: &str = "sqlite:data/access-tokens.db";

pub struct Settings {
    pub database_url: String,
    pub leptos_options: LeptosOptions,
    pub first_admin: FirstAdmin,
}

impl Settings {
    pub fn from_env() -> Result<Self, String> {
        Ok(Settings { database_url: database_url(), leptos_options: leptos_options()?, first_admin: first_admin() })
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
