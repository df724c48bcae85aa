//! REST: `GET /v4/workspaces/current/auditEvents` (every event, for workspace admins) and
//! `GET /v4/people/current/auditEvents` (the caller's own: what they did, and what was done to
//! them). Newest first, a page at a time by an opaque cursor.

use axum::{Json, extract::State};
use serde::Deserialize;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{AuditFilter, AuditPage, Cursor, DEFAULT_LIMIT, EventKind, MAX_LIMIT, store};
use crate::{
    auth::layer::{Admin, Caller},
    error::{ApiError, ApiQuery, ErrorBody},
    state::AppState,
};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_workspace)).routes(routes!(list_own))
}

/// Which events, as the query string says.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AuditQuery {
    /// How many events to return: 1 to 1000 (default 100).
    #[param(required = false, minimum = 1, maximum = 1000, default = 100)]
    limit: Option<i64>,
    /// Where the page starts: the `nextCursor` of the page before. Omitted: the newest events.
    #[param(required = false, pattern = r"^[0-9]{1,18}\.[0-9]{1,18}$")]
    cursor: Option<String>,
    /// Only events where this person acted or was acted on (their id). Ignored on
    /// `/people/current/auditEvents`, which lists the caller's own.
    #[param(required = false, minimum = 1)]
    person: Option<i64>,
    /// Only events of this kind.
    #[param(required = false, inline)]
    kind: Option<EventKind>,
    /// Only events at or after this time (RFC 3339).
    #[param(required = false, format = DateTime)]
    since: Option<String>,
    /// Only events before this time (RFC 3339).
    #[param(required = false, format = DateTime)]
    until: Option<String>,
}

impl AuditQuery {
    /// The filter, page size and cursor asked for, or why they cannot be.
    pub fn parse(self) -> Result<(AuditFilter, i64, Option<Cursor>), String> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(format!("limit must be between 1 and {MAX_LIMIT}."));
        }
        let cursor = self
            .cursor
            .map(|text| {
                Cursor::parse(&text).ok_or("cursor is not one this API gave out: pass a nextCursor back as it is.")
            })
            .transpose()?;
        if self.person.is_some_and(|id| id < 1) {
            return Err("person is a person's id, a number from 1.".into());
        }
        let time = |name: &str, text: Option<String>| {
            text.map(|text| {
                time::OffsetDateTime::parse(&text, &time::format_description::well_known::Rfc3339)
                    .map_err(|_| format!("{name} is a time in RFC 3339, such as 2026-01-31T12:00:00Z."))
            })
            .transpose()
        };
        let filter = AuditFilter {
            person: self.person,
            kind: self.kind,
            since: time("since", self.since)?,
            until: time("until", self.until)?,
        };
        Ok((filter, limit, cursor))
    }
}

async fn page(state: &AppState, query: AuditQuery, own: Option<i64>) -> Result<AuditPage, ApiError> {
    let (filter, limit, cursor) = query.parse().map_err(ApiError::Validation)?;
    Ok(store::page(&state.store, filter, limit, cursor, own).await?)
}

/// The workspace's audit trail, newest first (workspace admins): sign-ins, people, tokens and
/// settings; who acted, how they were signed in, from which address and user agent.
#[utoipa::path(get, operation_id = "listAuditEvents", path = "/workspaces/current/auditEvents", tag = "Audit", params(AuditQuery),
    security(("bearerToken" = ["read_api", "admin"])),
    responses(
    (status = 200, body = AuditPage),
    (status = 400, description = "A filter or cursor that cannot be read", body = ErrorBody),
    (status = 403, description = "The caller is not a workspace admin", body = ErrorBody),
))]
async fn list_workspace(
    State(state): State<AppState>,
    _: Admin,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    Ok(Json(page(&state, query, None).await?))
}

/// The caller's own events, newest first: what they did, and what was done to their account and
/// tokens (by whom).
#[utoipa::path(get, operation_id = "listOwnAuditEvents", path = "/people/current/auditEvents", tag = "Audit", params(AuditQuery),
    security(("bearerToken" = ["read_api"])),
    responses(
    (status = 200, body = AuditPage),
    (status = 400, description = "A filter or cursor that cannot be read", body = ErrorBody),
))]
async fn list_own(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> Result<Json<AuditPage>, ApiError> {
    Ok(Json(page(&state, query, Some(caller.person.id.0)).await?))
}
