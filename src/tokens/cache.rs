//! Token checks from memory: a verified token (its owner, scopes and the workspace settings it
//! depends on) is reused for at most [`TTL`], so that a busy client costs one query a second per
//! instance instead of one per request.
//!
//! - **Revocation stays within a second everywhere**: another instance sharing PostgreSQL keeps a
//!   verification no longer than [`TTL`].
//! - **It is immediate on the instance where it happens**: every store function that changes what
//!   a verification depends on (a token deleted, rotated or retired; a person disabled, deleted,
//!   demoted or renamed; the workspace settings) calls [`changed`], which makes every cached
//!   verification of this process stale. Such changes are rare; a miss costs one query.
//! - **Only verified tokens are kept**: an unknown, expired or refused token is looked up each time
//!   (and a malformed one never reaches the database), so nobody can fill the cache with guesses.
//!   It is bounded anyway ([`CAPACITY`]).
//! - Everything that depends on the time (expiry, the workspace's maximum lifetime, a rotation's
//!   grace) is checked at each use against the cached values; Last Used is recorded at each use.

use std::{
    sync::atomic::{AtomicU64, Ordering},
    time::Duration,
};

use super::store::Presented;
use super::value::TokenDigest;

/// How long a verification is reused.
pub const TTL: Duration = Duration::from_secs(1);
/// The most verifications kept: a hundred thousand tokens in use within one second.
pub const CAPACITY: u64 = 100_000;

/// How many times something verifications depend on changed in this process.
static CHANGES: AtomicU64 = AtomicU64::new(0);

/// Something a verified token depends on changed: every cached verification is stale.
pub fn changed() {
    CHANGES.fetch_add(1, Ordering::AcqRel);
}

/// The changes so far: read before looking a token up, and given to [`TokenCache::insert`], so
/// that a change made while the query ran makes its answer stale at once.
pub fn generation() -> u64 {
    CHANGES.load(Ordering::Acquire)
}

#[derive(Clone)]
struct Verified {
    presented: Presented,
    generation: u64,
}

pub struct TokenCache {
    verified: moka::sync::Cache<Vec<u8>, Verified>,
}

impl Default for TokenCache {
    fn default() -> Self {
        TokenCache { verified: moka::sync::Cache::builder().max_capacity(CAPACITY).time_to_live(TTL).build() }
    }
}

impl TokenCache {
    /// The verification of `digest` made less than [`TTL`] ago, if nothing has changed since.
    pub fn get(&self, digest: &TokenDigest) -> Option<Presented> {
        let verified = self.verified.get(&digest.0)?;
        (verified.generation == generation()).then_some(verified.presented)
    }

    /// Keeps a verification made from a lookup that started at `generation`.
    pub fn insert(&self, digest: &TokenDigest, presented: Presented, generation: u64) {
        self.verified.insert(digest.0.clone(), Verified { presented, generation });
    }

    /// How many verifications are kept (after pending upkeep).
    pub fn len(&self) -> u64 {
        self.verified.run_pending_tasks();
        self.verified.entry_count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
