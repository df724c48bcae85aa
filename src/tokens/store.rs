//! Tokens in the database: the one repository that the REST API, the bearer middleware and the
//! page's server functions share. SQL is written once for both dialects (see `crate::store`).

use time::OffsetDateTime;

use super::{Owner, Status, TokenId, TokenInfo, WorkspaceToken, value::TokenDigest};
use crate::{
    paging::{Page, Paging},
    people::{Person, PersonId},
    store::{Store, StoreError, with_pool},
    timestamp,
    workspace::{WorkspaceSettings, store::SettingsRow},
};

#[derive(sqlx::FromRow)]
struct TokenRow {
    token_id: String,
    description: String,
    created_at: i64,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
}

impl TokenRow {
    fn into_info(self, now: OffsetDateTime) -> Result<TokenInfo, StoreError> {
        let token_id = TokenId::parse(&self.token_id).ok_or_else(|| corrupt("token_id", &self.token_id))?;
        let expired_at = self.expires_at.map(timestamp::from_millis);
        Ok(TokenInfo {
            token_id,
            description: self.description,
            created_at: timestamp::from_millis(self.created_at),
            expired_at,
            last_used: self.last_used_at.map(timestamp::from_millis),
            status: Status::at(expired_at, now),
        })
    }
}

#[derive(sqlx::FromRow)]
struct WorkspaceTokenRow {
    #[sqlx(flatten)]
    token: TokenRow,
    owner_id: PersonId,
    owner_username: String,
    owner_name: String,
}

fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::Other(sqlx::Error::Decode(format!("{column} holds {value:?}").into()))
}

const COLUMNS: &str = "t.token_id, t.description, t.created_at, t.expires_at, t.last_used_at";
const NEWEST_FIRST: &str = "ORDER BY t.created_at DESC, t.token_id";

/// What a new row holds; [`super::rules`] decides it.
pub struct NewRow<'a> {
    pub token_id: TokenId,
    pub owner_id: PersonId,
    pub digest: &'a TokenDigest,
    pub description: &'a str,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
}

