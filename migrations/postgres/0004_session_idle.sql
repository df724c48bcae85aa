-- Sessions also end after a while without use (see auth::session): when each was last seen,
-- written at most once a minute.
ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
-- Sessions open now count as seen now: none ends at the upgrade.
UPDATE sessions SET last_seen_at = CAST(EXTRACT(EPOCH FROM now()) * 1000 AS BIGINT);
