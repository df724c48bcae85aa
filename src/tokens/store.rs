//! Tokens in the database: the one repository that the REST API, the bearer middleware and the
//! page's server functions share. SQL is written once for both dialects (see `crate::store`).

use time::OffsetDateTime;

use super::{
    EndReason, Ended, MaxLifetime, Owner, Scopes, Status, TokenCap, TokenId, TokenInfo, TokenKey, WorkspaceToken,
    usage::{Client, RECENT_CLIENTS, Unwritten},
    value::TokenDigest,
};
use serde_json::json;

use crate::{
    notifications::store::notify,
    paging::{Seek, Slice, Start},
    people::{Person, PersonId},
    store::{Store, StoreError, with_pool},
    timestamp,
    webhooks::{self, WebhookEvent},
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
    alert_new_ip: bool,
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
            alert_on_new_ip: self.alert_new_ip,
            ended: expired_at.filter(|at| *at <= now).map(|at| Ended {
                at: Some(at),
                reason: EndReason::Expired,
                by: None,
            }),
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

/// A row of a list read by key, on either backend. Each list reads only its own columns: one
/// owner's list without the owner's (decoding them cost a fifth of its throughput, measured).
trait ListedRow:
    for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> + Send + Unpin
{
    fn token(&self) -> &TokenRow;

    fn key(&self) -> Result<TokenKey, StoreError> {
        Ok(TokenKey { created_at_millis: self.token().created_at, token_id: token_id(&self.token().token_id)? })
    }
}

impl ListedRow for TokenRow {
    fn token(&self) -> &TokenRow {
        self
    }
}

impl ListedRow for WorkspaceTokenRow {
    fn token(&self) -> &TokenRow {
        &self.token
    }
}

fn corrupt(column: &str, value: &str) -> StoreError {
    StoreError::Other(sqlx::Error::Decode(format!("{column} holds {value:?}").into()))
}

const COLUMNS: &str = "t.token_id, t.description, t.created_at, t.expires_at, t.last_used_at, t.scopes, \
                       t.replaces, t.replaced_by, t.grace_ends_at, t.alert_new_ip";
/// A token rotated with a grace period is gone once the grace has ended (`$now` is its parameter
/// number in each query): nothing lists it, and the owner's next rotation deletes it. Only a
/// rotation sets `grace_ends_at`, together with `replaced_by` (which [`count`] relies on to find
/// these few on the index of rotated tokens).
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
    /// The owner's username, for the webhooks that hear of it.
    pub owner_username: &'a str,
    /// Its owner hears of its first use from an address outside its recent ones.
    pub alert_new_ip: bool,
}

const INSERT: &str = "INSERT INTO access_tokens \
                      (token_id, owner_id, digest, description, created_at, expires_at, scopes, replaces, alert_new_ip) \
                      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

impl NewRow<'_> {
    /// The new token as a webhook delivery describes it.
    fn facts(&self) -> serde_json::Value {
        webhooks::token_facts(
            &self.token_id.to_string(),
            self.description,
            &self.scopes.to_column(),
            timestamp::to_millis(self.created_at),
            self.expires_at.map(timestamp::to_millis),
            self.owner_id.0,
            Some(self.owner_username),
        )
    }

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
            alert_on_new_ip: self.alert_new_ip,
            ended: None,
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
            .bind($row.alert_new_ip)
    };
}

/// Adds a token. With a cap, the count of the owner's active tokens is checked inside the insert:
/// `None` when the owner already holds `cap`. Active as everywhere else: not expired, not rotated,
/// and not older than the workspace's `max_lifetime` (which may have been lowered since).
/// Concurrent creations for one owner take turns on PostgreSQL (a transaction-scoped advisory lock
/// on the owner; under READ COMMITTED each insert would otherwise count without the others);
/// SQLite runs one write statement at a time. Without a cap nothing is read first: creations by
/// different people never wait on each other, and one person's only for the moment their count
/// (`token_counts`) is updated and committed.
pub async fn insert(
    store: &Store,
    row: NewRow<'_>,
    cap: TokenCap,
    max_lifetime: MaxLifetime,
) -> Result<Option<TokenInfo>, StoreError> {
    let generated = webhooks::payload(WebhookEvent::TokenGenerated, row.created_at, row.facts(), json!({}));
    let TokenCap::At(cap) = cap else {
        with_pool!(store, pool => async {
            let mut tx = pool.begin().await?;
            bind_new_row!(row).execute(&mut *tx).await?;
            webhooks::enqueue!(tx, WebhookEvent::TokenGenerated, row.created_at, &generated);
            tx.commit().await
        }
        .await)?;
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
             (token_id, owner_id, digest, description, created_at, expires_at, scopes, replaces, alert_new_ip) \
             SELECT $1, $2, $3, $4, $5, $6, $7, $8, $11 \
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
        .bind(row.alert_new_ip)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 1 {
            webhooks::enqueue!(tx, WebhookEvent::TokenGenerated, row.created_at, &generated);
        }
        tx.commit().await?;
        Ok::<_, sqlx::Error>(done == 1)
    }
    .await)?;
    Ok(inserted.then(|| row.info()))
}

/// Who revokes tokens, when and why: what their records keep ([`revoke_rows!`]).
#[derive(Clone, Copy, Debug)]
pub struct Revocation<'a> {
    pub at: OffsetDateTime,
    /// The person who did it (their id and username); `None` when nobody signed in did.
    pub by: Option<(PersonId, &'a str)>,
    pub reason: EndReason,
}

/// A token's row as it is deleted, for its record in `revoked_tokens`.
#[derive(sqlx::FromRow)]
struct Removed {
    token_id: String,
    owner_id: PersonId,
    description: String,
    scopes: String,
    created_at: i64,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
    replaces: Option<String>,
    grace_ends_at: Option<i64>,
}

