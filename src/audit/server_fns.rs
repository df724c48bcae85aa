//! The server function behind the Audit Log page and one's own activity.

use leptos::prelude::*;

use super::AuditPage;
use crate::ui_error::UiError;

/// A page of events, as the page's URL asks (see `page::Query`): every event for an admin, or,
/// with `own`, the viewer's own.
#[server(endpoint = "audit_events")]
pub async fn audit_events(
    own: bool,
    person: Option<i64>,
    kind: Option<String>,
    since: Option<String>,
    until: Option<String>,
    cursor: Option<String>,
) -> Result<AuditPage, UiError> {
    use super::{DEFAULT_LIMIT, EventKind, page::Query, store};
    use crate::{
        auth::viewer::{require_admin, require_viewer},
        state::AppState,
    };

    let viewer = if own { require_viewer().await? } else { require_admin().await? };
    let query = Query { person, kind: kind.as_deref().and_then(EventKind::parse), since, until, cursor };
    let (filter, cursor) = query.filter();
    let own = own.then_some(viewer.id.0);
    Ok(store::page(&AppState::from_context().store, filter, DEFAULT_LIMIT, cursor, own).await?)
}