/// Adds a token in one statement: nothing is read first, so concurrent creations never wait on
/// each other's transactions (SQLite serialises the writes themselves, briefly).
pub async fn insert(store: &Store, row: NewRow<'_>) -> Result<TokenInfo, StoreError> {
    with_pool!(store, pool => sqlx::query(
        "INSERT INTO access_tokens (token_id, owner_id, digest, description, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(row.token_id.to_string())
    .bind(row.owner_id)
    .bind(&row.digest.0)
    .bind(row.description)
    .bind(timestamp::to_millis(row.created_at))
    .bind(row.expires_at.map(timestamp::to_millis))
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(TokenInfo {
        token_id: row.token_id,
        description: row.description.to_owned(),
        created_at: row.created_at,
        expired_at: row.expires_at,
        last_used: None,
        status: Status::at(row.expires_at, row.created_at),
    })
}

/// One owner's tokens, newest first, and how many they hold in all.
pub async fn list_by_owner(store: &Store, owner_id: PersonId, paging: Paging) -> Result<Page<TokenInfo>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM access_tokens t WHERE t.owner_id = $1 {NEWEST_FIRST} LIMIT $2 OFFSET $3");
    let rows: Vec<TokenRow> = with_pool!(store, pool => sqlx::query_as(&sql)
        .bind(owner_id)
        .bind(paging.limit())
        .bind(paging.offset())
        .fetch_all(pool)
        .await)?;
    let count: i64 = with_pool!(store, pool => sqlx::query_scalar("SELECT count(*) FROM access_tokens WHERE owner_id = $1")
        .bind(owner_id)
        .fetch_one(pool)
        .await)?;
    let now = OffsetDateTime::now_utc();
    Ok(Page { data: rows.into_iter().map(|row| row.into_info(now)).collect::<Result<_, _>>()?, count })
}

/// Every token in the workspace with its owner, newest first (the admins' view).
pub async fn list_all(store: &Store, paging: Paging) -> Result<Page<WorkspaceToken>, StoreError> {
    let sql = format!(
        "SELECT {COLUMNS}, u.id AS owner_id, u.username AS owner_username, u.name AS owner_name \
         FROM access_tokens t JOIN users u ON u.id = t.owner_id {NEWEST_FIRST} LIMIT $1 OFFSET $2"
    );
    let rows: Vec<WorkspaceTokenRow> = with_pool!(store, pool => sqlx::query_as(&sql).bind(paging.limit()).bind(paging.offset()).fetch_all(pool).await)?;
    let count: i64 =
        with_pool!(store, pool => sqlx::query_scalar("SELECT count(*) FROM access_tokens").fetch_one(pool).await)?;
    let now = OffsetDateTime::now_utc();
    let data = rows
        .into_iter()
        .map(|row| {
            Ok(WorkspaceToken {
                info: row.token.into_info(now)?,
                owner: Owner { id: row.owner_id, username: row.owner_username, name: row.owner_name },
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Page { data, count })
}

/// A token and the id of its owner.
pub async fn get(store: &Store, token_id: TokenId) -> Result<Option<(TokenInfo, PersonId)>, StoreError> {
    let sql = format!("SELECT {COLUMNS}, t.owner_id FROM access_tokens t WHERE t.token_id = $1");
    let found: Option<TokenRowWithOwner> =
        with_pool!(store, pool => sqlx::query_as(&sql).bind(token_id.to_string()).fetch_optional(pool).await)?;
    let now = OffsetDateTime::now_utc();
    found.map(|row| Ok((row.token.into_info(now)?, row.owner_id))).transpose()
}

#[derive(sqlx::FromRow)]
struct TokenRowWithOwner {
    #[sqlx(flatten)]
    token: TokenRow,
    owner_id: PersonId,
}

/// Deletes a token; `false` when there was none. From the next request on, it authenticates nobody.
pub async fn delete(store: &Store, token_id: TokenId) -> Result<bool, StoreError> {
    let deleted = with_pool!(store, pool => sqlx::query("DELETE FROM access_tokens WHERE token_id = $1")
        .bind(token_id.to_string())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(deleted > 0)
}

/// What the bearer middleware needs to decide about a presented token, read in one query: the
/// token, its owner, and the workspace's settings (so that disabling tokens takes effect at the
/// next request on every instance sharing the database).
pub struct Presented {
    pub token_id: TokenId,
    pub expires_at: Option<OffsetDateTime>,
    pub owner: Person,
    pub settings: WorkspaceSettings,
}

#[derive(sqlx::FromRow)]
struct PresentedRow {
    token_id: String,
    expires_at: Option<i64>,
    id: PersonId,
    username: String,
    name: String,
    is_admin: bool,
    user_created_at: i64,
    #[sqlx(flatten)]
    settings: SettingsRow,
}

pub async fn find_by_digest(store: &Store, digest: &TokenDigest) -> Result<Option<Presented>, StoreError> {
    let row: Option<PresentedRow> = with_pool!(store, pool => sqlx::query_as(
        "SELECT t.token_id, t.expires_at, u.id, u.username, u.name, u.is_admin, u.created_at AS user_created_at, \
         s.access_tokens_enabled, s.allow_members_to_generate_tokens, s.max_token_lifetime_days \
         FROM access_tokens t JOIN users u ON u.id = t.owner_id CROSS JOIN workspace_settings s \
         WHERE t.digest = $1",
    )
    .bind(&digest.0)
    .fetch_optional(pool)
    .await)?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Presented {
        token_id: TokenId::parse(&row.token_id).ok_or_else(|| corrupt("token_id", &row.token_id))?,
        expires_at: row.expires_at.map(timestamp::from_millis),
        owner: Person {
            id: row.id,
            username: row.username,
            name: row.name,
            is_admin: row.is_admin,
            created_at: timestamp::from_millis(row.user_created_at),
        },
        settings: row.settings.into(),
    }))
}

/// Writes a batch of last-use times in one transaction. A time only ever moves forward, so
/// instances flushing in any order agree.
pub async fn record_use(store: &Store, uses: &[(TokenId, OffsetDateTime)]) -> Result<(), StoreError> {
    if uses.is_empty() {
        return Ok(());
    }
    with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        for (token_id, at) in uses {
            sqlx::query(
                "UPDATE access_tokens SET last_used_at = $2 \
                 WHERE token_id = $1 AND (last_used_at IS NULL OR last_used_at < $2)",
            )
            .bind(token_id.to_string())
            .bind(timestamp::to_millis(*at))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    }
    .await)?;
    Ok(())
}
