-- Accounts and browser sessions. Times are milliseconds since the Unix epoch.
CREATE TABLE users (
    id            BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      TEXT    NOT NULL,
    name          TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT  NOT NULL
);
-- Usernames are ASCII (see people::Username), so lower() folds every case that matters.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

-- A session is known by the SHA-256 digest of its cookie value: a copy of this table signs nobody in.
CREATE TABLE sessions (
    id_digest  BYTEA   PRIMARY KEY,
    user_id    BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);
