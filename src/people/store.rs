//! Accounts in the database. SQL is shared by both dialects (see `crate::store`).

use crate::{
    paging::{Page, Paging},
    people::{DisplayName, Person, PersonId, Username},
    store::{Store, StoreError, now_millis, with_pool},
    timestamp,
};

#[derive(sqlx::FromRow)]
struct PersonRow {
    id: PersonId,
    username: String,
    name: String,
    is_admin: bool,
    disabled: bool,
    created_at: i64,
}

impl From<PersonRow> for Person {
    fn from(row: PersonRow) -> Self {
        Person {
            id: row.id,
            username: row.username,
            name: row.name,
            is_admin: row.is_admin,
            disabled: row.disabled,
            created_at: timestamp::from_millis(row.created_at),
        }
    }
}

#[derive(sqlx::FromRow)]
struct CredentialsRow {
    #[sqlx(flatten)]
    person: PersonRow,
    password_hash: String,
}

const COLUMNS: &str = "id, username, name, is_admin, disabled, created_at";

pub async fn count(store: &Store) -> Result<i64, StoreError> {
    let count: i64 = with_pool!(store, pool => sqlx::query_scalar("SELECT count(*) FROM users").fetch_one(pool).await)?;
    Ok(count)
}

/// Adds an account; [`StoreError::Conflict`] when the username is taken in any case.
pub async fn create(
    store: &Store,
    username: &Username,
    name: &DisplayName,
    password_hash: &str,
    is_admin: bool,
) -> Result<Person, StoreError> {
    let sql = format!(
        "INSERT INTO users (username, name, password_hash, is_admin, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    );
    let row: PersonRow = with_pool!(store, pool => sqlx::query_as(&sql)
        .bind(username.as_str())
        .bind(name.as_str())
        .bind(password_hash)
        .bind(is_admin)
        .bind(now_millis())
        .fetch_one(pool)
        .await)?;
    Ok(row.into())
}

pub async fn find(store: &Store, id: PersonId) -> Result<Option<Person>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let row: Option<PersonRow> = with_pool!(store, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?;
    Ok(row.map(Person::from))
}

pub async fn find_by_username(store: &Store, username: &str) -> Result<Option<Person>, StoreError> {
    Ok(find_credentials(store, username).await?.map(|(person, _)| person))
}

/// The account and its password hash, looked up case-insensitively.
pub async fn find_credentials(store: &Store, username: &str) -> Result<Option<(Person, String)>, StoreError> {
    let sql = format!("SELECT {COLUMNS}, password_hash FROM users WHERE lower(username) = lower($1)");
    let row: Option<CredentialsRow> =
        with_pool!(store, pool => sqlx::query_as(&sql).bind(username).fetch_optional(pool).await)?;
    Ok(row.map(|row| (row.person.into(), row.password_hash)))
}

pub async fn password_hash(store: &Store, id: PersonId) -> Result<Option<String>, StoreError> {
    let hash: Option<String> = with_pool!(store, pool => sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await)?;
    Ok(hash)
}

/// A page of accounts in username order, and how many there are in all.
pub async fn list(store: &Store, paging: Paging) -> Result<Page<Person>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM users ORDER BY lower(username) LIMIT $1 OFFSET $2");
    let rows: Vec<PersonRow> = with_pool!(store, pool => sqlx::query_as(&sql)
        .bind(paging.limit())
        .bind(paging.offset())
        .fetch_all(pool)
        .await)?;
    Ok(Page { data: rows.into_iter().map(Person::from).collect(), count: count(store).await? })
}

