-- Least privilege (see tokens::scopes and tokens::rules::rotate): token scopes, rotation, and
-- accounts that can be disabled.

-- The token's scopes, space-separated (`read_api`, `api`, `admin`). Existing tokens keep exactly the
-- rights they had: `api`, and `api admin` for an admin's.
ALTER TABLE access_tokens ADD COLUMN scopes TEXT NOT NULL DEFAULT 'api';
UPDATE access_tokens SET scopes = 'api admin' WHERE owner_id IN (SELECT id FROM users WHERE is_admin);

-- Rotation: the token a new one replaced; and, on a token replaced with a grace period, its
-- successor and when it stops working at the latest (sooner, at the successor's first use).
ALTER TABLE access_tokens ADD COLUMN replaces TEXT;
ALTER TABLE access_tokens ADD COLUMN replaced_by TEXT;
ALTER TABLE access_tokens ADD COLUMN grace_ends_at INTEGER;
CREATE INDEX access_tokens_replaced_by ON access_tokens (replaced_by) WHERE replaced_by IS NOT NULL;

-- A disabled person cannot sign in, and their tokens are refused until they are enabled again.
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
