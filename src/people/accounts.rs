//! The rules for adding and changing accounts, shared by the Users page, the REST people API and
//! the command line.

use std::{net::IpAddr, sync::Arc};

use crate::{
    audit::{
        EventKind,
        record::{Actor, Event, record},
    },
    auth::{
        password::{self, PasswordCheckError},
        session::{self, SessionKey},
        throttle::LoginThrottle,
    },
    people::{DisplayName, NewPassword, Person, PersonId, Username, store},
    store::{Store, StoreError},
};

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// Input that breaks a rule; the message says which.
    #[error("{0}")]
    Invalid(String),
    #[error("The username {0:?} is taken.")]
    UsernameTaken(String),
    #[error("No such user.")]
    NotFound,
    #[error("The workspace must keep at least one enabled admin.")]
    LastAdmin,
    /// Too many wrong current passwords: retry after this many seconds.
    #[error("Too many failed attempts. Try again in {0} seconds.")]
    Throttled(u64),
    /// Every password-hashing slot stayed busy.
    #[error("The server is busy. Please retry shortly.")]
    Busy,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an admin (or an operator) fills in to add someone.
pub struct NewAccount<'a> {
    pub username: &'a str,
    pub name: Option<&'a str>,
    pub password: &'a str,
    pub is_admin: bool,
}

pub async fn add(store: &Store, actor: &Actor, account: NewAccount<'_>) -> Result<Person, AccountError> {
    let username = Username::parse(account.username).map_err(AccountError::Invalid)?;
    let name = DisplayName::parse_or(account.name, &username).map_err(AccountError::Invalid)?;
    let password = NewPassword::parse(account.password).map_err(AccountError::Invalid)?;
    let hash = password::hash(&password).await.map_err(|_| AccountError::Busy)?;
    let person = match store::create(store, &username, &name, &hash, account.is_admin).await {
        Err(StoreError::Conflict) => return Err(AccountError::UsernameTaken(username.as_str().to_owned())),
        other => other?,
    };
    let event = Event::new(EventKind::PersonAdded, actor)
        .on(&person)
        .detail("name", &person.name)
        .detail("role", person.role().to_string());
    record(store, event).await;
    Ok(person)
}

/// What an admin may change about an account; `None` leaves it as it is.
#[derive(Default)]
pub struct Changes<'a> {
    pub name: Option<&'a str>,
    pub is_admin: Option<bool>,
    pub password: Option<&'a str>,
    /// Disabled: cannot sign in, sessions end at once, tokens refused until enabled again.
    pub disabled: Option<bool>,
}

/// Applies `changes` after checking all of them, so bad input changes nothing. A new password ends
/// the person's browser sessions, all but `request`'s own if it is theirs (an admin resetting
/// their own password stays signed in where they are).
pub async fn change(
    store: &Store,
    actor: &Actor,
    id: PersonId,
    changes: Changes<'_>,
    own_session: Option<&SessionKey>,
) -> Result<Person, AccountError> {
    let name = changes.name.map(DisplayName::parse).transpose().map_err(AccountError::Invalid)?;
    let password = changes.password.map(NewPassword::parse).transpose().map_err(AccountError::Invalid)?;
    let Some(before) = store::find(store, id).await? else { return Err(AccountError::NotFound) };
    // Each change is recorded once made (a later one may still be refused: what was done, was).
    if let Some(is_admin) = changes.is_admin {
        guarded(store::set_admin(store, id, is_admin).await?)?;
        if is_admin != before.is_admin {
            let to = if is_admin { "admin" } else { "member" };
            let from = if before.is_admin { "admin" } else { "member" };
            let event =
                Event::new(EventKind::PersonRoleChanged, actor).on(&before).detail("from", from).detail("to", to);
            record(store, event).await;
        }
    }
    if let Some(disabled) = changes.disabled {
        guarded(store::set_disabled(store, id, disabled).await?)?;
        if disabled != before.disabled {
            let kind = if disabled { EventKind::PersonDisabled } else { EventKind::PersonEnabled };
            record(store, Event::new(kind, actor).on(&before)).await;
        }
    }
    if let Some(name) = name {
        store::rename(store, id, &name).await?;
        if name.as_str() != before.name {
            let event = Event::new(EventKind::PersonRenamed, actor)
                .on(&before)
                .detail("from", &before.name)
                .detail("to", name.as_str());
            record(store, event).await;
        }
    }
    if let Some(password) = password {
        store::set_password_hash(store, id, &password::hash(&password).await.map_err(|_| AccountError::Busy)?).await?;
        session::end_others(store, id, own_session).await?;
        record(store, Event::new(EventKind::PasswordReset, actor).on(&before)).await;
    }
    store::find(store, id).await?.ok_or(AccountError::NotFound)
}

