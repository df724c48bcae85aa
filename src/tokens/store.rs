//! Tokens in the database: the one repository that the REST API, the bearer middleware and the
//! page's server functions share. SQL is written once for both dialects (see `crate::store`).

use time::OffsetDateTime;

use super::{MaxLifetime, Owner, Scopes, Status, TokenCap, TokenId, TokenInfo, WorkspaceToken, value::TokenDigest};
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
    scopes: String,
    replaces: Option<String>,
    replaced_by: Option<String>,
    grace_ends_at: Option<i64>,
}

impl TokenRow {
    /// The token as shown at `now`, under the workspace's maximum lifetime `max`.
    fn into_info(self, now: OffsetDateTime, max: MaxLifetime) -> Result<TokenInfo, StoreError> {
        let created_at = timestamp::from_millis(self.created_at);
        let expired_at = max.effective_expiry(created_at, self.expires_at.map(timestamp::from_millis));
        Ok(TokenInfo {
            token_id: token_id(&self.token_id)?,
            description: self.description,
            created_at,
            expired_at,
            last_used: self.last_used_at.map(timestamp::from_millis),
            status: Status::at(expired_at, now),
            scopes: Scopes::from_column(&self.scopes).ok_or_else(|| corrupt("scopes", &self.scopes))?,
            replaces: self.replaces.as_deref().map(token_id).transpose()?,
            replaced_by: self.replaced_by.as_deref().map(token_id).transpose()?,
            grace_ends_at: self.grace_ends_at.map(timestamp::from_millis),
        })
    }
}

fn token_id(text: &str) -> Result<TokenId, StoreError> {
    TokenId::parse(text).ok_or_else(|| corrupt("token_id", text))
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

const COLUMNS: &str = "t.token_id, t.description, t.created_at, t.expires_at, t.last_used_at, t.scopes, \
                       t.replaces, t.replaced_by, t.grace_ends_at";
const NEWEST_FIRST: &str = "ORDER BY t.created_at DESC, t.token_id";
/// A token rotated with a grace period is gone once the grace has ended (`$now` is its parameter
/// number in each query): nothing lists it, and the next rotation deletes it.
const NOT_RETIRED: &str = "(t.grace_ends_at IS NULL OR t.grace_ends_at > {now})";

fn not_retired(now_parameter: &str) -> String {
    NOT_RETIRED.replace("{now}", now_parameter)
}

/// What a new row holds; [`super::rules`] decides it.
pub struct NewRow<'a> {
    pub token_id: TokenId,
    pub owner_id: PersonId,
    pub digest: &'a TokenDigest,
    pub description: &'a str,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub scopes: Scopes,
    /// The token it replaces, when it is made by rotation.
    pub replaces: Option<TokenId>,
}

const INSERT: &str = "INSERT INTO access_tokens \
                      (token_id, owner_id, digest, description, created_at, expires_at, scopes, replaces) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";

impl NewRow<'_> {
    fn info(&self) -> TokenInfo {
        TokenInfo {
            token_id: self.token_id,
            description: self.description.to_owned(),
            created_at: self.created_at,
            expired_at: self.expires_at,
            last_used: None,
            status: Status::at(self.expires_at, self.created_at),
            scopes: self.scopes,
            replaces: self.replaces,
            replaced_by: None,
            grace_ends_at: None,
        }
    }
}

/// Binds a new row's values to [`INSERT`], for either backend.
macro_rules! bind_new_row {
    ($row:expr) => {
        sqlx::query(INSERT)
            .bind($row.token_id.to_string())
            .bind($row.owner_id)
            .bind(&$row.digest.0)
            .bind($row.description)
            .bind(timestamp::to_millis($row.created_at))
            .bind($row.expires_at.map(timestamp::to_millis))
            .bind($row.scopes.to_column())
            .bind($row.replaces.map(|id| id.to_string()))
    };
}

