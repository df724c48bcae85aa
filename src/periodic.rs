//! The background tasks' loop: a task every so often, until the server shuts down.

use std::{future::Future, time::Duration};

/// Runs `task` at once and then every `interval` (a late run delays the next rather than
/// bunching up), until `shutdown` resolves; a run under way finishes first.
pub async fn every<F, Run>(interval: Duration, shutdown: impl Future<Output = ()>, mut task: F)
where
    F: FnMut() -> Run,
    Run: Future<Output = ()>,
{
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = ticks.tick() => task().await,
            () = &mut shutdown => break,
        }
    }
}
