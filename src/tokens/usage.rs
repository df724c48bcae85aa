//! Last Used, where from and how much, without a database write per request.
//!
//! Every successful bearer authentication calls [`UsageLog::record`], which only updates an
//! in-memory map (one short mutex hold): the time, the day's count, and the client (address and
//! user agent). A background task ([`UsageLog::run`]) writes what is pending in one transaction
//! every [`FLUSH_INTERVAL`], and once more at shutdown. So:
//! - a busy token costs a few statements per interval per instance, not a write per request;
//! - what this instance reports is exact to the second: lookups merge what is pending over what
//!   is stored ([`UsageLog::overlay`], [`UsageLog::usage`]);
//! - other instances sharing the database see it at most one interval late. Times only move
//!   forward and counts add up, so flushes from several instances never undo each other;
//! - if the database is down at flush time everything stays pending and goes with the next flush.
//!   A crash loses at most one interval of uses, never a token.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use time::OffsetDateTime;

use super::{DailyUses, RecentClient, TokenId, TokenInfo, TokenUsage, store};
use crate::store::{Store, StoreError};

pub const FLUSH_INTERVAL: Duration = Duration::from_secs(10);
/// How many distinct client addresses are kept per token, the most recently seen.
pub const RECENT_CLIENTS: usize = 5;
/// How many days of daily use counts are kept per token, today included.
pub const DAILY_USE_DAYS: i64 = 30;
/// Longer user agents are cut here: they are shown, never parsed.
pub const MAX_USER_AGENT: usize = 256;

#[derive(Default)]
pub struct UsageLog {
    /// Uses seen here and not yet confirmed written, per token.
    pending: Mutex<HashMap<TokenId, Pending>>,
    /// Held for reading while a lookup adds pending counts to stored ones, and for writing while a
    /// flush moves counts from pending to stored: a lookup never counts a use twice (or not at
    /// all) by reading in the middle of a flush.
    moving: tokio::sync::RwLock<()>,
}

/// One authenticated request, as the log keeps it.
#[derive(Clone, Copy, Debug)]
pub struct Use<'a> {
    pub at: OffsetDateTime,
    /// `None` where the server does not know peer addresses.
    pub client: Option<IpAddr>,
    /// The `User-Agent` header as sent (cut to [`MAX_USER_AGENT`] here); empty when none.
    pub user_agent: &'a str,
}

/// What a token's uses add to the stored ones.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Unwritten {
    /// The latest use.
    pub at: Option<OffsetDateTime>,
    /// Uses per UTC day (days since the Unix epoch). A flush interval spans a day change at most,
    /// so this holds one or two entries.
    pub uses: Vec<(i64, i64)>,
    /// The most recently seen clients, at most [`RECENT_CLIENTS`].
    pub clients: Vec<Client>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    pub user_agent: Box<str>,
    pub last_seen: OffsetDateTime,
}

struct Pending {
    unwritten: Unwritten,
    /// Since when this token has had a use waiting to be written (for the flush lag metric).
    since: Instant,
}

/// The UTC day of `at`, in days since the Unix epoch.
pub fn day_of(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(86_400)
}

/// `YYYY-MM-DD` of a day since the Unix epoch.
fn date_of(day: i64) -> String {
    let date = OffsetDateTime::UNIX_EPOCH.date() + time::Duration::days(day);
    format!("{:04}-{:02}-{:02}", date.year(), u8::from(date.month()), date.day())
}

/// The user agent as kept: at most [`MAX_USER_AGENT`] bytes, cut at a character boundary.
pub fn cut_user_agent(user_agent: &str) -> &str {
    let mut end = user_agent.len().min(MAX_USER_AGENT);
    while !user_agent.is_char_boundary(end) {
        end -= 1;
    }
    &user_agent[..end]
}

impl Unwritten {
    fn add(&mut self, used: Use<'_>) {
        if self.at.is_none_or(|at| at < used.at) {
            self.at = Some(used.at);
        }
        let day = day_of(used.at);
        match self.uses.iter_mut().find(|(on, _)| *on == day) {
            Some((_, uses)) => *uses += 1,
            None => self.uses.push((day, 1)),
        }
        let Some(ip) = used.client else { return };
        let user_agent = cut_user_agent(used.user_agent);
        match self.clients.iter_mut().find(|client| client.ip == ip) {
            Some(client) if client.last_seen <= used.at => {
                client.last_seen = used.at;
                // Allocates only when the agent changed: the same client sends the same one.
                if *client.user_agent != *user_agent {
                    client.user_agent = user_agent.into();
                }
            }
            Some(_) => {}
            None => {
                self.clients.push(Client { ip, user_agent: user_agent.into(), last_seen: used.at });
                if self.clients.len() > RECENT_CLIENTS {
                    let oldest = (0..self.clients.len()).min_by_key(|at| self.clients[*at].last_seen);
                    self.clients.swap_remove(oldest.expect("clients"));
                }
            }
        }
    }