/// A row's token as a webhook delivery describes it, and its owner's username, looked up on the
/// transaction `$tx`.
macro_rules! facts_on {
    ($tx:expr, $row:expr) => {{
        let owner: Option<String> = sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
            .bind($row.owner_id)
            .fetch_optional(&mut *$tx)
            .await?;
        let facts = webhooks::token_facts(
            &$row.token_id,
            &$row.description,
            &$row.scopes,
            $row.created_at,
            $row.expires_at,
            $row.owner_id.0,
            owner.as_deref(),
        );
        (facts, owner)
    }};
}

/// What a `DELETE FROM access_tokens` returns for [`revoke_rows!`].
const REMOVED: &str = "RETURNING token_id, owner_id, description, scopes, created_at, expires_at, last_used_at, \
                       replaces, grace_ends_at";

/// Runs `$delete` (a `DELETE FROM access_tokens ... RETURNING` [`REMOVED`]) on the transaction `$tx`
/// and keeps a record of each token it deleted, as `$revocation` says (a token whose rotation
/// grace had already ended then, at its end); the rows deleted. Every way a token is revoked
/// goes through here, so none is forgotten, and none can authenticate again: the record has no
/// digest.
macro_rules! revoke_rows {
    ($tx:expr, $delete:expr, $revocation:expr) => {{
        let revocation: &Revocation<'_> = $revocation;
        let at = timestamp::to_millis(revocation.at);
        let removed: Vec<Removed> = $delete.fetch_all(&mut *$tx).await?;
        for row in &removed {
            sqlx::query(
                "INSERT INTO revoked_tokens (token_id, owner_id, description, scopes, created_at, expires_at, \
                 last_used_at, replaces, revoked_at, revoked_by_id, revoked_by_username, reason) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (token_id) DO NOTHING",
            )
            .bind(&row.token_id)
            .bind(row.owner_id)
            .bind(&row.description)
            .bind(&row.scopes)
            .bind(row.created_at)
            .bind(row.expires_at)
            .bind(row.last_used_at)
            .bind(&row.replaces)
            .bind(row.grace_ends_at.filter(|ended| *ended <= at).unwrap_or(at))
            .bind(revocation.by.map(|(id, _)| id))
            .bind(revocation.by.map(|(_, username)| username))
            .bind(revocation.reason.as_str())
            .execute(&mut *$tx)
            .await?;
            // The webhooks hear of it in the same transaction.
            let (facts, owner) = facts_on!($tx, row);
            let more = json!({ "reason": revocation.reason.as_str(), "by": revocation.by.map(|(_, username)| username) });
            let revoked = webhooks::payload(WebhookEvent::TokenRevoked, revocation.at, facts.clone(), more.clone());
            webhooks::enqueue!($tx, WebhookEvent::TokenRevoked, revocation.at, &revoked);
            if revocation.reason == EndReason::ReportedLeaked {
                let reported = webhooks::payload(WebhookEvent::TokenReportedLeaked, revocation.at, facts, more);
                webhooks::enqueue!($tx, WebhookEvent::TokenReportedLeaked, revocation.at, &reported);
            }
            // And the people concerned, on their pages: the owner when someone else ended it, and
            // every admin when it was reported leaked.
            let label = super::page::label(&row.description, &row.token_id, None);
            let (owner_only, other_admins) = ("id = $5", "is_admin AND id <> $5");
            let (revoked, leaked) = (WebhookEvent::TokenRevoked.as_str(), WebhookEvent::TokenReportedLeaked.as_str());
            match (revocation.reason, revocation.by) {
                (EndReason::ReportedLeaked, _) => {
                    let mine = format!("Your access token {label} was reported leaked and has been revoked.");
                    notify!($tx, owner_only, row.owner_id, leaked, mine, &row.token_id, revocation.at);
                    let whose = owner.as_deref().unwrap_or("A member");
                    let theirs = format!("{whose}'s access token {label} was reported leaked and has been revoked.");
                    notify!($tx, other_admins, row.owner_id, leaked, theirs, &row.token_id, revocation.at);
                }
                (EndReason::DeletedByAdmin, Some((_, admin))) => {
                    let message = format!("{admin} deleted your access token {label}.");
                    notify!($tx, owner_only, row.owner_id, revoked, message, &row.token_id, revocation.at);
                }
                (EndReason::Inactivity, _) => {
                    let message = format!("Your access token {label} was revoked: it had not been used for too long.");
                    notify!($tx, owner_only, row.owner_id, revoked, message, &row.token_id, revocation.at);
                }
                _ => {}
            }
        }
        removed
    }};
}

