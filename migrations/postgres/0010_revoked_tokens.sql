-- Revoked tokens are not forgotten (see tokens::store::revoke): when a token is deleted, rotated
-- or reported leaked, its row moves here, without its digest (nothing here authenticates anybody),
-- with when, by whom and why. Kept for the workspace's audit retention, then pruned with the
-- audit trail. Times are milliseconds since the Unix epoch.
CREATE TABLE revoked_tokens (
    token_id            TEXT    PRIMARY KEY,
    owner_id            BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    description         TEXT    NOT NULL,
    scopes              TEXT    NOT NULL,
    created_at          BIGINT  NOT NULL,
    expires_at          BIGINT,
    last_used_at        BIGINT,
    replaces            TEXT,
    revoked_at          BIGINT  NOT NULL,
    -- Who revoked it (their username then); NULL when nobody signed in did.
    revoked_by_id       BIGINT,
    revoked_by_username TEXT,
    -- tokens::EndReason: deleted_by_owner, deleted_by_admin, rotated, reported_leaked.
    reason              TEXT    NOT NULL
);
-- The inactive lists, newest first like the others, per owner and across the workspace; and pruning.
CREATE INDEX revoked_tokens_owner_created ON revoked_tokens (owner_id, created_at DESC, token_id);
CREATE INDEX revoked_tokens_created ON revoked_tokens (created_at DESC, token_id);
CREATE INDEX revoked_tokens_revoked_at ON revoked_tokens (revoked_at);