    /// Takes away what `written` wrote: what is left came in since it was read.
    fn subtract(&mut self, written: &Unwritten) {
        for (day, uses) in &written.uses {
            if let Some((_, pending)) = self.uses.iter_mut().find(|(on, _)| on == day) {
                *pending -= uses;
            }
        }
        self.uses.retain(|(_, uses)| *uses > 0);
        self.clients.retain(|client| !written.clients.contains(client));
        if self.at <= written.at && self.uses.is_empty() && self.clients.is_empty() {
            self.at = None;
        }
    }
}

impl UsageLog {
    pub fn record(&self, token_id: TokenId, used: Use<'_>) {
        let mut pending = self.pending.lock().expect("usage log lock");
        pending
            .entry(token_id)
            .or_insert_with(|| Pending { unwritten: Unwritten::default(), since: Instant::now() })
            .unwritten
            .add(used);
    }

    /// The most recent use of `token_id` known here, between the stored one and any pending one.
    pub fn last_used(&self, token_id: TokenId, stored: Option<OffsetDateTime>) -> Option<OffsetDateTime> {
        let pending =
            self.pending.lock().expect("usage log lock").get(&token_id).and_then(|pending| pending.unwritten.at);
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

    /// Where and how much `token_id` was used: the stored clients and counts with what is pending
    /// here, the counts for the [`DAILY_USE_DAYS`] days up to `now`'s.
    pub async fn usage(&self, store: &Store, token_id: TokenId, now: OffsetDateTime) -> Result<TokenUsage, StoreError> {
        let today = day_of(now);
        let first_day = today - (DAILY_USE_DAYS - 1);
        let _reading = self.moving.read().await;
        let (mut clients, stored_uses) = store::usage(store, token_id, first_day).await?;
        let mut uses: Vec<i64> = vec![0; DAILY_USE_DAYS as usize];
        let mut count = |day: i64, n: i64| {
            if (first_day..=today).contains(&day) {
                uses[(day - first_day) as usize] += n;
            }
        };
        for (day, n) in stored_uses {
            count(day, n);
        }
        if let Some(pending) = self.pending.lock().expect("usage log lock").get(&token_id) {
            for (day, n) in &pending.unwritten.uses {
                count(*day, *n);
            }
            for client in &pending.unwritten.clients {
                match clients.iter_mut().find(|stored| stored.ip == client.ip) {
                    Some(stored) if stored.last_seen >= client.last_seen => {}
                    Some(stored) => *stored = client.clone(),
                    None => clients.push(client.clone()),
                }
            }
        }
        clients.sort_by(|a, b| b.last_seen.cmp(&a.last_seen).then(a.ip.cmp(&b.ip)));
        clients.truncate(RECENT_CLIENTS);
        Ok(TokenUsage {
            recent_clients: clients
                .into_iter()
                .map(|client| RecentClient {
                    ip: client.ip.to_string(),
                    user_agent: client.user_agent.into(),
                    last_seen: client.last_seen,
                })
                .collect(),
            daily_uses: uses
                .into_iter()
                .enumerate()
                .map(|(at, uses)| DailyUses { date: date_of(first_day + at as i64), uses })
                .collect(),
        })
    }

    /// Writes what is pending. What came in meanwhile stays pending.
    pub async fn flush(&self, store: &Store) -> Result<usize, StoreError> {
        let started = Instant::now();
        let _moving = self.moving.write().await;
        let (mut batch, oldest): (Vec<(TokenId, Unwritten)>, Option<Instant>) = {
            let pending = self.pending.lock().expect("usage log lock");
            (
                pending.iter().map(|(id, waiting)| (*id, waiting.unwritten.clone())).collect(),
                pending.values().map(|waiting| waiting.since).min(),
            )
        };
        if batch.is_empty() {
            return Ok(0);
        }
        // In one order on every instance: two flushes of the same tokens wait for each other
        // rather than deadlock.
        batch.sort_unstable_by_key(|(id, _)| *id);
        let first_day = day_of(OffsetDateTime::now_utc()) - (DAILY_USE_DAYS - 1);
        if let Err(error) = store::record_use(store, &batch, first_day).await {
            metrics::counter!("token_usage_flushes_total", "outcome" => "failed").increment(1);
            return Err(error);
        }
        metrics::counter!("token_usage_flushes_total", "outcome" => "ok").increment(1);
        if let Some(oldest) = oldest {
            metrics::histogram!("token_usage_flush_lag_seconds").record(oldest.elapsed().as_secs_f64());
        }
        let mut pending = self.pending.lock().expect("usage log lock");
        for (token_id, written) in &batch {
            if let Some(waiting) = pending.get_mut(token_id) {
                waiting.unwritten.subtract(written);
                if waiting.unwritten.at.is_none() {
                    pending.remove(token_id);
                } else {
                    waiting.since = started;
                }
            }
        }
        Ok(batch.len())
    }

    /// Flushes every [`FLUSH_INTERVAL`] until `shutdown` resolves, then one last time.
    pub async fn run(&self, store: Store, shutdown: impl std::future::Future<Output = ()>) {
        crate::periodic::every(FLUSH_INTERVAL, shutdown, || self.flush_logged(&store)).await;
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

    fn from(at: OffsetDateTime, ip: [u8; 4], user_agent: &'static str) -> Use<'static> {
        Use { at, client: Some(IpAddr::from(ip)), user_agent }
    }

    #[test]
    fn the_latest_use_wins_and_overlays_an_older_stored_time() {
        let log = UsageLog::default();
        let id = TokenId(uuid::Uuid::new_v4());
        let (early, late) = (datetime!(2026-01-01 10:00 UTC), datetime!(2026-01-01 10:05 UTC));
        assert_eq!(log.last_used(id, None), None);
        log.record(id, from(late, [10, 0, 0, 1], "curl/8"));
        log.record(id, from(early, [10, 0, 0, 1], "curl/8"));
        assert_eq!(log.last_used(id, None), Some(late));
        assert_eq!(log.last_used(id, Some(early)), Some(late));
        let later = datetime!(2026-01-01 11:00 UTC);
        assert_eq!(log.last_used(id, Some(later)), Some(later), "a newer stored time from another instance");
    }

    #[test]
    fn uses_are_counted_per_utc_day() {
        let mut unwritten = Unwritten::default();
        for at in [datetime!(2026-01-01 23:59:59 UTC), datetime!(2026-01-01 00:00 UTC), datetime!(2026-01-02 00:00 UTC)]
        {
            unwritten.add(Use { at, client: None, user_agent: "" });
        }
        let day = day_of(datetime!(2026-01-01 12:00 UTC));
        assert_eq!(unwritten.uses, [(day, 2), (day + 1, 1)]);
        assert_eq!(date_of(day), "2026-01-01");
        assert_eq!(date_of(day_of(datetime!(1969-12-31 23:00 UTC))), "1969-12-31");
        assert!(unwritten.clients.is_empty(), "no address, no client");
    }

    #[test]
    fn the_most_recent_clients_are_kept_with_their_latest_user_agent() {
        let mut unwritten = Unwritten::default();
        let at = datetime!(2026-01-01 10:00 UTC);
        for n in 0..7u8 {
            unwritten.add(from(at + time::Duration::minutes(n.into()), [10, 0, 0, n], "curl/8"));
        }
        // An address seen before, again, later and from another program.
        unwritten.add(from(at + time::Duration::hours(1), [10, 0, 0, 2], "terraform/1.9"));
        let mut kept: Vec<(u8, &str)> = unwritten
            .clients
            .iter()
            .map(|client| match client.ip {
                IpAddr::V4(ip) => (ip.octets()[3], &*client.user_agent),
                IpAddr::V6(_) => unreachable!(),
            })
            .collect();
        kept.sort();
        assert_eq!(kept, [(2, "terraform/1.9"), (3, "curl/8"), (4, "curl/8"), (5, "curl/8"), (6, "curl/8")]);
        assert_eq!(unwritten.clients.len(), RECENT_CLIENTS);
    }

    #[test]
    fn a_flush_takes_away_only_what_it_wrote() {
        let at = datetime!(2026-01-01 10:00 UTC);
        let mut pending = Unwritten::default();
        pending.add(from(at, [10, 0, 0, 1], "curl/8"));
        pending.add(from(at, [10, 0, 0, 2], "curl/8"));
        let written = pending.clone();
        // While the flush writes: one more use from the first client.
        pending.add(from(at + time::Duration::seconds(1), [10, 0, 0, 1], "curl/8"));
        pending.subtract(&written);
        assert_eq!(pending.uses, [(day_of(at), 1)]);
        assert_eq!(pending.clients.len(), 1, "the second client was written as it is");
        assert_eq!(pending.at, Some(at + time::Duration::seconds(1)));
        let rest = pending.clone();
        pending.subtract(&rest);
        assert_eq!(pending, Unwritten::default(), "nothing left");
    }

    #[test]
    fn long_user_agents_are_cut_at_a_character() {
        let long = "é".repeat(200);
        let cut = cut_user_agent(&long);
        assert!(cut.len() <= MAX_USER_AGENT && cut.len() >= MAX_USER_AGENT - 1 && long.starts_with(cut));
        assert_eq!(cut_user_agent("curl/8.5.0"), "curl/8.5.0");
    }
}
