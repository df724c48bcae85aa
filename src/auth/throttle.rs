//! Slows down password guessing, whatever the concurrency.
//!
//! - **Per username**: five different wrong passwords are free; after that each attempt waits a
//!   while that doubles with each failure, up to five minutes.
//! - **Per client IP** (password spraying: one password tried across many usernames): twenty
//!   different failures are free, then the same doubling wait.
//! - **Across the instance**: at most [`GLOBAL_FAILURES_PER_MINUTE`] failures a minute; beyond, every
//!   attempt waits for the minute to pass.
//!
//! An attempt is *reserved* before its password is hashed, and the reservations in flight count
//! like failures: of 200 wrong passwords sent at once for one username, at most five are ever
//! hashed. The others wait briefly for a slot (a burst of right passwords just queues), then are
//! refused once the failures have come in.
//!
//! Only *different* wrong passwords count. A script retrying a stale password sends the same one
//! again and again: that guesses nothing, and must not lock its owner out (Microsoft Entra ID's
//! "smart lockout" does the same). A wrong password is remembered as a salted fingerprint of the
//! username, the password and the stored hash it failed against; the same password against the
//! same hash fails again without being hashed. The salt is random per process.
//!
//! Counted per instance, in memory: no database write per failure. Both tables are bounded.

use std::{
    collections::{HashMap, VecDeque},
    hash::Hash,
    net::IpAddr,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use rand::RngCore;
use sha2::{Digest, Sha256};

const FREE_PER_USERNAME: u32 = 5;
const FREE_PER_CLIENT: u32 = 20;
pub const GLOBAL_FAILURES_PER_MINUTE: usize = 600;
const MAX_WAIT: Duration = Duration::from_secs(300);
/// Failures older than this are forgotten.
const MEMORY: Duration = Duration::from_secs(15 * 60);
/// How many different wrong passwords per key are recognised when they come again: a few more
/// than it takes to be throttled.
const REMEMBERED_PASSWORDS: usize = 24;
/// The most usernames (and client IPs) remembered at once: about 10 MB at worst.
const MAX_KEYS: usize = 50_000;

/// Why an attempt may not go ahead now.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Throttled: retry after this many seconds.
    Wait(u64),
    /// Every slot of this username or client is taken by attempts in flight: try again shortly.
    Busy,
}

pub struct LoginThrottle {
    usernames: Mutex<Table<String>>,
    clients: Mutex<Table<IpAddr>>,
    recent_failures: Mutex<VecDeque<Instant>>,
    salt: [u8; 32],
    verifications: AtomicU64,
    /// Told whenever an attempt ends and gives its slot back, so that waiting attempts try again
    /// at once rather than on a timer.
    slot_freed: tokio::sync::Notify,
    /// When a throttled attempt was last reported to the audit trail, per username and client.
    reported_refusals: Mutex<HashMap<(String, Option<IpAddr>), Instant>>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        let mut salt = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        LoginThrottle {
            usernames: Mutex::new(Table::new(FREE_PER_USERNAME)),
            clients: Mutex::new(Table::new(FREE_PER_CLIENT)),
            recent_failures: Mutex::default(),
            salt,
            verifications: AtomicU64::new(0),
            reported_refusals: Mutex::default(),
            slot_freed: tokio::sync::Notify::new(),
        }
    }
}

/// An attempt allowed to go ahead: its slot is given back when this is dropped.
pub struct Reservation {
    throttle: Arc<LoginThrottle>,
    username: String,
    client: Option<IpAddr>,
}

impl LoginThrottle {
    /// Takes a slot for an attempt on `username` (already a valid username) from `client`.
    pub fn reserve(self: &Arc<Self>, username: &str, client: Option<IpAddr>) -> Result<Reservation, Refusal> {
        self.global_wait()?;
        let username = key(username);
        let client = client.map(client_key);
        let mut usernames = self.usernames.lock().expect("throttle lock");
        let mut clients = self.clients.lock().expect("throttle lock");
        usernames.may_start(&username)?;
        if let Some(client) = client {
            clients.may_start(&client)?;
            clients.start(client);
        }
        usernames.start(username.clone());
        Ok(Reservation { throttle: Arc::clone(self), username, client })
    }