/// Adds `row` in place of the token it replaces, in one transaction: without `grace_ends_at` the
/// old token is deleted; with it, the old one keeps working until then (or until the new one is
/// first used, see [`find_by_digest`]). `None` when the old token was deleted or rotated meanwhile:
/// then nothing changed.
pub async fn rotate(
    store: &Store,
    row: NewRow<'_>,
    grace_ends_at: Option<OffsetDateTime>,
    by: (PersonId, &str),
) -> Result<Option<TokenInfo>, StoreError> {
    let old = row.replaces.expect("a rotation names the token it replaces").to_string();
    let now = timestamp::to_millis(row.created_at);
    let rotated = Revocation { at: row.created_at, by: Some(by), reason: EndReason::Rotated };
    // The end of a grace period: nobody in particular ends it.
    let grace_over = Revocation { by: None, ..rotated };
    let announced = webhooks::payload(
        WebhookEvent::TokenRotated,
        row.created_at,
        json!({ "tokenId": old }),
        json!({ "replacedBy": row.facts(), "by": by.1, "graceEndsAt": grace_ends_at.map(timestamp::format) }),
    );
    let replaced = with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        bind_new_row!(row).execute(&mut *tx).await?;
        // `replaced_by IS NULL`: a token is rotated once; of two rotations at once, one wins.
        let done = match grace_ends_at {
            None => revoke_rows!(
                tx,
                sqlx::query_as(&format!("DELETE FROM access_tokens WHERE token_id = $1 AND replaced_by IS NULL {REMOVED}"))
                    .bind(&old),
                &rotated
            )
            .len() as u64,
            Some(at) => sqlx::query(
                "UPDATE access_tokens SET replaced_by = $2, grace_ends_at = $3 \
                 WHERE token_id = $1 AND replaced_by IS NULL",
            )
            .bind(&old)
            .bind(row.token_id.to_string())
            .bind(timestamp::to_millis(at))
            .execute(&mut *tx)
            .await?
            .rows_affected(),
        };
        if done != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        webhooks::enqueue!(tx, WebhookEvent::TokenRotated, row.created_at, &announced);
        // A token the old one replaced, still in its grace period, goes with it: it would
        // otherwise wait for the first use of a token that no longer exists.
        revoke_rows!(
            tx,
            sqlx::query_as(&format!("DELETE FROM access_tokens WHERE replaced_by = $1 {REMOVED}")).bind(&old),
            &rotated
        );
        // Housekeeping on this rare write path: forget this owner's tokens whose grace has ended
        // (others' wait for their own rotation or their successor's first use; nothing lists or
        // counts them meanwhile). Only this owner's: deleting another's would lock their count
        // (`token_counts`) while this transaction holds its own, and two such rotations at once
        // on PostgreSQL would each wait for the other.
        revoke_rows!(
            tx,
            sqlx::query_as(&format!("DELETE FROM access_tokens WHERE owner_id = $1 AND grace_ends_at <= $2 {REMOVED}"))
                .bind(row.owner_id)
                .bind(now),
            &grace_over
        );
        tx.commit().await?;
        Ok::<_, sqlx::Error>(true)
    }
    .await)?;
    if replaced {
        super::cache::changed();
    }
    Ok(replaced.then(|| row.info()))
}

/// One owner's tokens, newest first, from where `seek` says, and how many they hold in all.
pub async fn list_by_owner(
    store: &Store,
    owner_id: PersonId,
    seek: &Seek<TokenKey>,
    max: MaxLifetime,
) -> Result<Slice<TokenInfo, TokenKey>, StoreError> {
    let now = OffsetDateTime::now_utc();
    let rows: Rows<TokenRow> =
        read_slice(store, seek, now, Some(owner_id), |sql| format!("SELECT {COLUMNS} FROM access_tokens t {sql}"))
            .await?;
    let count = count(store, Some(owner_id), now).await?;
    rows.map(|row| row.into_info(now, max)).transpose(count)
}

/// Every token in the workspace with its owner, newest first (the admins' view).
pub async fn list_all(
    store: &Store,
    seek: &Seek<TokenKey>,
    max: MaxLifetime,
) -> Result<Slice<WorkspaceToken, TokenKey>, StoreError> {
    let now = OffsetDateTime::now_utc();
    let rows: Rows<WorkspaceTokenRow> = read_slice(store, seek, now, None, |sql| {
        format!(
            "SELECT {COLUMNS}, u.id AS owner_id, u.username AS owner_username, u.name AS owner_name \
             FROM access_tokens t JOIN users u ON u.id = t.owner_id {sql}"
        )
    })
    .await?;
    let count = count(store, None, now).await?;
    let slice = rows.map(|row| {
        Ok(WorkspaceToken {
            info: row.token.into_info(now, max)?,
            owner: Owner { id: row.owner_id, username: row.owner_username, name: row.owner_name },
        })
    });
    slice.transpose(count)
}

#[derive(sqlx::FromRow)]
struct InactiveRow {
    #[sqlx(flatten)]
    token: TokenRow,
    ended_at: Option<i64>,
    ended_reason: String,
    ended_by: Option<String>,
    owner_id: PersonId,
    owner_username: String,
    owner_name: String,
}

impl ListedRow for InactiveRow {
    fn token(&self) -> &TokenRow {
        &self.token
    }
}

/// The tokens that no longer work, with their owners, newest first (by creation, as the other
/// lists), from where `seek` says: revoked ones (their records), expired ones, and those whose
/// owner's account is disabled. One owner's, or everyone's.
pub async fn list_inactive(
    store: &Store,
    owner: Option<PersonId>,
    seek: &Seek<TokenKey>,
    max: MaxLifetime,
) -> Result<Slice<WorkspaceToken, TokenKey>, StoreError> {
    let now = OffsetDateTime::now_utc();
    let (expired, effective_expiry) = expiry_sql(max);
    let rows: Rows<InactiveRow> = read_slice(store, seek, now, owner, |sql| {
        format!(
            "SELECT {COLUMNS}, t.ended_at, t.ended_reason, t.ended_by, \
                    u.id AS owner_id, u.username AS owner_username, u.name AS owner_name \
             FROM (SELECT token_id, owner_id, description, created_at, expires_at, last_used_at, scopes, replaces, \
                          NULL AS replaced_by, NULL AS grace_ends_at, FALSE AS alert_new_ip, \
                          revoked_at AS ended_at, reason AS ended_reason, revoked_by_username AS ended_by \
                   FROM revoked_tokens \
                   UNION ALL \
                   SELECT a.token_id, a.owner_id, a.description, a.created_at, a.expires_at, a.last_used_at, a.scopes, \
                          a.replaces, a.replaced_by, a.grace_ends_at, a.alert_new_ip, \
                          CASE WHEN {expired} THEN {effective_expiry} ELSE NULL END, \
                          CASE WHEN {expired} THEN 'expired' ELSE 'owner_disabled' END, NULL \
                   FROM access_tokens a JOIN users d ON d.id = a.owner_id \
                   WHERE d.disabled OR {expired}) t \
             JOIN users u ON u.id = t.owner_id {sql}"
        )
    })
    .await?;
    let count_sql = format!(
        "SELECT CAST((SELECT count(*) FROM revoked_tokens WHERE $1 IS NULL OR owner_id = $1) \
                   + (SELECT count(*) FROM access_tokens a JOIN users d ON d.id = a.owner_id \
                      WHERE ($1 IS NULL OR a.owner_id = $1) AND (d.disabled OR {expired}) \
                        AND (a.grace_ends_at IS NULL OR a.grace_ends_at > $2)) AS BIGINT)"
    );
    let count: i64 = with_pool!(store, pool => sqlx::query_scalar(&count_sql)
        .bind(owner)
        .bind(timestamp::to_millis(now))
        .fetch_one(pool)
        .await)?;
    let slice = rows.map(|row| {
        let mut info = row.token.into_info(now, max)?;
        let reason =
            EndReason::parse(&row.ended_reason).ok_or_else(|| corrupt("revoked_tokens.reason", &row.ended_reason))?;
        if reason != EndReason::Expired && reason != EndReason::OwnerDisabled {
            info.status = Status::Revoked;
        }
        info.ended = Some(Ended { at: row.ended_at.map(timestamp::from_millis), reason, by: row.ended_by });
        Ok(WorkspaceToken {
            info,
            owner: Owner { id: row.owner_id, username: row.owner_username, name: row.owner_name },
        })
    });
    slice.transpose(count)
}

