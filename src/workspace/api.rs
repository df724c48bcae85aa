//! REST: `/v4/workspaces/current/settings`. Everyone may read them (they say what a member may do);
//! only admins change them.

use axum::{Json, Router, extract::State, routing::get};

use super::{SettingsChanges, WorkspaceSettings, store};
use crate::{
    auth::layer::Caller,
    error::{ApiError, ApiJson},
    startup::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new().route("/workspaces/current/settings", get(read).patch(change))
}

async fn read(State(state): State<AppState>, _caller: Caller) -> Result<Json<WorkspaceSettings>, ApiError> {
    Ok(Json(store::get(&state.store).await?))
}

async fn change(State(state): State<AppState>, caller: Caller, ApiJson(changes): ApiJson<SettingsChanges>) -> Result<Json<WorkspaceSettings>, ApiError> {
    caller.require_admin()?;
    let settings = store::update(&state.store, &changes).await?;
    tracing::info!(by = %caller.person.username, ?settings, "changed the workspace settings");
    Ok(Json(settings))
}
