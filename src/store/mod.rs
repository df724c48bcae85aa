//! The database: SQLite (the embedded default) or PostgreSQL, chosen by `DATABASE_URL`.
//!
//! Feature stores (`people::store`, `auth::session`, ...) write their SQL once with `$1`-style
//! parameters, which both dialects accept, and run it on whichever pool is configured through
//! [`with_pool!`]: the body is compiled once per backend, so each query is checked against both
//! drivers' types. Only the schema differs between dialects (`migrations/sqlite`, `migrations/postgres`).

use std::{path::Path, str::FromStr, time::Duration};

use sqlx::{
    PgPool, SqlitePool,
    postgres::PgPoolOptions,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

/// How long a request waits for a connection before the store counts as unavailable (sqlx's
/// default is 30 s, far longer than a REST client or a person waits).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long SQLite waits on another writer's lock before giving up with `database is locked`.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the configured pool, for either backend.
#[macro_export]
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            $crate::store::Store::Sqlite($pool) => $body,
            $crate::store::Store::Postgres($pool) => $body,
        }
    };
}
pub use with_pool;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or did not answer in time: the caller should retry later.
    #[error("the database is unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// A unique constraint refused the write.
    #[error("a row with the same key already exists")]
    Conflict,
    #[error("database error: {0}")]
    Other(#[source] sqlx::Error),
}

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => unavailable(error),
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict,
            // PostgreSQL refusing connections (shutting down, database dropped, too many clients)
            // is an outage, not a bug: SQLSTATE classes 08 (connection), 53 (resources), 57P (operator).
            sqlx::Error::Database(db)
                if db.code().is_some_and(|code| {
                    code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") || code == "3D000"
                }) =>
            {
                unavailable(error)
            }
            _ => StoreError::Other(error),
        }
    }
}

fn unavailable(error: sqlx::Error) -> StoreError {
    metrics::counter!("db_unavailable_total").increment(1);
    StoreError::Unavailable(error)
}

/// The pool's connections now.
pub struct PoolStatus {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

impl Store {
    /// Opens the pool for `url` (`sqlite:path` or `postgres://...`). A SQLite file and its directory
    /// are created when missing.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let pool = PgPoolOptions::new().max_connections(16).acquire_timeout(ACQUIRE_TIMEOUT).connect(url).await?;
            return Ok(Store::Postgres(pool));
        }
        if !url.starts_with("sqlite:") {
            return Err(StoreError::Other(sqlx::Error::Configuration(
                format!("DATABASE_URL must start with sqlite: or postgres://, not {:?}", redact(url)).into(),
            )));
        }
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            // WAL lets readers go on while one connection writes; NORMAL sync is durable in WAL mode
            // except for the last transactions before a power loss.
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(SQLITE_BUSY_TIMEOUT)
            .foreign_keys(true);
        if let Some(dir) = Path::new(options.get_filename()).parent()
            && !dir.as_os_str().is_empty()
        {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Other(sqlx::Error::Io(e)))?;
        }
        let pool =
            SqlitePoolOptions::new().max_connections(8).acquire_timeout(ACQUIRE_TIMEOUT).connect_with(options).await?;
        Ok(Store::Sqlite(pool))
    }

    /// Applies the migrations of this store's dialect. On PostgreSQL sqlx holds an advisory lock
    /// meanwhile, so several instances starting at once migrate one at a time.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Store::Sqlite(pool) => sqlx::migrate!("migrations/sqlite").run(pool).await,
            Store::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await,
        }
    }

    /// Answers whether the database takes a query now.
    pub async fn ping(&self) -> Result<(), StoreError> {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))?;
        Ok(())
    }

    pub fn pool_status(&self) -> PoolStatus {
        with_pool!(self, pool => PoolStatus {
            open: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        })
    }

    pub fn dialect(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// Whether `other` is this store (a clone of the same pool), not just one like it.
    pub fn same_as(&self, other: &Store) -> bool {
        match (self, other) {
            (Store::Sqlite(a), Store::Sqlite(b)) => std::sync::Arc::ptr_eq(&a.connect_options(), &b.connect_options()),
            (Store::Postgres(a), Store::Postgres(b)) => {
                std::sync::Arc::ptr_eq(&a.connect_options(), &b.connect_options())
            }
            _ => false,
        }
    }

    /// Closes every connection; afterwards each call answers [`StoreError::Unavailable`].
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await)
    }
}

/// The URL without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Milliseconds since the Unix epoch, the unit every table stores times in.
pub fn now_millis() -> i64 {
    crate::timestamp::to_millis(time::OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(redact("postgres://app:s3cret@db:5432/tokens"), "postgres://app:***@db:5432/tokens");
        assert_eq!(redact("postgres://app@db/tokens"), "postgres://app@db/tokens");
        assert_eq!(redact("sqlite:data/access-tokens.db"), "sqlite:data/access-tokens.db");
    }
}