pub async fn rename(store: &Store, id: PersonId, name: &DisplayName) -> Result<bool, StoreError> {
    let done = with_pool!(store, pool => sqlx::query("UPDATE users SET name = $2 WHERE id = $1")
        .bind(id)
        .bind(name.as_str())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    // A verified token carries its owner as they were.
    crate::tokens::cache::changed();
    Ok(done == 1)
}

pub async fn set_password_hash(store: &Store, id: PersonId, password_hash: &str) -> Result<bool, StoreError> {
    let done = with_pool!(store, pool => sqlx::query("UPDATE users SET password_hash = $2 WHERE id = $1")
        .bind(id)
        .bind(password_hash)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

/// What came of a change that could leave the workspace without an admin.
#[derive(Debug, PartialEq, Eq)]
pub enum Guarded {
    Done,
    NoSuchPerson,
    /// Refused: it would leave the workspace without an admin who can act (enabled).
    LastAdmin,
}

/// How many admins can act: the condition each guarded change checks within its own statement.
const OTHER_ADMINS_REMAIN: &str = "(SELECT count(*) FROM users WHERE is_admin AND NOT disabled) > 1";

/// Makes the account an admin or a member.
pub async fn set_admin(store: &Store, id: PersonId, is_admin: bool) -> Result<Guarded, StoreError> {
    let sql = format!(
        "UPDATE users SET is_admin = $2 WHERE id = $1 AND ($2 OR NOT is_admin OR disabled OR {OTHER_ADMINS_REMAIN})"
    );
    let outcome = guarded(store, id, &sql, is_admin, false).await?;
    if outcome == Guarded::Done && !is_admin {
        // A member's token does nothing an admin may; take `admin` off their tokens, so that
        // making them an admin again does not revive it unasked.
        with_pool!(store, pool => sqlx::query(
            "UPDATE access_tokens SET scopes = TRIM(REPLACE(' ' || scopes || ' ', ' admin ', ' ')) \
             WHERE owner_id = $1 AND scopes LIKE '%admin%'",
        )
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ()))?;
        crate::tokens::cache::changed();
    }
    Ok(outcome)
}

/// Disables or enables the account, ending the person's sessions in the same transaction either
/// way: a sign-in that raced the disabling must not come back to life with the enabling.
pub async fn set_disabled(store: &Store, id: PersonId, disabled: bool) -> Result<Guarded, StoreError> {
    let sql = format!(
        "UPDATE users SET disabled = $2 WHERE id = $1 AND (NOT $2 OR NOT is_admin OR disabled OR {OTHER_ADMINS_REMAIN})"
    );
    guarded(store, id, &sql, disabled, true).await
}

/// Deletes the account; its sessions and tokens go with it (`ON DELETE CASCADE`).
pub async fn delete(store: &Store, id: PersonId) -> Result<Guarded, StoreError> {
    // `$2` is unused; it keeps the one shape of `guarded`.
    let sql = format!("DELETE FROM users WHERE id = $1 AND ($2 OR NOT is_admin OR disabled OR {OTHER_ADMINS_REMAIN})");
    guarded(store, id, &sql, false, false).await
}

/// Runs a change that checks [`OTHER_ADMINS_REMAIN`] itself, and ends the person's sessions when
/// `end_sessions`. Two such changes at once must not both pass the check: on
/// PostgreSQL (READ COMMITTED) each statement could count the admin the other is demoting, so they
/// take turns on a transaction-scoped advisory lock; SQLite runs one write at a time anyway.
async fn guarded(
    store: &Store,
    id: PersonId,
    sql: &str,
    flag: bool,
    end_sessions: bool,
) -> Result<Guarded, StoreError> {
    let take_turns = match store {
        Store::Postgres(_) => "SELECT pg_advisory_xact_lock(7310001)",
        Store::Sqlite(_) => "SELECT 1",
    };
    let outcome = with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        sqlx::query(take_turns).execute(&mut *tx).await?;
        let done = sqlx::query(sql).bind(id).bind(flag).execute(&mut *tx).await?.rows_affected();
        if done == 1 && end_sessions {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(done)
    }
    .await);
    // Roles, disabling and deleting change what a verified token may do: after the commit (even
    // one that reported an error), so that no lookup can read the old state as new.
    crate::tokens::cache::changed();
    let done = outcome?;
    if done == 1 {
        return Ok(Guarded::Done);
    }
    Ok(match find(store, id).await? {
        None => Guarded::NoSuchPerson,
        Some(_) => Guarded::LastAdmin,
    })
}
