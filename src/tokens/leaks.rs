//! Leaked-token reports: `POST /v4/apiAccessTokens/revoke` with a token's value, from anyone (a
//! person who found it, a secret scanner): a live token is revoked at once. Every report gets the
//! same `202`, sent before the token is even looked up, so neither the answer nor its timing says
//! whether the value was a live token. Reports are limited per client IP.

use std::{
    net::{IpAddr, Ipv4Addr},
    sync::{
        Arc,
        atomic::{AtomicU32, Ordering},
    },
    time::Duration,
};

/// How many reports one address may make in [`WINDOW`].
pub const REPORTS_PER_WINDOW: u32 = 10;
pub const WINDOW: Duration = Duration::from_secs(60);

/// Reports per client IP in the current window (from its first report). Bounded: an address
/// beyond the most recent 100,000 starts afresh, which only ever lets more through.
pub struct ReportLimit {
    counts: moka::sync::Cache<IpAddr, Arc<AtomicU32>>,
}

impl Default for ReportLimit {
    fn default() -> Self {
        ReportLimit { counts: moka::sync::Cache::builder().max_capacity(100_000).time_to_live(WINDOW).build() }
    }
}

impl ReportLimit {
    /// Counts a report from `client`: `Err(seconds to wait)` once it has made too many.
    pub fn allow(&self, client: Option<IpAddr>) -> Result<(), u64> {
        // No address known (no peer): all such reports share one allowance.
        let key = client.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let count = self.counts.get_with(key, Arc::default);
        if count.fetch_add(1, Ordering::Relaxed) < REPORTS_PER_WINDOW { Ok(()) } else { Err(WINDOW.as_secs()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_address_makes_ten_reports_a_minute() {
        let limit = ReportLimit::default();
        let one = Some("192.0.2.1".parse().unwrap());
        for _ in 0..REPORTS_PER_WINDOW {
            assert_eq!(limit.allow(one), Ok(()));
        }
        assert_eq!(limit.allow(one), Err(60));
        assert_eq!(limit.allow(Some("192.0.2.2".parse().unwrap())), Ok(()), "another address has its own");
    }
}
