//! What happens to tokens with time, on every instance once a minute: warnings that a token
//! expires within 7 days and within a day (`token.expiring`), and, where the workspace revokes
//! unused tokens, warnings 7 days and 1 day before (`token.inactivity_pending`, and on its owner's
//! pages), then the revocation itself, kept as a record with the reason `inactivity`. Databricks
//! revokes silently; here every owner has a week's notice, and a use takes it back.
//!
//! Each step is one statement that marks what it did, so an instance sharing the database with
//! others, or running again after a crash, never repeats a warning or skips one.

use std::time::Duration;

use time::OffsetDateTime;

use super::store;
use crate::{
    audit::{
        EventKind,
        record::{Actor, Event, record},
    },
    store::{Store, StoreError},
    workspace::{IdleLimit, store as settings_store},
};

pub const SWEEP_INTERVAL: Duration = Duration::from_secs(60);
/// The warnings, in days before the end.
pub const WARN_BEFORE_DAYS: [i64; 2] = [7, 1];

/// What one sweep did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    pub expiry_warnings: usize,
    pub idle_warnings: usize,
    pub revoked: usize,
    /// Rotated tokens whose grace period ended without their successor's use.
    pub retired: usize,
}

/// One sweep, as of `now`.
pub async fn sweep(store: &Store, now: OffsetDateTime) -> Result<Swept, StoreError> {
    let settings = settings_store::get(store).await?;
    let mut swept = Swept::default();
    // The last day first: a token with less than a day left is told that, not a week as well.
    for days in WARN_BEFORE_DAYS.into_iter().rev() {
        swept.expiry_warnings += store::warn_expiring(store, now, days, settings.max_token_lifetime_days).await?;
    }
    // Rotated tokens whose grace ended unused: recorded and announced, not left hidden.
    swept.retired = store::retire_ended(store, now).await?;
    if let IdleLimit::Days(limit) = settings.revoke_unused_after_days {
        for days in WARN_BEFORE_DAYS {
            swept.idle_warnings += store::warn_idle(store, now, limit, days).await?;
        }
        let revoked = store::revoke_idle(store, now, limit).await?;
        swept.revoked = revoked.len();
        if swept.revoked > 0 {
            tracing::info!(revoked = swept.revoked, limit, "revoked access tokens unused for too long");
        }
        // The token's history says why: nobody did it, the workspace's rule did.
        for (token_id, owner_id) in revoked {
            let owner = crate::people::store::find(store, owner_id).await?.map(|person| person.username);
            let event = Event::new(EventKind::TokenRevokedUnused, &Actor::nobody())
                .on_id(owner_id, owner.unwrap_or_default())
                .token(token_id)
                .detail("unusedForDays", limit);
            record(store, event).await;
        }
    }
    Ok(swept)
}

/// Sweeps every [`SWEEP_INTERVAL`] until `shutdown` resolves.
pub async fn run(store: Store, shutdown: impl std::future::Future<Output = ()>) {
    crate::periodic::every(SWEEP_INTERVAL, shutdown, || async {
        if let Err(error) = sweep(&store, OffsetDateTime::now_utc()).await {
            tracing::warn!(%error, "cannot sweep the tokens yet; will retry");
        }
    })
    .await;
}