    /// Whether a throttled attempt on `username` from `client` is the first in a minute: the one
    /// the audit trail records (a bounded memory; when full, it starts afresh).
    pub fn first_refusal_in_a_minute(&self, username: &str, client: Option<IpAddr>) -> bool {
        let mut reported = self.reported_refusals.lock().expect("throttle lock");
        let key = (key(username), client.map(client_key));
        if reported.get(&key).is_some_and(|at| at.elapsed() < Duration::from_secs(60)) {
            return false;
        }
        if reported.len() >= MAX_KEYS {
            reported.clear();
        }
        reported.insert(key, Instant::now());
        true
    }

    /// Resolves when an attempt in flight gives its slot back. Create it before trying
    /// [`LoginThrottle::reserve`], so that a slot freed in between is not missed.
    pub fn slot_freed(&self) -> tokio::sync::futures::Notified<'_> {
        self.slot_freed.notified()
    }

    /// How many passwords this throttle let be hashed: what the limits bound.
    pub fn verifications(&self) -> u64 {
        self.verifications.load(Ordering::Relaxed)
    }

    fn global_wait(&self) -> Result<(), Refusal> {
        let mut recent = self.recent_failures.lock().expect("throttle lock");
        // One `now` for the pruning and the wait: an entry turning a minute old in between must
        // not make the subtraction below underflow (a panic here would poison the lock).
        let now = Instant::now();
        while recent.front().is_some_and(|at| now.duration_since(*at) >= Duration::from_secs(60)) {
            recent.pop_front();
        }
        match recent.front() {
            Some(oldest) if recent.len() >= GLOBAL_FAILURES_PER_MINUTE => {
                Err(Refusal::Wait(Duration::from_secs(60).saturating_sub(now.duration_since(*oldest)).as_secs().max(1)))
            }
            _ => Ok(()),
        }
    }

    fn fingerprint(&self, username: &str, password: &str, stored_hash: Option<&str>) -> u64 {
        let mut hasher = Sha256::new();
        hasher.update(self.salt);
        // Separators no username or hash contains, so that ("ab", "c") and ("a", "bc") differ.
        for part in [username.as_bytes(), password.as_bytes(), stored_hash.unwrap_or_default().as_bytes()] {
            hasher.update(part);
            hasher.update([0]);
        }
        let digest = hasher.finalize();
        u64::from_le_bytes(digest[..8].try_into().expect("a SHA-256 digest has 32 bytes"))
    }
}

impl Reservation {
    /// Whether `password` already failed against `stored_hash` lately: then it fails again, and
    /// need not be hashed to know it.
    pub fn known_wrong(&self, password: &str, stored_hash: Option<&str>) -> bool {
        let fingerprint = self.throttle.fingerprint(&self.username, password, stored_hash);
        self.throttle.usernames.lock().expect("throttle lock").knows(&self.username, fingerprint)
    }

    /// Counts the hashing this attempt is doing (called on the hashing pool).
    pub fn verifying(&self) {
        self.throttle.verifications.fetch_add(1, Ordering::Relaxed);
    }

    /// The password was wrong: counts a failure, unless the same one failed lately (`false`).
    pub fn failed(self, password: &str, stored_hash: Option<&str>) -> bool {
        let fingerprint = self.throttle.fingerprint(&self.username, password, stored_hash);
        let new = self.throttle.usernames.lock().expect("throttle lock").failed(&self.username, fingerprint);
        if let Some(client) = self.client {
            self.throttle.clients.lock().expect("throttle lock").failed(&client, fingerprint);
        }
        if new {
            self.throttle.recent_failures.lock().expect("throttle lock").push_back(Instant::now());
        }
        new
    }

    /// The password was right: the username's failures are forgotten (the client's are not: one
    /// right password must not reset a spray across many usernames).
    pub fn succeeded(self) {
        self.throttle.usernames.lock().expect("throttle lock").forget(&self.username);
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.throttle.usernames.lock().expect("throttle lock").finish(&self.username);
        if let Some(client) = self.client {
            self.throttle.clients.lock().expect("throttle lock").finish(&client);
        }
        self.throttle.slot_freed.notify_waiters();
    }
}

/// Failures and attempts in flight per key (a username, or a client IP).
struct Table<K> {
    free: u32,
    entries: HashMap<K, Entry>,
}

#[derive(Default)]
struct Entry {
    failures: u32,
    last_failure: Option<Instant>,
    in_flight: u32,
    /// Fingerprints of the wrong passwords counted, oldest first. 64 bits tell a few passwords
    /// apart well enough, in an eighth of the memory of a whole digest.
    tried: VecDeque<u64>,
}

impl<K: Hash + Eq + Clone> Table<K> {
    fn new(free: u32) -> Self {
        Table { free, entries: HashMap::new() }
    }