/// SQL over `access_tokens a`, `$2` being now: whether a token has expired under the workspace's
/// maximum lifetime `max`, and when it did (or does).
fn expiry_sql(max: MaxLifetime) -> (String, String) {
    match max {
        MaxLifetime::Unlimited => ("(a.expires_at <= $2)".to_owned(), "a.expires_at".to_owned()),
        MaxLifetime::Days(days) => {
            // Whole numbers this code computes, not input: written into the SQL.
            let lifetime = days * 24 * 60 * 60 * 1000;
            (
                format!("(a.expires_at <= $2 OR a.created_at <= $2 - {lifetime})"),
                format!(
                    "CASE WHEN a.expires_at IS NOT NULL AND a.expires_at < a.created_at + {lifetime} \
                     THEN a.expires_at ELSE a.created_at + {lifetime} END"
                ),
            )
        }
    }
}

/// A page of rows read by key, before its items are made and its count is known.
struct Rows<T> {
    data: Vec<T>,
    newer: Option<TokenKey>,
    older: Option<TokenKey>,
}

impl<T> Rows<T> {
    fn map<U>(self, f: impl FnMut(T) -> U) -> Rows<U> {
        Rows { data: self.data.into_iter().map(f).collect(), newer: self.newer, older: self.older }
    }
}

impl<T> Rows<Result<T, StoreError>> {
    fn transpose(self, count: i64) -> Result<Slice<T, TokenKey>, StoreError> {
        Ok(Slice {
            data: self.data.into_iter().collect::<Result<_, _>>()?,
            count,
            newer: self.newer,
            older: self.older,
        })
    }
}

/// Reads the page `seek` asks for, one more row than it holds to learn whether more follow. Rows
/// after a key are read along the newest-first indexes from that key on (`created_at <= key`
/// bounds the index scan; the rest settles ties), so of the rows before it only those created in
/// the key's millisecond are read (and skipped), and any `skip`; rows before a key are read the
/// same way in the other direction, and put back in order. `select` puts the
/// columns and the tables before the conditions, order and limit it is given.
async fn read_slice<R: ListedRow>(
    store: &Store,
    seek: &Seek<TokenKey>,
    now: OffsetDateTime,
    owner: Option<PersonId>,
    select: impl Fn(&str) -> String,
) -> Result<Rows<R>, StoreError> {
    let limit = seek.limit();
    let newer_than = match seek.start() {
        Start::Before(key) => *key,
        start => {
            let mut rows = read_rows(store, start, seek.skip(), limit + 1, now, owner, &select).await?;
            let more = rows.len() as i64 > limit;
            rows.truncate(limit as usize);
            let newer = match (start, seek.skip()) {
                (Start::First, 0) => None,
                _ => rows.first().map(ListedRow::key).transpose()?,
            };
            let older = if more { rows.last().map(ListedRow::key).transpose()? } else { None };
            return Ok(Rows { data: rows, newer, older });
        }
    };
    let mut rows = read_rows(store, &Start::Before(newer_than), 0, limit + 1, now, owner, &select).await?;
    let more = rows.len() as i64 > limit;
    if !more && (rows.len() as i64) < limit {
        // Fewer than a page before the key (tokens were deleted meanwhile): the first page.
        return Box::pin(read_slice(store, &Seek::first(limit), now, owner, select)).await;
    }
    rows.truncate(limit as usize);
    rows.reverse();
    let newer = if more { rows.first().map(ListedRow::key).transpose()? } else { None };
    let older = rows.last().map(ListedRow::key).transpose()?;
    Ok(Rows { data: rows, newer, older })
}

/// At most `limit` rows from `start`, after skipping `skip`: newest first, except before a key,
/// where the nearest come first.
async fn read_rows<R: ListedRow>(
    store: &Store,
    start: &Start<TokenKey>,
    skip: i64,
    limit: i64,
    now: OffsetDateTime,
    owner: Option<PersonId>,
    select: impl Fn(&str) -> String,
) -> Result<Vec<R>, StoreError> {
    // Every query binds the same six values: the owner (or none), now, the key, the number of
    // rows and the offset. Without a key, nothing is newer than the end of time.
    let (key, nearest_first) = match start {
        Start::First => (None, false),
        Start::After(key) => (Some(*key), false),
        Start::Before(key) => (Some(*key), true),
    };
    // One owner's: ordered by the owner first too (the same order, as there is one), which is
    // the order of their index, so SQLite takes it. PostgreSQL plans with the owner in hand:
    // a generic plan, made once for any owner, may walk everyone's tokens newest first and skip
    // all but theirs (300 ms for someone holding 3 of 1,000,000, measured with
    // `plan_cache_mode = force_generic_plan`), but its estimate for this query is so far above a
    // plan for the values at hand that the default mode never keeps it (checked with EXPLAIN after
    // repeated executions). Planning at each request costs about 85 µs (a 3-token list answers
    // 3,100 rather than 4,100 times a second on 2 cores), the price of the right index for every
    // owner.
    let (owner_condition, by_owner, by_owner_reversed) = match owner {
        Some(_) => ("t.owner_id = $1", "t.owner_id, ", "t.owner_id DESC, "),
        None => ("$1 IS NULL", "", ""),
    };
    let (bound, order) = match nearest_first {
        false => (
            "t.created_at <= $3 AND (t.created_at < $3 OR t.token_id > $4)",
            format!("ORDER BY {by_owner}t.created_at DESC, t.token_id"),
        ),
        true => (
            "t.created_at >= $3 AND (t.created_at > $3 OR t.token_id < $4)",
            format!("ORDER BY {by_owner_reversed}t.created_at, t.token_id DESC"),
        ),
    };
    let sql =
        select(&format!("WHERE {owner_condition} AND {} AND {bound} {order} LIMIT $5 OFFSET $6", not_retired("$2")));
    let (key_millis, key_id) = match key {
        Some(key) => (key.created_at_millis, key.token_id.to_string()),
        None => (i64::MAX, String::new()),
    };
    Ok(with_pool!(store, pool => sqlx::query_as(&sql)
        .bind(owner)
        .bind(timestamp::to_millis(now))
        .bind(key_millis)
        .bind(&key_id)
        .bind(limit)
        .bind(skip)
        .fetch_all(pool)
        .await)?)
}