/// Adds a token. With a cap, the count of the owner's active tokens is checked inside the insert:
/// `None` when the owner already holds `cap`. Active as everywhere else: not expired, not rotated,
/// and not older than the workspace's `max_lifetime` (which may have been lowered since). Concurrent creations for one owner take turns on
/// PostgreSQL (a transaction-scoped advisory lock on the owner; under READ COMMITTED each insert
/// would otherwise count without the others); SQLite runs one write statement at a time. Without a
/// cap, nothing is read first, so concurrent creations never wait on each other.
pub async fn insert(
    store: &Store,
    row: NewRow<'_>,
    cap: TokenCap,
    max_lifetime: MaxLifetime,
) -> Result<Option<TokenInfo>, StoreError> {
    let TokenCap::At(cap) = cap else {
        with_pool!(store, pool => bind_new_row!(row).execute(pool).await.map(|_| ()))?;
        return Ok(Some(row.info()));
    };
    let take_turns = match store {
        // The one-argument (bigint) form: an owner id needs no narrowing. The high bits name
        // this lock (7310002), apart from the people lock and from other applications' locks.
        Store::Postgres(_) => "SELECT pg_advisory_xact_lock((7310002::bigint << 32) | $1)",
        Store::Sqlite(_) => "SELECT $1",
    };
    let inserted = with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        sqlx::query(take_turns).bind(row.owner_id).execute(&mut *tx).await?;
        let done = sqlx::query(
            "INSERT INTO access_tokens \
             (token_id, owner_id, digest, description, created_at, expires_at, scopes, replaces) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8 \
             WHERE (SELECT count(*) FROM access_tokens \
                    WHERE owner_id = $2 AND replaced_by IS NULL AND (expires_at IS NULL OR expires_at > $5) \
                      AND created_at > $10) < $9",
        )
        .bind(row.token_id.to_string())
        .bind(row.owner_id)
        .bind(&row.digest.0)
        .bind(row.description)
        .bind(timestamp::to_millis(row.created_at))
        .bind(row.expires_at.map(timestamp::to_millis))
        .bind(row.scopes.to_column())
        .bind(row.replaces.map(|id| id.to_string()))
        .bind(cap)
        .bind(match max_lifetime {
            MaxLifetime::Unlimited => i64::MIN,
            MaxLifetime::Days(days) => timestamp::to_millis(row.created_at) - days * 24 * 60 * 60 * 1000,
        })
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok::<_, sqlx::Error>(done == 1)
    }
    .await)?;
    Ok(inserted.then(|| row.info()))
}

/// Adds `row` in place of the token it replaces, in one transaction: without `grace_ends_at` the
/// old token is deleted; with it, the old one keeps working until then (or until the new one is
/// first used, see [`find_by_digest`]). `None` when the old token was deleted or rotated meanwhile:
/// then nothing changed.
pub async fn rotate(
    store: &Store,
    row: NewRow<'_>,
    grace_ends_at: Option<OffsetDateTime>,
) -> Result<Option<TokenInfo>, StoreError> {
    let old = row.replaces.expect("a rotation names the token it replaces").to_string();
    let now = timestamp::to_millis(row.created_at);
    let replaced = with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        bind_new_row!(row).execute(&mut *tx).await?;
        // `replaced_by IS NULL`: a token is rotated once; of two rotations at once, one wins.
        let done = match grace_ends_at {
            None => sqlx::query("DELETE FROM access_tokens WHERE token_id = $1 AND replaced_by IS NULL")
                .bind(&old)
                .execute(&mut *tx)
                .await?,
            Some(at) => sqlx::query(
                "UPDATE access_tokens SET replaced_by = $2, grace_ends_at = $3 \
                 WHERE token_id = $1 AND replaced_by IS NULL",
            )
            .bind(&old)
            .bind(row.token_id.to_string())
            .bind(timestamp::to_millis(at))
            .execute(&mut *tx)
            .await?,
        };
        if done.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        // A token the old one replaced, still in its grace period, goes with it: it would
        // otherwise wait for the first use of a token that no longer exists.
        sqlx::query("DELETE FROM access_tokens WHERE replaced_by = $1").bind(&old).execute(&mut *tx).await?;
        // Housekeeping on this rare write path: forget tokens whose grace has ended.
        sqlx::query("DELETE FROM access_tokens WHERE grace_ends_at <= $1").bind(now).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(true)
    }
    .await)?;
    if replaced {
        super::cache::changed();
    }
    Ok(replaced.then(|| row.info()))
}