    /// Whether another attempt may start: none while throttled, and no more in flight than the
    /// failures still allowed (one at a time once throttled attempts are let through again).
    fn may_start(&mut self, key: &K) -> Result<(), Refusal> {
        let Some(entry) = self.entries.get_mut(key) else { return Ok(()) };
        if entry.last_failure.is_some_and(|at| at.elapsed() > MEMORY) {
            entry.failures = 0;
            entry.tried.clear();
        }
        let wait = wait_after(entry.failures, self.free);
        let elapsed = entry.last_failure.map_or(Duration::MAX, |at| at.elapsed());
        if elapsed < wait {
            return Err(Refusal::Wait((wait - elapsed).as_secs().max(1)));
        }
        let slots = self.free.saturating_sub(entry.failures).max(1);
        if entry.in_flight >= slots { Err(Refusal::Busy) } else { Ok(()) }
    }

    fn start(&mut self, key: K) {
        if self.entries.len() >= MAX_KEYS && !self.entries.contains_key(&key) {
            self.make_room();
        }
        self.entries.entry(key).or_default().in_flight += 1;
    }

    fn finish(&mut self, key: &K) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.in_flight = entry.in_flight.saturating_sub(1);
            if entry.in_flight == 0 && entry.failures == 0 {
                self.entries.remove(key);
            }
        }
    }

    fn knows(&self, key: &K, fingerprint: u64) -> bool {
        self.entries.get(key).is_some_and(|entry| entry.tried.contains(&fingerprint))
    }

    /// Counts a failure; `false` when the same password failed lately (not counted again).
    fn failed(&mut self, key: &K, fingerprint: u64) -> bool {
        let Some(entry) = self.entries.get_mut(key) else { return false };
        if entry.tried.contains(&fingerprint) {
            return false;
        }
        if entry.tried.len() == REMEMBERED_PASSWORDS {
            entry.tried.pop_front();
        }
        entry.tried.push_back(fingerprint);
        entry.failures += 1;
        entry.last_failure = Some(Instant::now());
        true
    }

    fn forget(&mut self, key: &K) {
        if let Some(entry) = self.entries.get_mut(key) {
            entry.failures = 0;
            entry.tried.clear();
            entry.last_failure = None;
        }
    }

    /// At the cap: forgets what is old, and if that is not enough, the oldest tenth of the idle
    /// entries, so that the table never grows past [`MAX_KEYS`].
    fn make_room(&mut self) {
        self.entries
            .retain(|_, entry| entry.in_flight > 0 || entry.last_failure.is_some_and(|at| at.elapsed() < MEMORY));
        if self.entries.len() < MAX_KEYS {
            return;
        }
        let mut idle: Vec<(Instant, K)> = self
            .entries
            .iter()
            .filter(|(_, entry)| entry.in_flight == 0)
            .filter_map(|(key, entry)| entry.last_failure.map(|at| (at, key.clone())))
            .collect();
        idle.sort_by_key(|(at, _)| *at);
        for (_, key) in idle.into_iter().take(MAX_KEYS / 10) {
            self.entries.remove(&key);
        }
    }
}

/// The key a client is counted by: its IPv4 address, or the /64 network of its IPv6 address (one
/// subscriber usually holds a whole /64, and could otherwise take a fresh address per attempt).
fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(std::net::Ipv6Addr::from_bits(v6.to_bits() & !((1u128 << 64) - 1))),
        v4 => v4,
    }
}

fn key(username: &str) -> String {
    username.trim().to_ascii_lowercase()
}

