-- Sessions also end after a while without use (see auth::session): when each was last seen,
-- written at most once a minute.
ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
-- Sessions open now count as seen now: none ends at the upgrade.
UPDATE sessions SET last_seen_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
