//! Slows down password guessing: after a few failed attempts on one username, further attempts on
//! it are refused for a while that doubles with each failure, up to five minutes. Counted per
//! instance, in memory: enough to make online guessing impractical without a database write per
//! failure.
//!
//! Only *different* wrong passwords count. A script retrying with a stale password sends the same
//! one again and again: that guesses nothing, and must not lock its owner out of signing in (the
//! "smart lockout" of Microsoft Entra ID does the same). To recognise a repeat, the throttle keeps
//! a salted SHA-256 fingerprint of each wrong password it counted, in memory, for as long as it
//! remembers the failures; the salt is random per process, so a fingerprint cannot be looked up in
//! a precomputed table.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use rand::RngCore;
use sha2::{Digest, Sha256};

const FREE_ATTEMPTS: u32 = 5;
const MAX_WAIT: Duration = Duration::from_secs(300);
/// Failures older than this are forgotten.
const MEMORY: Duration = Duration::from_secs(15 * 60);
/// How many different wrong passwords per username are recognised when they come again: a few
/// more than it takes to be throttled.
const REMEMBERED_PASSWORDS: usize = 8;

pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Failures>>,
    salt: [u8; 32],
}

impl Default for LoginThrottle {
    fn default() -> Self {
        let mut salt = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        LoginThrottle { failures: Mutex::default(), salt }
    }
}

struct Failures {
    count: u32,
    last: Instant,
    /// Fingerprints of the wrong passwords counted, oldest first. 64 bits tell a few passwords
    /// apart well enough, in an eighth of the memory of a whole digest.
    tried: Vec<u64>,
}

impl LoginThrottle {
    /// `Err(seconds)` while attempts on `username` are refused.
    pub fn check(&self, username: &str) -> Result<(), u64> {
        let failures = self.failures.lock().expect("throttle lock");
        let Some(entry) = failures.get(&key(username)) else { return Ok(()) };
        let wait = wait_after(entry.count);
        let elapsed = entry.last.elapsed();
        if elapsed < wait { Err((wait - elapsed).as_secs().max(1)) } else { Ok(()) }
    }

    /// Counts a failed attempt, unless `password` already failed for `username` lately.
    pub fn failed(&self, username: &str, password: &str) {
        let fingerprint = self.fingerprint(username, password);
        let mut failures = self.failures.lock().expect("throttle lock");
        if failures.len() > 10_000 {
            failures.retain(|_, entry| entry.last.elapsed() < MEMORY);
        }
        let now = Instant::now();
        let entry = failures.entry(key(username)).or_insert(Failures { count: 0, last: now, tried: Vec::new() });
        if now.duration_since(entry.last) > MEMORY {
            entry.count = 0;
            entry.tried.clear();
        }
        if entry.tried.contains(&fingerprint) {
            return;
        }
        if entry.tried.len() == REMEMBERED_PASSWORDS {
            entry.tried.remove(0);
        }
        entry.tried.push(fingerprint);
        entry.count += 1;
        entry.last = now;
    }

    pub fn succeeded(&self, username: &str) {
        self.failures.lock().expect("throttle lock").remove(&key(username));
    }

    fn fingerprint(&self, username: &str, password: &str) -> u64 {
        let mut hasher = Sha256::new();
        hasher.update(self.salt);
        hasher.update(key(username).as_bytes());
        // A separator no username contains, so that ("ab", "c") and ("a", "bc") differ.
        hasher.update([0]);
        hasher.update(password.as_bytes());
        let digest = hasher.finalize();
        u64::from_le_bytes(digest[..8].try_into().expect("a SHA-256 digest has 32 bytes"))
    }
}

fn key(username: &str) -> String {
    username.trim().to_ascii_lowercase()
}

fn wait_after(failures: u32) -> Duration {
    if failures < FREE_ATTEMPTS {
        return Duration::ZERO;
    }
    let doublings = (failures - FREE_ATTEMPTS).min(16);
    Duration::from_secs(1u64 << doublings).min(MAX_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_are_free_then_the_wait_doubles_up_to_five_minutes() {
        assert_eq!(wait_after(4), Duration::ZERO);
        assert_eq!(wait_after(5), Duration::from_secs(1));
        assert_eq!(wait_after(6), Duration::from_secs(2));
        assert_eq!(wait_after(12), Duration::from_secs(128));
        assert_eq!(wait_after(40), MAX_WAIT);
    }

    #[test]
    fn failures_count_per_username_in_any_case_and_success_clears_them() {
        let throttle = LoginThrottle::default();
        for guess in ["one", "two", "three", "four", "five"] {
            assert!(throttle.check("Alice").is_ok());
            throttle.failed("alice", guess);
        }
        assert!(throttle.check("ALICE").is_err());
        assert!(throttle.check("bob").is_ok());
        throttle.succeeded("alice");
        assert!(throttle.check("alice").is_ok());
    }

    #[test]
    fn the_same_wrong_password_again_is_not_another_guess() {
        let throttle = LoginThrottle::default();
        for _ in 0..50 {
            throttle.failed("alice", "last year's password");
        }
        assert!(throttle.check("alice").is_ok(), "a stale password retried does not lock its owner out");
        for guess in ["one", "two", "three", "four"] {
            throttle.failed("alice", guess);
        }
        assert!(throttle.check("alice").is_err(), "five different wrong passwords do");
    }
}
