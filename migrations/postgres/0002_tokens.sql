-- Access tokens and the workspace's settings. Times are milliseconds since the Unix epoch.

-- A token is known by the SHA-256 digest of its value; the value itself is never stored.
CREATE TABLE access_tokens (
    token_id     TEXT    PRIMARY KEY,
    owner_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    digest       BYTEA   NOT NULL UNIQUE,
    description  TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT  NOT NULL,
    -- NULL: never expires.
    expires_at   BIGINT,
    -- NULL: never used. Written in batches (see tokens::usage).
    last_used_at BIGINT
);
-- Newest first, per owner and across the workspace.
CREATE INDEX access_tokens_owner_created ON access_tokens (owner_id, created_at DESC, token_id);
CREATE INDEX access_tokens_created ON access_tokens (created_at DESC, token_id);

-- One row: the workspace's settings.
CREATE TABLE workspace_settings (
    id                               SMALLINT PRIMARY KEY CHECK (id = 1),
    access_tokens_enabled            BOOLEAN NOT NULL,
    allow_members_to_generate_tokens BOOLEAN NOT NULL,
    -- -1: unlimited.
    max_token_lifetime_days          BIGINT  NOT NULL
);
INSERT INTO workspace_settings VALUES (1, TRUE, FALSE, -1);
