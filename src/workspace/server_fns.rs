//! Server functions of the Workspace Settings page.

use leptos::prelude::*;

use super::WorkspaceSettings;
use crate::ui_error::UiError;

#[server(endpoint = "workspace_settings")]
pub async fn load_workspace_settings() -> Result<WorkspaceSettings, UiError> {
    crate::auth::viewer::require_viewer().await?;
    Ok(super::store::get(&crate::state::AppState::from_context().store).await?)
}

/// The settings form: checkboxes are present ("on") when ticked; the maximum lifetime and the most
/// tokens per person are the fields as typed (`-1` for no limit). A form without the latter (a page
/// loaded before it existed) leaves it as it is.
#[server(endpoint = "update_workspace_settings")]
pub async fn update_workspace_settings(
    access_tokens_enabled: Option<String>,
    allow_members_to_generate_tokens: Option<String>,
    max_token_lifetime_days: String,
    max_active_tokens_per_person: Option<String>,
    audit_retention_days: Option<String>,
    revoke_unused_after_days: Option<String>,
) -> Result<WorkspaceSettings, UiError> {
    use super::SettingsChanges;
    use crate::tokens::{MaxLifetime, TokenCap};

    let admin = crate::auth::viewer::require_admin().await?;
    let days: i64 = max_token_lifetime_days.trim().parse().map_err(|_| {
        UiError::invalid(
            "max_token_lifetime_days",
            "The maximum lifetime is a whole number of days, or -1 for unlimited.",
        )
    })?;
    let max = MaxLifetime::parse(days).map_err(|message| UiError::invalid("max_token_lifetime_days", message))?;
    let cap = max_active_tokens_per_person
        .map(|typed| {
            let field = "max_active_tokens_per_person";
            let count: i64 = typed.trim().parse().map_err(|_| {
                UiError::invalid(field, "The most tokens per person is a whole number, or -1 for no limit.")
            })?;
            TokenCap::parse(count).map_err(|message| UiError::invalid(field, message))
        })
        .transpose()?;
    let retention = audit_retention_days
        .map(|typed| {
            let field = "audit_retention_days";
            let days: i64 = typed
                .trim()
                .parse()
                .map_err(|_| UiError::invalid(field, "The audit log keeps events for a whole number of days."))?;
            super::RetentionDays::parse(days).map_err(|message| UiError::invalid(field, message))
        })
        .transpose()?;
    let idle = revoke_unused_after_days
        .map(|typed| {
            let field = "revoke_unused_after_days";
            let days: i64 = typed.trim().parse().map_err(|_| {
                UiError::invalid(field, "Unused tokens are revoked after a whole number of days, or -1.")
            })?;
            super::IdleLimit::parse(days).map_err(|message| UiError::invalid(field, message))
        })
        .transpose()?;
    let changes = SettingsChanges {
        revoke_unused_after_days: idle,
        max_active_tokens_per_person: cap,
        audit_retention_days: retention,
        access_tokens_enabled: Some(access_tokens_enabled.is_some()),
        allow_members_to_generate_tokens: Some(allow_members_to_generate_tokens.is_some()),
        max_token_lifetime_days: Some(max),
    };
    let store = &crate::state::AppState::from_context().store;
    let settings = super::settings::change(store, &crate::audit::record::Actor::session(&admin), &changes).await?;
    tracing::info!(by = %admin.username, ?settings, "changed the workspace settings");
    Ok(settings)
}