/// One owner's tokens, newest first, and how many they hold in all.
pub async fn list_by_owner(
    store: &Store,
    owner_id: PersonId,
    paging: Paging,
    max: MaxLifetime,
) -> Result<Page<TokenInfo>, StoreError> {
    let now = OffsetDateTime::now_utc();
    let sql = format!(
        "SELECT {COLUMNS} FROM access_tokens t WHERE t.owner_id = $1 AND {} {NEWEST_FIRST} LIMIT $3 OFFSET $4",
        not_retired("$2")
    );
    let rows: Vec<TokenRow> = with_pool!(store, pool => sqlx::query_as(&sql)
        .bind(owner_id)
        .bind(timestamp::to_millis(now))
        .bind(paging.limit())
        .bind(paging.offset())
        .fetch_all(pool)
        .await)?;
    let sql = format!("SELECT count(*) FROM access_tokens t WHERE t.owner_id = $1 AND {}", not_retired("$2"));
    let count: i64 = with_pool!(store, pool => sqlx::query_scalar(&sql)
        .bind(owner_id)
        .bind(timestamp::to_millis(now))
        .fetch_one(pool)
        .await)?;
    Ok(Page { data: rows.into_iter().map(|row| row.into_info(now, max)).collect::<Result<_, _>>()?, count })
}