/// How many tokens are listed: one owner's, or everyone's. The database keeps each person's count
/// as tokens come and go (`token_counts`); a token whose rotation grace has ended is counted there
/// until it is deleted but no longer listed, so those few (on the small index of rotated tokens)
/// are taken off. Everyone's is a sum over people, not tokens.
async fn count(store: &Store, owner: Option<PersonId>, now: OffsetDateTime) -> Result<i64, StoreError> {
    // One statement for each list, so that each is planned for its own lookup. `+owner_id`: the
    // owner is checked on the few rotated rows, not looked up on the owner's index, which SQLite
    // would otherwise take and walk every token of theirs (8 lists a second at 1,000,000 tokens
    // instead of 280, measured).
    let sql = match owner {
        Some(_) => {
            "SELECT CAST(coalesce((SELECT tokens FROM token_counts WHERE owner_id = $1), 0) \
                    - (SELECT count(*) FROM access_tokens \
                       WHERE replaced_by IS NOT NULL AND grace_ends_at <= $2 AND +owner_id = $1) AS BIGINT)"
        }
        None => {
            "SELECT CAST(coalesce((SELECT sum(tokens) FROM token_counts WHERE $1 IS NULL), 0) \
                    - (SELECT count(*) FROM access_tokens \
                       WHERE replaced_by IS NOT NULL AND grace_ends_at <= $2 AND $1 IS NULL) AS BIGINT)"
        }
    };
    Ok(with_pool!(store, pool => sqlx::query_scalar(sql)
        .bind(owner)
        .bind(timestamp::to_millis(now))
        .fetch_one(pool)
        .await)?)
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

/// Revokes a token, and a token it replaced that still works in its grace period, keeping their
/// records; `false` when there was none. From the next request on, neither authenticates anybody.
pub async fn revoke(store: &Store, token_id: TokenId, revocation: Revocation<'_>) -> Result<bool, StoreError> {
    let token_id = token_id.to_string();
    let deleted = with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        let deleted = revoke_rows!(
            tx,
            sqlx::query_as(&format!("DELETE FROM access_tokens WHERE token_id = $1 OR replaced_by = $1 {REMOVED}"))
                .bind(&token_id),
            &revocation
        )
        .len();
        tx.commit().await?;
        Ok::<_, sqlx::Error>(deleted)
    }
    .await)?;
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
         s.max_active_tokens_per_person, s.audit_retention_days, s.revoke_unused_after_days \
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
    let token_id = token_id.to_string();
    let revocation = Revocation { at: OffsetDateTime::now_utc(), by: None, reason: EndReason::Rotated };
    with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        revoke_rows!(
            tx,
            sqlx::query_as(&format!("DELETE FROM access_tokens WHERE token_id = $1 AND replaced_by IS NOT NULL {REMOVED}"))
                .bind(&token_id),
            &revocation
        );
        tx.commit().await
    }
    .await)?;
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
    pub alert_new_ip: bool,
}

pub async fn for_rotation(store: &Store, token_id: TokenId) -> Result<Option<Rotating>, StoreError> {
    let Some(row) = one(store, token_id, OffsetDateTime::now_utc()).await? else { return Ok(None) };
    Ok(Some(Rotating {
        owner_id: row.owner_id,
        created_at: timestamp::from_millis(row.token.created_at),
        expires_at: row.token.expires_at.map(timestamp::from_millis),
        scopes: Scopes::from_column(&row.token.scopes).ok_or_else(|| corrupt("scopes", &row.token.scopes))?,
        replaced: row.token.replaced_by.is_some(),
        alert_new_ip: row.token.alert_new_ip,
        description: row.token.description,
    }))
}

