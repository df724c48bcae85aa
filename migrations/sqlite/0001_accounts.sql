-- Accounts and browser sessions. Times are milliseconds since the Unix epoch.
CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    INTEGER NOT NULL
);
-- Usernames are ASCII (see people::Username), so lower() folds every case that matters.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

-- A session is known by the SHA-256 digest of its cookie value: a copy of this table signs nobody in.
CREATE TABLE sessions (
    id_digest  BLOB    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
