//! Last Used, without a database write per request.
//!
//! Every successful bearer authentication calls [`UsageLog::record`], which only updates an
//! in-memory map (one short mutex hold). A background task ([`UsageLog::run`]) writes the pending
//! times in one transaction every [`FLUSH_INTERVAL`], and once more at shutdown. So:
//! - a busy token costs one `UPDATE` per interval per instance, not one per request;
//! - what this instance reports is exact to the second: lists and lookups merge the pending
//!   times over the stored ones ([`UsageLog::overlay`]);
//! - other instances sharing the database see the time at most one interval late, and the
//!   `UPDATE` only moves a time forward, so flushes from several instances never go back in time;
//! - if the database is down at flush time the times stay pending and go with the next flush. A
//!   crash loses at most one interval of Last Used times, never a token.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use time::OffsetDateTime;

use super::{TokenId, TokenInfo, store};
use crate::store::Store;

pub const FLUSH_INTERVAL: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct UsageLog {
    /// Last use seen here and not yet confirmed written, per token.
    pending: Mutex<HashMap<TokenId, Pending>>,
}

#[derive(Clone, Copy)]
struct Pending {
    /// The latest use.
    at: OffsetDateTime,
    /// Since when this token has had a use waiting to be written (for the flush lag metric).
    since: Instant,
}

impl UsageLog {
    pub fn record(&self, token_id: TokenId, at: OffsetDateTime) {
        let mut pending = self.pending.lock().expect("usage log lock");
        let latest = pending.entry(token_id).or_insert(Pending { at, since: Instant::now() });
        if latest.at < at {
            latest.at = at;
        }
    }

    /// The most recent use of `token_id` known here, between the stored one and any pending one.
    pub fn last_used(&self, token_id: TokenId, stored: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
        let pending = self.pending.lock().expect("usage log lock").get(&token_id).map(|pending| pending.at);
        stored.max(pending)
    }

    /// How many tokens have a use not written yet.
    pub fn pending(&self) -> usize {
        self.pending.lock().expect("usage log lock").len()
    }

    /// Brings `info.last_used` up to date with the uses this instance has not written yet.
    pub fn overlay(&self, info: &mut TokenInfo) {
        info.last_used = self.last_used(info.token_id, info.last_used);
    }

    /// Writes the pending times. Entries that were used again meanwhile stay pending.
    pub async fn flush(&self, store: &Store) -> Result<usize, crate::store::StoreError> {
        let (batch, oldest): (Vec<(TokenId, OffsetDateTime)>, Option<Instant>) = {
            let pending = self.pending.lock().expect("usage log lock");
            (
                pending.iter().map(|(id, waiting)| (*id, waiting.at)).collect(),
                pending.values().map(|waiting| waiting.since).min(),
            )
        };
        if batch.is_empty() {
            return Ok(0);
        }
        if let Err(error) = store::record_use(store, &batch).await {
            metrics::counter!("token_usage_flushes_total", "outcome" => "failed").increment(1);
            return Err(error);
        }
        metrics::counter!("token_usage_flushes_total", "outcome" => "ok").increment(1);
        if let Some(oldest) = oldest {
            metrics::histogram!("token_usage_flush_lag_seconds").record(oldest.elapsed().as_secs_f64());
        }
        let mut pending = self.pending.lock().expect("usage log lock");
        for (token_id, written) in &batch {
            if pending.get(token_id).map(|waiting| waiting.at) == Some(*written) {
                pending.remove(token_id);
            }
        }
        Ok(batch.len())
    }

    /// Flushes every [`FLUSH_INTERVAL`] until `shutdown` resolves, then one last time.
    pub async fn run(&self, store: Store, shutdown: impl std::future::Future<Output = ()>) {
        let mut ticks = tokio::time::interval(FLUSH_INTERVAL);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        loop {
            tokio::select! {
                _ = ticks.tick() => self.flush_logged(&store).await,
                () = &mut shutdown => break,
            }
        }
        self.flush_logged(&store).await;
    }

    async fn flush_logged(&self, store: &Store) {
        match self.flush(store).await {
            Ok(0) => {}
            Ok(written) => tracing::debug!(written, "recorded token use"),
            Err(error) => tracing::warn!(%error, "cannot record token use yet; will retry"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn the_latest_use_wins_and_overlays_an_older_stored_time() {
        let log = UsageLog::default();
        let id = TokenId(uuid::Uuid::new_v4());
        let (early, late) = (datetime!(2026-01-01 10:00 UTC), datetime!(2026-01-01 10:05 UTC));
        assert_eq!(log.last_used(id, None), None);
        log.record(id, late);
        log.record(id, early);
        assert_eq!(log.last_used(id, None), Some(late));
        assert_eq!(log.last_used(id, Some(early)), Some(late));
        let later = datetime!(2026-01-01 11:00 UTC);
        assert_eq!(log.last_used(id, Some(later)), Some(later), "a newer stored time from another instance");
    }
}
