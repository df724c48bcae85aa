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
    created_at: i64,
}

impl From<PersonRow> for Person {
    fn from(row: PersonRow) -> Self {
        Person {
            id: row.id,
            username: row.username,
            name: row.name,
            is_admin: row.is_admin,
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

const COLUMNS: &str = "id, username, name, is_admin, created_at";

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

#[derive(Debug, PartialEq, Eq)]
pub enum RoleChange {
    Done,
    NoSuchPerson,
    /// Refused: it would leave the workspace without an admin.
    LastAdmin,
}

/// Makes the account an admin or a member. The check that another admin remains is part of the
/// UPDATE itself, so two admins demoting each other at once cannot both succeed.
pub async fn set_admin(store: &Store, id: PersonId, is_admin: bool) -> Result<RoleChange, StoreError> {
    let done = with_pool!(store, pool => sqlx::query(
        "UPDATE users SET is_admin = $2 WHERE id = $1 \
         AND ($2 OR NOT is_admin OR (SELECT count(*) FROM users WHERE is_admin) > 1)",
    )
    .bind(id)
    .bind(is_admin)
    .execute(pool)
    .await
    .map(|r| r.rows_affected()))?;
    if done == 1 {
        return Ok(RoleChange::Done);
    }
    Ok(match find(store, id).await? {
        None => RoleChange::NoSuchPerson,
        Some(_) => RoleChange::LastAdmin,
    })
}