fn wait_after(failures: u32, free: u32) -> Duration {
    if failures < free {
        return Duration::ZERO;
    }
    let doublings = (failures - free).min(16);
    Duration::from_secs(1u64 << doublings).min(MAX_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fail(throttle: &Arc<LoginThrottle>, username: &str, password: &str, client: Option<IpAddr>) {
        throttle.reserve(username, client).unwrap().failed(password, Some("hash"));
    }

    #[test]
    fn clients_are_counted_by_ipv4_address_or_ipv6_slash_64() {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        assert_eq!(client_key(ip("2001:db8:1:2:aaaa::1")), client_key(ip("2001:db8:1:2:bbbb::9")));
        assert_ne!(client_key(ip("2001:db8:1:2::1")), client_key(ip("2001:db8:1:3::1")));
        assert_eq!(client_key(ip("::ffff:203.0.113.5")), ip("203.0.113.5"), "an IPv4-mapped address is the IPv4 one");
        let throttle = Arc::new(LoginThrottle::default());
        for n in 0..FREE_PER_CLIENT {
            fail(&throttle, &format!("user{n}"), "sprayed", Some(ip(&format!("2001:db8::{n:x}"))));
        }
        assert!(
            matches!(throttle.reserve("another", Some(ip("2001:db8::ffff"))), Err(Refusal::Wait(_))),
            "a new address in the same /64 is the same client"
        );
    }

    #[test]
    fn five_failures_are_free_then_the_wait_doubles_up_to_five_minutes() {
        assert_eq!(wait_after(4, 5), Duration::ZERO);
        assert_eq!(wait_after(5, 5), Duration::from_secs(1));
        assert_eq!(wait_after(6, 5), Duration::from_secs(2));
        assert_eq!(wait_after(12, 5), Duration::from_secs(128));
        assert_eq!(wait_after(40, 5), MAX_WAIT);
    }

    #[test]
    fn failures_count_per_username_in_any_case_and_success_clears_them() {
        let throttle = Arc::new(LoginThrottle::default());
        for guess in ["one", "two", "three", "four", "five"] {
            fail(&throttle, "Alice", guess, None);
        }
        assert!(matches!(throttle.reserve("ALICE", None), Err(Refusal::Wait(_))));
        assert!(throttle.reserve("bob", None).is_ok());
        let mut usernames = throttle.usernames.lock().unwrap();
        usernames.forget(&key("alice"));
        assert!(usernames.may_start(&key("alice")).is_ok());
    }

    #[test]
    fn attempts_in_flight_take_the_slots_of_the_failures_still_allowed() {
        let throttle = Arc::new(LoginThrottle::default());
        let in_flight: Vec<_> = (0..5).map(|_| throttle.reserve("alice", None).unwrap()).collect();
        assert!(matches!(throttle.reserve("alice", None), Err(Refusal::Busy)), "a sixth waits");
        drop(in_flight);
        fail(&throttle, "alice", "one", None);
        let four: Vec<_> = (0..4).map(|_| throttle.reserve("alice", None).unwrap()).collect();
        assert!(matches!(throttle.reserve("alice", None), Err(Refusal::Busy)));
        drop(four);
    }

    #[test]
    fn the_same_wrong_password_again_is_not_another_guess() {
        let throttle = Arc::new(LoginThrottle::default());
        for _ in 0..50 {
            let attempt = throttle.reserve("alice", None).unwrap();
            if !attempt.known_wrong("last year's password", Some("hash")) {
                attempt.failed("last year's password", Some("hash"));
            }
        }
        assert!(throttle.reserve("alice", None).is_ok(), "a stale password retried does not lock its owner out");
        let attempt = throttle.reserve("alice", None).unwrap();
        assert!(attempt.known_wrong("last year's password", Some("hash")));
        assert!(!attempt.known_wrong("last year's password", Some("a new hash")), "not once the password changed");
        drop(attempt);
        for guess in ["one", "two", "three", "four"] {
            fail(&throttle, "alice", guess, None);
        }
        assert!(matches!(throttle.reserve("alice", None), Err(Refusal::Wait(_))), "five different ones do");
    }

    #[test]
    fn one_client_spraying_many_usernames_is_throttled() {
        let throttle = Arc::new(LoginThrottle::default());
        let client = Some(IpAddr::from([203, 0, 113, 7]));
        for n in 0..FREE_PER_CLIENT {
            fail(&throttle, &format!("user{n}"), "Winter2026!", client);
        }
        assert!(matches!(throttle.reserve("someone-else", client), Err(Refusal::Wait(_))));
        assert!(throttle.reserve("someone-else", Some(IpAddr::from([198, 51, 100, 1]))).is_ok(), "others are not");
    }

    #[test]
    fn past_the_instances_ceiling_every_attempt_waits() {
        let throttle = Arc::new(LoginThrottle::default());
        throttle
            .recent_failures
            .lock()
            .unwrap()
            .extend(std::iter::repeat_n(Instant::now(), GLOBAL_FAILURES_PER_MINUTE));
        assert!(matches!(throttle.reserve("anyone", None), Err(Refusal::Wait(seconds)) if seconds <= 60));
    }

    #[test]
    fn the_tables_never_grow_past_their_cap() {
        let mut table = Table::<u32>::new(5);
        for key in 0..(MAX_KEYS as u32 + 1_000) {
            table.start(key);
            table.failed(&key, 1);
            table.finish(&key);
        }
        assert!(table.entries.len() <= MAX_KEYS);
    }
}
