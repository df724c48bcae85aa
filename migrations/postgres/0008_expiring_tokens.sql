-- A person's tokens by when they expire, for the warning of tokens that expire within a week
-- (tokens::store::expiring_soon): a range of this index, not a walk over every token they hold.
CREATE INDEX access_tokens_owner_expires ON access_tokens (owner_id, expires_at) WHERE expires_at IS NOT NULL;