/// Removes a person, their sessions and their tokens; the workspace keeps an enabled admin.
pub async fn delete(store: &Store, actor: &Actor, id: PersonId) -> Result<(), AccountError> {
    let Some(person) = store::find(store, id).await? else { return Err(AccountError::NotFound) };
    guarded(store::delete(store, id).await?)?;
    record(store, Event::new(EventKind::PersonDeleted, actor).on(&person)).await;
    Ok(())
}

fn guarded(outcome: store::Guarded) -> Result<(), AccountError> {
    match outcome {
        store::Guarded::Done => Ok(()),
        store::Guarded::NoSuchPerson => Err(AccountError::NotFound),
        store::Guarded::LastAdmin => Err(AccountError::LastAdmin),
    }
}

/// A person changes their own password: the current one must be right.
pub async fn change_own_password(
    store: &Store,
    throttle: &Arc<LoginThrottle>,
    person: &Person,
    current: &str,
    new: &str,
    client: Option<IpAddr>,
) -> Result<(), AccountError> {
    let new = NewPassword::parse(new).map_err(AccountError::Invalid)?;
    // Throttled like signing in: a session left open must not let anyone guess the password.
    let checked = password::check(store, throttle, &person.username, current, client).await;
    if let Err(refusal) = &checked {
        password::record_refusal(store, throttle, &person.username, refusal, password::Purpose::PasswordChange).await;
    }
    match checked {
        Ok(checked) if checked.id == person.id => {}
        Ok(_) | Err(PasswordCheckError::Rejected { .. } | PasswordCheckError::Disabled(_)) => {
            return Err(AccountError::Invalid("The current password is incorrect.".into()));
        }
        Err(PasswordCheckError::Throttled(seconds)) => return Err(AccountError::Throttled(seconds)),
        Err(PasswordCheckError::Busy) => return Err(AccountError::Busy),
        Err(PasswordCheckError::Store(error)) => return Err(error.into()),
    }
    let hash = password::hash(&new).await.map_err(|_| AccountError::Busy)?;
    store::set_password_hash(store, person.id, &hash).await?;
    record(store, Event::new(EventKind::PasswordChanged, &Actor::session(person)).on(person)).await;
    Ok(())
}

/// Where the first admin comes from when the database has no user yet.
#[derive(Debug)]
pub enum FirstAdmin {
    /// `ADMIN_USERNAME` and `ADMIN_PASSWORD` were both set.
    Given { username: String, password: String },
    /// Neither (or only one) was set: `admin` with a random password, printed once.
    Generated,
}

/// Creates the first admin when the database has no user. Several instances starting at once on one
/// PostgreSQL may race here; the unique username lets exactly one of them win.
pub async fn ensure_first_admin(store: &Store, first_admin: &FirstAdmin) -> Result<(), AccountError> {
    if store::count(store).await? > 0 {
        return Ok(());
    }
    let generated;
    let (username, password) = match first_admin {
        FirstAdmin::Given { username, password } => (username.as_str(), password.as_str()),
        FirstAdmin::Generated => {
            generated = random_password();
            ("admin", generated.as_str())
        }
    };
    let account = NewAccount { username, name: Some("Administrator"), password, is_admin: true };
    match add(store, &Actor::console(), account).await {
        Ok(person) => {
            if matches!(first_admin, FirstAdmin::Generated) {
                // Printed once, on purpose: this is the only way to learn the generated password.
                // To standard error, for the person starting the server: not into the log stream,
                // which is collected, shipped and kept.
                eprintln!(
                    "created the first admin: username `{}`, password `{password}`. Sign in and change it \
                     under Preferences; this password is not shown again.",
                    person.username
                );
                tracing::warn!(
                    "created the first admin `{}` with a generated password, written once to standard error",
                    person.username
                );
            } else {
                tracing::info!("created the first admin `{}` from ADMIN_USERNAME/ADMIN_PASSWORD", person.username);
            }
            Ok(())
        }
        Err(AccountError::UsernameTaken(_)) => Ok(()),
        Err(error) => Err(error),
    }
}

/// 20 characters from the OS CSPRNG: about 119 bits.
fn random_password() -> String {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    use rand::RngCore;
    let mut bytes = [0u8; 15];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}
