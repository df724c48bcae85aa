//! Server functions of the Workspace Settings page.

use leptos::prelude::*;

use super::WorkspaceSettings;
use crate::ui_error::UiError;

#[server(endpoint = "workspace_settings")]
pub async fn load_workspace_settings() -> Result<WorkspaceSettings, UiError> {
    crate::auth::viewer::require_viewer().await?;
    Ok(super::store::get(&crate::state::AppState::from_context().store).await?)
}

/// The settings form: checkboxes are present ("on") when ticked; the maximum lifetime is the
/// field as typed (days, or `-1` for unlimited).
#[server(endpoint = "update_workspace_settings")]
pub async fn update_workspace_settings(
    access_tokens_enabled: Option<String>,
    allow_members_to_generate_tokens: Option<String>,
    max_token_lifetime_days: String,
) -> Result<WorkspaceSettings, UiError> {
    use super::SettingsChanges;
    use crate::tokens::MaxLifetime;

    let admin = crate::auth::viewer::require_admin().await?;
    let days: i64 = max_token_lifetime_days.trim().parse().map_err(|_| {
        UiError::invalid(
            "max_token_lifetime_days",
            "The maximum lifetime is a whole number of days, or -1 for unlimited.",
        )
    })?;
    let max = MaxLifetime::parse(days).map_err(|message| UiError::invalid("max_token_lifetime_days", message))?;
    let changes = SettingsChanges {
        access_tokens_enabled: Some(access_tokens_enabled.is_some()),
        allow_members_to_generate_tokens: Some(allow_members_to_generate_tokens.is_some()),
        max_token_lifetime_days: Some(max),
    };
    let settings = super::store::update(&crate::state::AppState::from_context().store, &changes).await?;
    tracing::info!(by = %admin.username, ?settings, "changed the workspace settings");
    Ok(settings)
}
