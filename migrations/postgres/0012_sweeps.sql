-- Revoke tokens unused for this many days (see tokens::sweep); -1: never, the default.
ALTER TABLE workspace_settings ADD COLUMN revoke_unused_after_days BIGINT NOT NULL DEFAULT -1;

-- Which warning a token's owner and the webhooks have had, in days before the end (7, then 1), so
-- that each goes out once, whichever instance sends it: before it expires, and before it is
-- revoked for going unused, and when (cleared when it is used again): a token is revoked only a
-- day after its last warning, which came at least 6 days after its first.
ALTER TABLE access_tokens ADD COLUMN expiry_warned_days BIGINT;
ALTER TABLE access_tokens ADD COLUMN idle_warned_days BIGINT;
ALTER TABLE access_tokens ADD COLUMN idle_warned_at BIGINT;

-- Every token by when it expires, and by when it was last used (or made): the sweeps' ranges.
CREATE INDEX access_tokens_expires ON access_tokens (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX access_tokens_idle ON access_tokens (coalesce(last_used_at, created_at));
-- A person's tokens with an inactivity warning out, for the warning on their pages.
CREATE INDEX access_tokens_idle_warned ON access_tokens (owner_id) WHERE idle_warned_days IS NOT NULL;
