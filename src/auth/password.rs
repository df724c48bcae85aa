//! Passwords: hashing with Argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane: the `argon2`
//! crate's defaults), and checking a username and password, throttled. Hashing takes tens of
//! milliseconds of CPU on purpose, so it runs on the blocking pool and never stalls the async runtime.

use std::{
    net::IpAddr,
    sync::{Arc, LazyLock},
    time::Duration,
};

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use tokio::sync::Semaphore;

use super::throttle::{LoginThrottle, Refusal};
use crate::{
    people::{NewPassword, Person, Username, store as people_store},
    store::{Store, StoreError},
};

/// Why a username and password were not accepted.
#[derive(Debug)]
pub enum PasswordCheckError {
    /// Wrong username or password; which of the two is not said. `counted`: it counted as a new
    /// failure (a password hashed and found wrong), not a repeat of one already counted, nor
    /// something that cannot be a username or password at all. `account`: the person whose
    /// username it was, when counted (for the audit trail, which would otherwise look them up
    /// again).
    Rejected {
        counted: bool,
        account: Option<Box<Person>>,
    },
    /// Too many failures for this username, this client or this instance; retry after this many
    /// seconds.
    Throttled(u64),
    /// The right password of a disabled account. Said only after the password was checked, so
    /// that it tells nothing to someone who does not know it.
    Disabled(Box<Person>),
    /// Every hashing slot, or every slot of this username or client, stayed busy: retry shortly.
    Busy,
    Store(StoreError),
}

/// No password a person can have is longer (256 characters of up to 4 bytes): a longer one is
/// wrong without hashing it.
const MAX_PASSWORD_BYTES: usize = NewPassword::MAX_CHARS * 4;
/// How long an attempt waits for its username's (or client's) slot before it is told to retry.
const SLOT_WAIT: Duration = Duration::from_secs(2);
/// How long a hashing job waits for the pool before the request gets `503`.
const POOL_WAIT: Duration = Duration::from_secs(2);

/// Checks a username and password: the one path that the sign-in page, HTTP Basic credentials
/// and a password change take, with the same throttling, and the same timing whether or not the
/// user exists. `client`: the caller's IP, when known, for the per-client limit.
pub async fn check(
    store: &Store,
    throttle: &Arc<LoginThrottle>,
    username: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<Person, PasswordCheckError> {
    // What cannot be a username never becomes a throttle key (no user has it), and what cannot
    // be a password is never hashed.
    let uncounted = PasswordCheckError::Rejected { counted: false, account: None };
    let Ok(username) = Username::parse(username) else { return Err(uncounted) };
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(uncounted);
    }
    let attempt = reserve(throttle, username.as_str(), client).await?;
    let found = people_store::find_credentials(store, username.as_str()).await.map_err(PasswordCheckError::Store)?;
    let (person, hash) = match found {
        Some((person, hash)) => (Some(person), Some(hash)),
        None => (None, None),
    };
    if attempt.known_wrong(password, hash.as_deref()) {
        return Err(uncounted);
    }
    // The hashing job settles the attempt itself: a client that hangs up once it started still
    // has its failure counted, and its slot is held until the hashing it caused is over.
    let password = password.to_owned();
    let (right, counted) = on_hashing_pool(move || {
        attempt.verifying();
        if verify_now(&password, hash.as_deref()) {
            attempt.succeeded();
            (true, false)
        } else {
            (false, attempt.failed(&password, hash.as_deref()))
        }
    })
    .await?;
    match person {
        Some(person) if right && person.disabled => Err(PasswordCheckError::Disabled(Box::new(person))),
        Some(person) if right => Ok(person),
        account => Err(PasswordCheckError::Rejected { counted, account: account.filter(|_| counted).map(Box::new) }),
    }
}

/// Where a password was checked, as the audit trail says it.
#[derive(Clone, Copy, Debug)]
pub enum Purpose {
    /// The sign-in page.
    SignIn,
    /// HTTP Basic credentials on a REST request.
    Basic,
    /// The current password, to change it.
    PasswordChange,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::SignIn => "sign_in",
            Purpose::Basic => "basic",
            Purpose::PasswordChange => "password_change",
        }
    }
}