/// Writes a batch of uses in one transaction (see [`super::usage`]): last-use times, clients and
/// daily counts. A time only ever moves forward and counts add up, so instances flushing in any
/// order agree. Clients past the most recent [`RECENT_CLIENTS`] and counts before `first_day` of
/// the tokens written are pruned. A token deleted meanwhile is skipped.
pub async fn record_use(store: &Store, uses: &[(TokenId, Unwritten)], first_day: i64) -> Result<(), StoreError> {
    if uses.is_empty() {
        return Ok(());
    }
    with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        for (token_id, unwritten) in uses {
            let token_id = token_id.to_string();
            if let Some(at) = unwritten.at {
                // A use takes back any warning that the token goes unused (tokens::sweep).
                sqlx::query(
                    "UPDATE access_tokens SET last_used_at = $2, idle_warned_days = NULL, idle_warned_at = NULL \
                     WHERE token_id = $1 AND (last_used_at IS NULL OR last_used_at < $2)",
                )
                .bind(&token_id)
                .bind(timestamp::to_millis(at))
                .execute(&mut *tx)
                .await?;
            }
            // In one order (by address) on every instance, as the tokens are.
            let mut clients: Vec<&Client> = unwritten.clients.iter().collect();
            clients.sort_by_key(|client| client.ip);
            for client in clients {
                let ip = client.ip.to_string();
                let seen = timestamp::to_millis(client.last_seen);
                // Insert first: of instances writing the same new address at once, exactly one
                // inserts it, and only that one may raise the alert below.
                let added = sqlx::query(
                    "INSERT INTO token_clients (token_id, client_ip, user_agent, last_seen_at) \
                     SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM access_tokens WHERE token_id = $1) \
                     ON CONFLICT (token_id, client_ip) DO NOTHING",
                )
                .bind(&token_id)
                .bind(&ip)
                .bind(&*client.user_agent)
                .bind(seen)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if added == 0 {
                    sqlx::query(
                        "UPDATE token_clients SET user_agent = $3, last_seen_at = $4 \
                         WHERE token_id = $1 AND client_ip = $2 AND last_seen_at < $4",
                    )
                    .bind(&token_id)
                    .bind(&ip)
                    .bind(&*client.user_agent)
                    .bind(seen)
                    .execute(&mut *tx)
                    .await?;
                    continue;
                }
                // An address outside its recent ones: its owner may want to hear of it (not of a
                // token's very first address, which is where it was meant to be used).
                let token: Option<AlertRow> = sqlx::query_as(
                    "SELECT t.owner_id, t.description, t.scopes, t.created_at, t.expires_at, u.username, \
                            (SELECT count(*) FROM token_clients c WHERE c.token_id = t.token_id) AS known \
                     FROM access_tokens t JOIN users u ON u.id = t.owner_id \
                     WHERE t.token_id = $1 AND t.alert_new_ip",
                )
                .bind(&token_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(token) = token.filter(|token| token.known > 1) else { continue };
                let at = client.last_seen;
                let facts = webhooks::token_facts(
                    &token_id,
                    &token.description,
                    &token.scopes,
                    token.created_at,
                    token.expires_at,
                    token.owner_id.0,
                    Some(&token.username),
                );
                let more = json!({ "ip": ip, "userAgent": &*client.user_agent, "seenAt": timestamp::format(at) });
                let body = webhooks::payload(WebhookEvent::TokenUsedFromNewIp, at, facts, more);
                webhooks::enqueue!(tx, WebhookEvent::TokenUsedFromNewIp, at, &body);
                let label = super::page::label(&token.description, &token_id, None);
                let agent = match &*client.user_agent {
                    "" => String::new(),
                    agent => format!(" ({agent})"),
                };
                let message = format!("Your access token {label} was used from a new address: {ip}{agent}.");
                let kind = WebhookEvent::TokenUsedFromNewIp.as_str();
                notify!(tx, "id = $5", token.owner_id, kind, message, &token_id, at);
            }
            if !unwritten.clients.is_empty() {
                sqlx::query(
                    "DELETE FROM token_clients WHERE token_id = $1 AND client_ip NOT IN \
                     (SELECT client_ip FROM token_clients WHERE token_id = $1 \
                      ORDER BY last_seen_at DESC, client_ip LIMIT $2)",
                )
                .bind(&token_id)
                .bind(RECENT_CLIENTS as i64)
                .execute(&mut *tx)
                .await?;
            }
            for (day, count) in &unwritten.uses {
                sqlx::query(
                    "INSERT INTO token_daily_uses (token_id, day, uses) \
                     SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM access_tokens WHERE token_id = $1) \
                     ON CONFLICT (token_id, day) DO UPDATE SET uses = token_daily_uses.uses + excluded.uses",
                )
                .bind(&token_id)
                .bind(day)
                .bind(count)
                .execute(&mut *tx)
                .await?;
            }
            if !unwritten.uses.is_empty() {
                sqlx::query("DELETE FROM token_daily_uses WHERE token_id = $1 AND day < $2")
                    .bind(&token_id)
                    .bind(first_day)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        tx.commit().await
    }
    .await)?;
    Ok(())
}

/// Turns a token's alert of new addresses on or off; `false` when there is no such token.
pub async fn set_alert_new_ip(store: &Store, token_id: TokenId, on: bool) -> Result<bool, StoreError> {
    let changed = with_pool!(store, pool => sqlx::query("UPDATE access_tokens SET alert_new_ip = $2 WHERE token_id = $1")
        .bind(token_id.to_string())
        .bind(on)
        .execute(pool)
        .await
        .map(|done| done.rows_affected()))?;
    Ok(changed == 1)
}

/// What an alert of a new address tells of its token.
#[derive(sqlx::FromRow)]
struct AlertRow {
    owner_id: PersonId,
    description: String,
    scopes: String,
    created_at: i64,
    expires_at: Option<i64>,
    username: String,
    /// How many addresses it is known by, the new one included.
    known: i64,
}

/// A token's stored clients (most recent first) and its daily counts from `first_day` on.
pub async fn usage(
    store: &Store,
    token_id: TokenId,
    first_day: i64,
) -> Result<(Vec<Client>, Vec<(i64, i64)>), StoreError> {
    let token_id = token_id.to_string();
    let clients: Vec<(String, String, i64)> = with_pool!(store, pool => sqlx::query_as(
        "SELECT client_ip, user_agent, last_seen_at FROM token_clients WHERE token_id = $1 \
         ORDER BY last_seen_at DESC, client_ip LIMIT $2",
    )
    .bind(&token_id)
    .bind(RECENT_CLIENTS as i64)
    .fetch_all(pool)
    .await)?;
    let uses: Vec<(i64, i64)> = with_pool!(store, pool => sqlx::query_as(
        "SELECT day, uses FROM token_daily_uses WHERE token_id = $1 AND day >= $2 ORDER BY day",
    )
    .bind(&token_id)
    .bind(first_day)
    .fetch_all(pool)
    .await)?;
    let clients = clients
        .into_iter()
        .map(|(ip, user_agent, last_seen)| {
            Ok(Client {
                ip: ip.parse().map_err(|_| corrupt("client_ip", &ip))?,
                user_agent: user_agent.into(),
                last_seen: timestamp::from_millis(last_seen),
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok((clients, uses))
}

/// The rows a sweep changed, for what it tells the webhooks.
#[derive(sqlx::FromRow)]
struct Swept {
    token_id: String,
    owner_id: PersonId,
    description: String,
    scopes: String,
    created_at: i64,
    expires_at: Option<i64>,
    last_used_at: Option<i64>,
}

const SWEPT: &str = "RETURNING token_id, owner_id, description, scopes, created_at, expires_at, last_used_at";
/// How many tokens one statement of a sweep takes at most; the next sweep takes the rest.
const SWEEP_BATCH: i64 = 500;

/// Tells the webhooks about each swept row, on the transaction `$tx`: `$more` builds the rest of
/// the body from the row.
macro_rules! announce_swept {
    ($tx:expr, $rows:expr, $event:expr, $now:expr, $more:expr) => {{
        for row in &$rows {
            let (facts, _) = facts_on!($tx, row);
            let more: serde_json::Value = $more(row);
            webhooks::enqueue!($tx, $event, $now, &webhooks::payload($event, $now, facts, more));
        }
    }};
}

// The sweeps' statements repeat their conditions outside the `IN (SELECT … LIMIT n)`: PostgreSQL
// re-checks only the outer ones on a row another instance changed meanwhile, and so two instances
// sweeping at once neither warn twice nor revoke a token just used.

/// Marks the tokens that stop working within `days` (by their own expiry or the workspace's
/// maximum `max`) and have not been told so, and queues `token.expiring` for each; how many.
pub async fn warn_expiring(
    store: &Store,
    now: OffsetDateTime,
    days: i64,
    max: MaxLifetime,
) -> Result<usize, StoreError> {
    let until = now + time::Duration::days(days);
    let (created_after, created_until) = match max {
        MaxLifetime::Days(lifetime) => {
            let lifetime = time::Duration::days(lifetime);
            (timestamp::to_millis(now - lifetime), timestamp::to_millis(until - lifetime))
        }
        MaxLifetime::Unlimited => (i64::MIN, i64::MIN),
    };
    let sql = format!(
        "UPDATE access_tokens SET expiry_warned_days = $3 \
         WHERE (expiry_warned_days IS NULL OR expiry_warned_days > $3) AND token_id IN \
         (SELECT token_id FROM access_tokens \
          WHERE replaced_by IS NULL AND (expiry_warned_days IS NULL OR expiry_warned_days > $3) \
            AND ((expires_at > $1 AND expires_at <= $2 AND created_at > $4) \
              OR (created_at > $4 AND created_at <= $5 AND (expires_at IS NULL OR expires_at > $1))) \
          LIMIT $6) {SWEPT}"
    );
    let announce = |row: &Swept| {
        let created_at = timestamp::from_millis(row.created_at);
        let expires_at = max.effective_expiry(created_at, row.expires_at.map(timestamp::from_millis));
        json!({ "daysLeft": days, "expiresAt": expires_at.map(timestamp::format) })
    };
    Ok(with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        let rows: Vec<Swept> = sqlx::query_as(&sql)
            .bind(timestamp::to_millis(now))
            .bind(timestamp::to_millis(until))
            .bind(days)
            .bind(created_after)
            .bind(created_until)
            .bind(SWEEP_BATCH)
            .fetch_all(&mut *tx)
            .await?;
        announce_swept!(tx, rows, WebhookEvent::TokenExpiring, now, announce);
        tx.commit().await?;
        Ok::<_, sqlx::Error>(rows.len())
    }
    .await)?)
}

/// Warns of the tokens unused for `limit - days` days that will be revoked in `days` (7, then 1)
/// unless used: marks them and queues `token.inactivity_pending`; how many. The last warning (1
/// day) comes only 6 days or more after the first, so that every owner has a week.
pub async fn warn_idle(store: &Store, now: OffsetDateTime, limit: i64, days: i64) -> Result<usize, StoreError> {
    let idle_since = timestamp::to_millis(now - time::Duration::days(limit - days));
    let first_warned_by = timestamp::to_millis(now - time::Duration::days(6));
    let earlier = if days == 1 {
        "idle_warned_days = 7 AND idle_warned_at <= $4"
    } else {
        "idle_warned_days IS NULL AND $4 = $4"
    };
    let sql = format!(
        "UPDATE access_tokens SET idle_warned_days = $2, idle_warned_at = $1 \
         WHERE coalesce(last_used_at, created_at) <= $3 AND {earlier} AND token_id IN \
         (SELECT token_id FROM access_tokens \
          WHERE replaced_by IS NULL AND coalesce(last_used_at, created_at) <= $3 AND {earlier} LIMIT $5) {SWEPT}"
    );
    let announce = |row: &Swept| {
        let idle_ends =
            timestamp::from_millis(row.last_used_at.unwrap_or(row.created_at)) + time::Duration::days(limit);
        let revokes_at = idle_ends.max(now + time::Duration::days(days));
        json!({ "daysLeft": days, "revokesAt": timestamp::format(revokes_at), "lastUsed": row.last_used_at.map(|at| timestamp::format(timestamp::from_millis(at))) })
    };
    Ok(with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        let rows: Vec<Swept> = sqlx::query_as(&sql)
            .bind(timestamp::to_millis(now))
            .bind(days)
            .bind(idle_since)
            .bind(first_warned_by)
            .bind(SWEEP_BATCH)
            .fetch_all(&mut *tx)
            .await?;
        announce_swept!(tx, rows, WebhookEvent::TokenInactivityPending, now, announce);
        tx.commit().await?;
        Ok::<_, sqlx::Error>(rows.len())
    }
    .await)?)
}

/// Revokes the tokens unused for `limit` days whose last warning is a day old or more, keeping
/// their records (reason `inactivity`); each one's id and owner.
pub async fn revoke_idle(
    store: &Store,
    now: OffsetDateTime,
    limit: i64,
) -> Result<Vec<(TokenId, PersonId)>, StoreError> {
    let idle_since = timestamp::to_millis(now - time::Duration::days(limit));
    let warned_by = timestamp::to_millis(now - time::Duration::days(1));
    let revocation = Revocation { at: now, by: None, reason: EndReason::Inactivity };
    let revoked = with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        let revoked = revoke_rows!(
            tx,
            sqlx::query_as(&format!(
                "DELETE FROM access_tokens \
                 WHERE coalesce(last_used_at, created_at) <= $1 AND idle_warned_days = 1 AND idle_warned_at <= $2 \
                   AND token_id IN \
                 (SELECT token_id FROM access_tokens \
                  WHERE replaced_by IS NULL AND coalesce(last_used_at, created_at) <= $1 \
                    AND idle_warned_days = 1 AND idle_warned_at <= $2 LIMIT $3) {REMOVED}"
            ))
            .bind(idle_since)
            .bind(warned_by)
            .bind(SWEEP_BATCH),
            &revocation
        );
        tx.commit().await?;
        Ok::<_, sqlx::Error>(revoked)
    }
    .await)?;
    if !revoked.is_empty() {
        super::cache::changed();
    }
    revoked.into_iter().map(|row| Ok((token_id(&row.token_id)?, row.owner_id))).collect()
}

