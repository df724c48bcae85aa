//! REST: `/v4/workspaces/current/settings`. Everyone may read them (they say what a member may do);
//! only admins change them.

use axum::{Json, extract::State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{IdleLimit, RetentionDays, SettingsChanges, WorkspaceSettings, store};
use crate::{
    audit::record::Actor,
    auth::layer::{Admin, Caller},
    error::{ApiError, ApiJson, ErrorBody},
    openapi::fields,
    state::AppState,
    tokens::{Lifetime, TokenCap},
};

const MAX_LIFETIME: &str = "The longest lifetime of a new token, in days; -1 for no maximum, which also allows \
                            tokens that never expire. A lowered maximum applies to existing tokens when they are used: a token \
                            older than the maximum is refused (and shown Expired) until it is raised again.";

pub(super) fn max_lifetime_days() -> utoipa::openapi::Schema {
    fields::minus_one_or_up_to(Lifetime::MAX_DAYS, MAX_LIFETIME, false)
}

pub(super) fn new_max_lifetime_days() -> utoipa::openapi::Schema {
    fields::minus_one_or_up_to(Lifetime::MAX_DAYS, MAX_LIFETIME, true)
}

const TOKEN_CAP: &str = "The most active tokens one person may hold; -1 for no limit (the default). \
                         Checked as each token is generated, so concurrent requests cannot pass it; tokens \
                         already held above it are kept.";

pub(super) fn token_cap() -> utoipa::openapi::Schema {
    fields::minus_one_or_up_to(TokenCap::MAX, TOKEN_CAP, false)
}

pub(super) fn new_token_cap() -> utoipa::openapi::Schema {
    fields::minus_one_or_up_to(TokenCap::MAX, TOKEN_CAP, true)
}

const RETENTION: &str =
    "How many days the audit log keeps an event (1 to 3650; default 365). Older events are pruned hourly.";

pub(super) fn retention_days() -> utoipa::openapi::Schema {
    fields::whole_number(1, RetentionDays::MAX, RETENTION, false)
}

pub(super) fn new_retention_days() -> utoipa::openapi::Schema {
    fields::whole_number(1, RetentionDays::MAX, RETENTION, true)
}

const IDLE: &str = "Tokens unused for this many days are revoked (8 to 3650), after a warning to their owner \
                    and the webhooks 7 days and 1 day before; -1 for never (the default). A use resets the count.";

pub(super) fn idle_days() -> utoipa::openapi::Schema {
    fields::minus_one_or_range(IdleLimit::MIN, IdleLimit::MAX, IDLE, false)
}

pub(super) fn new_idle_days() -> utoipa::openapi::Schema {
    fields::minus_one_or_range(IdleLimit::MIN, IdleLimit::MAX, IDLE, true)
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(read, change))
}

/// The workspace's settings for access tokens.
#[utoipa::path(get, operation_id = "getWorkspaceSettings", path = "/workspaces/current/settings", tag = "Workspace",
    security(("bearerToken" = ["read_api"])),
    responses((status = 200, body = WorkspaceSettings)))]
async fn read(State(state): State<AppState>, _caller: Caller) -> Result<Json<WorkspaceSettings>, ApiError> {
    Ok(Json(store::get(&state.store).await?))
}

/// Changes the settings sent; the others stay as they are (workspace admins).
#[utoipa::path(patch, operation_id = "updateWorkspaceSettings", path = "/workspaces/current/settings", tag = "Workspace", request_body = SettingsChanges,
    security(("bearerToken" = ["api", "admin"])),
    responses(
    (status = 200, description = "The settings after the change", body = WorkspaceSettings),
    (status = 400, description = "A value out of range, or an unknown setting", body = ErrorBody),
    (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
))]
async fn change(
    State(state): State<AppState>,
    Admin(caller): Admin,
    ApiJson(changes): ApiJson<SettingsChanges>,
) -> Result<Json<WorkspaceSettings>, ApiError> {
    let settings = super::settings::change(&state.store, &Actor::of(&caller), &changes).await?;
    tracing::info!(by = %caller.person.username, ?settings, "changed the workspace settings");
    Ok(Json(settings))
}
