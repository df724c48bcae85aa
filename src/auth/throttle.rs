//! Slows down password guessing: after a few failed attempts on one username, further attempts on
//! it are refused for a while that doubles with each failure, up to five minutes. Counted per
//! instance, in memory: enough to make online guessing impractical without a database write per
//! failure.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

const FREE_ATTEMPTS: u32 = 5;
const MAX_WAIT: Duration = Duration::from_secs(300);
/// Failures older than this are forgotten.
const MEMORY: Duration = Duration::from_secs(15 * 60);

#[derive(Default)]
pub struct LoginThrottle {
    failures: Mutex<HashMap<String, Failures>>,
}

struct Failures {
    count: u32,
    last: Instant,
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

    pub fn failed(&self, username: &str) {
        let mut failures = self.failures.lock().expect("throttle lock");
        if failures.len() > 10_000 {
            failures.retain(|_, entry| entry.last.elapsed() < MEMORY);
        }
        let now = Instant::now();
        let entry = failures.entry(key(username)).or_insert(Failures { count: 0, last: now });
        if now.duration_since(entry.last) > MEMORY {
            entry.count = 0;
        }
        entry.count += 1;
        entry.last = now;
    }

    pub fn succeeded(&self, username: &str) {
        self.failures.lock().expect("throttle lock").remove(&key(username));
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
        for _ in 0..5 {
            assert!(throttle.check("Alice").is_ok());
            throttle.failed("alice");
        }
        assert!(throttle.check("ALICE").is_err());
        assert!(throttle.check("bob").is_ok());
        throttle.succeeded("alice");
        assert!(throttle.check("alice").is_ok());
    }
}