/// Forgets rotated tokens whose grace period ended without their successor's use, keeping their
/// records (reason `rotated`, dated at the grace's end); how many.
pub async fn retire_ended(store: &Store, now: OffsetDateTime) -> Result<usize, StoreError> {
    let revocation = Revocation { at: now, by: None, reason: EndReason::Rotated };
    let retired = with_pool!(store, pool => async {
        let mut tx = pool.begin().await?;
        let retired = revoke_rows!(
            tx,
            sqlx::query_as(&format!(
                "DELETE FROM access_tokens WHERE replaced_by IS NOT NULL AND grace_ends_at <= $1 AND token_id IN \
                 (SELECT token_id FROM access_tokens \
                  WHERE replaced_by IS NOT NULL AND grace_ends_at <= $1 LIMIT $2) {REMOVED}"
            ))
            .bind(timestamp::to_millis(now))
            .bind(SWEEP_BATCH),
            &revocation
        )
        .len();
        tx.commit().await?;
        Ok::<_, sqlx::Error>(retired)
    }
    .await)?;
    if retired > 0 {
        super::cache::changed();
    }
    Ok(retired)
}

/// Takes back every warning of revocation for going unused (the workspace's limit changed).
pub async fn clear_idle_warnings(store: &Store) -> Result<(), StoreError> {
    with_pool!(store, pool => sqlx::query(
        "UPDATE access_tokens SET idle_warned_days = NULL, idle_warned_at = NULL WHERE idle_warned_days IS NOT NULL",
    )
    .execute(pool)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// How many of a person's tokens are to be revoked for going unused, and the soonest date, for
/// the warning on their pages.
pub async fn idle_warned(
    store: &Store,
    owner: PersonId,
    limit: i64,
) -> Result<(i64, Option<OffsetDateTime>), StoreError> {
    let (count, first): (i64, Option<i64>) = with_pool!(store, pool => sqlx::query_as(
        "SELECT count(*), min(coalesce(last_used_at, created_at)) FROM access_tokens \
         WHERE owner_id = $1 AND idle_warned_days IS NOT NULL",
    )
    .bind(owner)
    .fetch_one(pool)
    .await)?;
    Ok((count, first.map(|at| timestamp::from_millis(at) + time::Duration::days(limit))))
}

/// A token that stops working soon: when it was created, and when it stops (by its own expiry or
/// the workspace's maximum lifetime, whichever comes first).
pub struct Expiring {
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// The person's tokens that stop working after `now` and by `until`, soonest first; at most
/// `limit` of them. A token being replaced (rotated, in its grace period) is not one: it says so
/// on its row, and its successor is what counts.
pub async fn expiring_soon(
    store: &Store,
    owner: PersonId,
    now: OffsetDateTime,
    until: OffsetDateTime,
    max: MaxLifetime,
    limit: i64,
) -> Result<Vec<Expiring>, StoreError> {
    // Either its own expiry falls in the window (and the maximum has not ended it already), or
    // the maximum ends it in the window (and its own expiry has not come first). Each is a range
    // of an index: owner and expiry, owner and creation.
    let (created_after, created_until) = match max {
        MaxLifetime::Days(days) => {
            let lifetime = time::Duration::days(days);
            (timestamp::to_millis(now - lifetime), timestamp::to_millis(until - lifetime))
        }
        // No maximum: nothing ends by it (an empty range), and nothing has ended by it.
        MaxLifetime::Unlimited => (i64::MIN, i64::MIN),
    };
    let rows: Vec<(i64, Option<i64>)> = with_pool!(store, pool => sqlx::query_as(
        "SELECT created_at, expires_at FROM access_tokens \
         WHERE owner_id = $1 AND replaced_by IS NULL \
           AND ((expires_at > $2 AND expires_at <= $3 AND created_at > $4) \
             OR (created_at > $4 AND created_at <= $5 AND (expires_at IS NULL OR expires_at > $2))) \
         LIMIT $6",
    )
    .bind(owner)
    .bind(timestamp::to_millis(now))
    .bind(timestamp::to_millis(until))
    .bind(created_after)
    .bind(created_until)
    .bind(limit)
    .fetch_all(pool)
    .await)?;
    let mut soon: Vec<Expiring> = rows
        .into_iter()
        .filter_map(|(created_at, expires_at)| {
            let created_at = timestamp::from_millis(created_at);
            let expires_at = max.effective_expiry(created_at, expires_at.map(timestamp::from_millis))?;
            (expires_at > now && expires_at <= until).then_some(Expiring { created_at, expires_at })
        })
        .collect();
    soon.sort_by_key(|token| token.expires_at);
    Ok(soon)
}