/// Records a refused password check in the audit trail: a failure (a wrong password counted as a
/// new failure, or a disabled account's right one) or a throttled attempt. A repeated wrong
/// password, or what cannot be a password, is not recorded again: it costs nothing to send, and
/// must not fill the trail. A right password is recorded by what it leads to
/// (a sign-in, a password change); a REST request with Basic credentials is a request, not a
/// sign-in, and is not recorded when it succeeds. Load (`Busy`) and outages are not events.
pub async fn record_refusal(
    store: &Store,
    throttle: &LoginThrottle,
    username: &str,
    error: &PasswordCheckError,
    purpose: Purpose,
) {
    use crate::audit::{
        EventKind,
        record::{Actor, Event, record, record_throttled},
    };
    // Only a name that can be a username is kept: anything else is the client's text.
    let Ok(username) = Username::parse(username) else { return };
    let (reason, account) = match error {
        PasswordCheckError::Rejected { counted: true, account } => ("wrong_password", account.as_deref()),
        PasswordCheckError::Rejected { counted: false, .. } => return,
        PasswordCheckError::Disabled(person) => ("disabled", Some(&**person)),
        PasswordCheckError::Throttled(seconds) => {
            return record_throttled(store, throttle, username.as_str(), *seconds).await;
        }
        PasswordCheckError::Busy | PasswordCheckError::Store(_) => return,
    };
    let mut event = Event::new(EventKind::SignInFailed, &Actor::nobody())
        .detail("username", username.as_str())
        .detail("reason", reason)
        .detail("during", purpose.as_str());
    if let Some(person) = account {
        event = event.on(person);
    }
    record(store, event).await;
}

/// A slot for an attempt, waiting a little while others on the same username are in flight.
async fn reserve(
    throttle: &Arc<LoginThrottle>,
    username: &str,
    client: Option<IpAddr>,
) -> Result<super::throttle::Reservation, PasswordCheckError> {
    let deadline = tokio::time::Instant::now() + SLOT_WAIT;
    loop {
        let freed = throttle.slot_freed();
        tokio::pin!(freed);
        freed.as_mut().enable();
        match throttle.reserve(username, client) {
            Ok(attempt) => return Ok(attempt),
            Err(Refusal::Wait(seconds)) => return Err(PasswordCheckError::Throttled(seconds)),
            // Slots taken by attempts still in flight is load, not failures: 503, not 429. Try
            // again as soon as one is given back.
            Err(Refusal::Busy) => {
                if tokio::time::timeout_at(deadline, freed).await.is_err() {
                    return Err(PasswordCheckError::Busy);
                }
            }
        }
    }
}

/// Hashing jobs run on the blocking pool, but no more at once than there are cores: a burst of
/// sign-ins queues here (briefly, then `503`) instead of filling memory with 19 MiB jobs. A job
/// holds its slot until it ends, even if the request that started it is gone.
static HASHING: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(std::thread::available_parallelism().map_or(2, |cores| cores.get()))));

async fn on_hashing_pool<T: Send + 'static>(job: impl FnOnce() -> T + Send + 'static) -> Result<T, PasswordCheckError> {
    let permit = tokio::time::timeout(POOL_WAIT, Arc::clone(&HASHING).acquire_owned())
        .await
        .map_err(|_| PasswordCheckError::Busy)?
        .expect("the hashing pool is never closed");
    let job = tokio::task::spawn_blocking(move || {
        let _slot = permit;
        job()
    });
    Ok(job.await.expect("a hashing job does not panic"))
}

/// Hashes a new password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub async fn hash(password: &NewPassword) -> Result<String, PasswordCheckError> {
    let password = password.expose().to_owned();
    on_hashing_pool(move || hash_now(&password)).await
}

fn hash_now(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 with default parameters hashes any password")
        .to_string()
}

/// [`verify_now`] on the hashing pool.
#[cfg(test)]
async fn verify(password: &str, stored_hash: Option<String>) -> Result<bool, PasswordCheckError> {
    let password = password.to_owned();
    on_hashing_pool(move || verify_now(&password, stored_hash.as_deref())).await
}

/// Checks `password` against a stored hash. With `None` (no such user) it still spends the time
/// of a real check against a fixed hash, so response times do not tell which usernames exist.
fn verify_now(password: &str, stored_hash: Option<&str>) -> bool {
    let stored = stored_hash.unwrap_or(&DUMMY_HASH);
    let matches = PasswordHash::new(stored)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false);
    stored_hash.is_some() && matches
}

static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_now("not the password of anyone"));

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let password = NewPassword::parse("correct horse battery staple").unwrap();
        let stored = hash(&password).await.unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse battery staple", Some(stored.clone())).await.unwrap());
        assert!(!verify("Correct horse battery staple", Some(stored)).await.unwrap());
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!verify("not the password of anyone", None).await.unwrap());
    }

    #[tokio::test]
    async fn a_corrupt_hash_does_not_verify() {
        assert!(!verify("whatever", Some("not a phc string".into())).await.unwrap());
    }
}