/// Every token in the workspace with its owner, newest first (the admins' view).
pub async fn list_all(store: &Store, paging: Paging, max: MaxLifetime) -> Result<Page<WorkspaceToken>, StoreError> {
    let now = OffsetDateTime::now_utc();
    let sql = format!(
        "SELECT {COLUMNS}, u.id AS owner_id, u.username AS owner_username, u.name AS owner_name \
         FROM access_tokens t JOIN users u ON u.id = t.owner_id WHERE {} {NEWEST_FIRST} LIMIT $2 OFFSET $3",
        not_retired("$1")
    );
    let rows: Vec<WorkspaceTokenRow> = with_pool!(store, pool => sqlx::query_as(&sql)
        .bind(timestamp::to_millis(now))
        .bind(paging.limit())
        .bind(paging.offset())
        .fetch_all(pool)
        .await)?;
    let sql = format!("SELECT count(*) FROM access_tokens t WHERE {}", not_retired("$1"));
    let count: i64 =
        with_pool!(store, pool => sqlx::query_scalar(&sql).bind(timestamp::to_millis(now)).fetch_one(pool).await)?;
    let data = rows
        .into_iter()
        .map(|row| {
            Ok(WorkspaceToken {
                info: row.token.into_info(now, max)?,
                owner: Owner { id: row.owner_id, username: row.owner_username, name: row.owner_name },
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Page { data, count })
}

/// A token and the id of its owner (none once a rotation's grace has ended).
pub async fn get(
    store: &Store,
    token_id: TokenId,
    max: MaxLifetime,
) -> Result<Option<(TokenInfo, PersonId)>, StoreError> {
    let now = OffsetDateTime::now_utc();
    let found = one(store, token_id, now).await?;
    found.map(|row| Ok((row.token.into_info(now, max)?, row.owner_id))).transpose()
}

/// The row of a token that still works or may (not one whose rotation grace has ended).
async fn one(store: &Store, token_id: TokenId, now: OffsetDateTime) -> Result<Option<TokenRowWithOwner>, StoreError> {
    let sql =
        format!("SELECT {COLUMNS}, t.owner_id FROM access_tokens t WHERE t.token_id = $1 AND {}", not_retired("$2"));
    Ok(with_pool!(store, pool => sqlx::query_as(&sql)
        .bind(token_id.to_string())
        .bind(timestamp::to_millis(now))
        .fetch_optional(pool)
        .await)?)
}

#[derive(sqlx::FromRow)]
struct TokenRowWithOwner {
    #[sqlx(flatten)]
    token: TokenRow,
    owner_id: PersonId,
}

/// Deletes a token, and a token it replaced that still works in its grace period; `false` when
/// there was none. From the next request on, neither authenticates anybody.
pub async fn delete(store: &Store, token_id: TokenId) -> Result<bool, StoreError> {
    let deleted = with_pool!(store, pool => sqlx::query("DELETE FROM access_tokens WHERE token_id = $1 OR replaced_by = $1")
        .bind(token_id.to_string())
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
    super::cache::changed();
    Ok(deleted > 0)
}

/// What the bearer middleware needs to decide about a presented token, read in one query: the
/// token, its owner, and the workspace's settings (so that disabling tokens takes effect at the
/// next request on every instance sharing the database).
#[derive(Clone)]
pub struct Presented {
    pub token_id: TokenId,
    pub created_at: OffsetDateTime,
    /// As the token was created; the workspace's maximum may end it sooner.
    pub expires_at: Option<OffsetDateTime>,
    pub scopes: Scopes,
    /// Set on a token rotated with a grace period: when the grace ends.
    pub grace_ends_at: Option<OffsetDateTime>,
    /// The token this one replaced, while that one still works in its grace period: it stops at
    /// this one's first use.
    pub predecessor_in_grace: Option<TokenId>,
    pub owner: Person,
    pub settings: WorkspaceSettings,
}

#[derive(sqlx::FromRow)]
struct PresentedRow {
    token_id: String,
    created_at: i64,
    expires_at: Option<i64>,
    scopes: String,
    grace_ends_at: Option<i64>,
    predecessor_in_grace: Option<String>,
    id: PersonId,
    username: String,
    name: String,
    is_admin: bool,
    disabled: bool,
    person_created_at: i64,
    #[sqlx(flatten)]
    settings: SettingsRow,
}

pub async fn find_by_digest(store: &Store, digest: &TokenDigest) -> Result<Option<Presented>, StoreError> {
    let row: Option<PresentedRow> = with_pool!(store, pool => sqlx::query_as(
        "SELECT t.token_id, t.created_at, t.expires_at, t.scopes, t.grace_ends_at, \
         p.token_id AS predecessor_in_grace, \
         u.id, u.username, u.name, u.is_admin, u.disabled, u.created_at AS person_created_at, \
         s.access_tokens_enabled, s.allow_members_to_generate_tokens, s.max_token_lifetime_days, \
         s.max_active_tokens_per_person, s.audit_retention_days \
         FROM access_tokens t JOIN users u ON u.id = t.owner_id CROSS JOIN workspace_settings s \
         LEFT JOIN access_tokens p ON p.token_id = t.replaces AND p.replaced_by = t.token_id \
         WHERE t.digest = $1",
    )
    .bind(&digest.0)
    .fetch_optional(pool)
    .await)?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(Presented {
        token_id: token_id(&row.token_id)?,
        created_at: timestamp::from_millis(row.created_at),
        expires_at: row.expires_at.map(timestamp::from_millis),
        scopes: Scopes::from_column(&row.scopes).ok_or_else(|| corrupt("scopes", &row.scopes))?,
        grace_ends_at: row.grace_ends_at.map(timestamp::from_millis),
        predecessor_in_grace: row.predecessor_in_grace.as_deref().map(token_id).transpose()?,
        owner: Person {
            id: row.id,
            username: row.username,
            name: row.name,
            is_admin: row.is_admin,
            disabled: row.disabled,
            created_at: timestamp::from_millis(row.person_created_at),
        },
        settings: row.settings.into(),
    }))
}

/// Ends a rotated token's grace period: at its successor's first use, or when the grace is over.
pub async fn retire(store: &Store, token_id: TokenId) -> Result<(), StoreError> {
    with_pool!(store, pool => sqlx::query("DELETE FROM access_tokens WHERE token_id = $1 AND replaced_by IS NOT NULL")
        .bind(token_id.to_string())
        .execute(pool)
        .await
        .map(|_| ()))?;
    super::cache::changed();
    Ok(())
}

/// What a rotation starts from: the old token as stored.
pub struct Rotating {
    pub owner_id: PersonId,
    pub description: String,
    pub created_at: OffsetDateTime,
    pub expires_at: Option<OffsetDateTime>,
    pub scopes: Scopes,
    /// Already rotated (it is in its grace period).
    pub replaced: bool,
}

pub async fn for_rotation(store: &Store, token_id: TokenId) -> Result<Option<Rotating>, StoreError> {
    let Some(row) = one(store, token_id, OffsetDateTime::now_utc()).await? else { return Ok(None) };
    Ok(Some(Rotating {
        owner_id: row.owner_id,
        created_at: timestamp::from_millis(row.token.created_at),
        expires_at: row.token.expires_at.map(timestamp::from_millis),
        scopes: Scopes::from_column(&row.token.scopes).ok_or_else(|| corrupt("scopes", &row.token.scopes))?,
        replaced: row.token.replaced_by.is_some(),
        description: row.token.description,
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
