//! Passwords: hashing with Argon2id at OWASP's parameters (19 MiB, 2 passes, 1 lane: the `argon2`
//! crate's defaults), and checking a username and password, throttled. Hashing takes tens of
//! milliseconds of CPU on purpose, so it runs on the blocking pool and never stalls the async runtime.

use std::sync::LazyLock;

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

use super::throttle::LoginThrottle;
use crate::{
    people::{NewPassword, Person, store as people_store},
    store::{Store, StoreError},
};

/// Why a username and password were not accepted.
#[derive(Debug)]
pub enum PasswordCheckError {
    /// Wrong username or password; which of the two is not said.
    Rejected,
    /// Too many failures for this username; retry after this many seconds.
    Throttled(u64),
    /// The right password of a disabled account. Said only after the password was checked, so
    /// that it tells nothing to someone who does not know it.
    Disabled,
    Store(StoreError),
}

/// Checks a username and password: the one path that both the sign-in page and HTTP Basic
/// credentials take, with the same throttling and the same timing whether or not the user exists.
pub async fn check(
    store: &Store,
    throttle: &LoginThrottle,
    username: &str,
    password: &str,
) -> Result<Person, PasswordCheckError> {
    throttle.check(username).map_err(PasswordCheckError::Throttled)?;
    let found = people_store::find_credentials(store, username).await.map_err(PasswordCheckError::Store)?;
    let (person, hash) = match found {
        Some((person, hash)) => (Some(person), Some(hash)),
        None => (None, None),
    };
    if verify(password, hash).await {
        throttle.succeeded(username);
        let person = person.expect("a verified password belongs to a person");
        if person.disabled {
            return Err(PasswordCheckError::Disabled);
        }
        Ok(person)
    } else {
        throttle.failed(username, password);
        Err(PasswordCheckError::Rejected)
    }
}

/// Hashes a new password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`).
pub async fn hash(password: &NewPassword) -> String {
    let password = password.expose().to_owned();
    tokio::task::spawn_blocking(move || hash_now(&password)).await.expect("the hashing task does not panic")
}

fn hash_now(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2 with default parameters hashes any password")
        .to_string()
}

/// Checks `password` against a stored hash. With `None` (no such user) it still spends the time
/// of a real check against a fixed hash, so response times do not tell which usernames exist.
pub async fn verify(password: &str, stored_hash: Option<String>) -> bool {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let known = stored_hash.is_some();
        let stored = stored_hash.unwrap_or_else(|| DUMMY_HASH.clone());
        let matches = PasswordHash::new(&stored)
            .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
            .unwrap_or(false);
        known && matches
    })
    .await
    .expect("the verifying task does not panic")
}

static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_now("not the password of anyone"));

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let password = NewPassword::parse("correct horse battery staple").unwrap();
        let stored = hash(&password).await;
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        assert!(verify("correct horse battery staple", Some(stored.clone())).await);
        assert!(!verify("Correct horse battery staple", Some(stored)).await);
    }

    #[tokio::test]
    async fn an_unknown_user_never_verifies() {
        assert!(!verify("not the password of anyone", None).await);
    }

    #[tokio::test]
    async fn a_corrupt_hash_does_not_verify() {
        assert!(!verify("whatever", Some("not a phc string".into())).await);
    }
}
