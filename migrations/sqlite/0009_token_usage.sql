-- Where and how much each token is used (see tokens::usage), written in the same batches as
-- Last Used. Times are milliseconds since the Unix epoch.

-- The last few client addresses a token was used from (tokens::usage::RECENT_CLIENTS), each with
-- the user agent and the time it was last seen. A flush prunes the older ones.
CREATE TABLE token_clients (
    token_id     TEXT    NOT NULL REFERENCES access_tokens (token_id) ON DELETE CASCADE,
    client_ip    TEXT    NOT NULL,
    user_agent   TEXT    NOT NULL DEFAULT '',
    last_seen_at INTEGER NOT NULL,
    PRIMARY KEY (token_id, client_ip)
);

-- Uses per token and UTC day (days since the Unix epoch), for the last DAILY_USE_DAYS days; a
-- flush prunes the older ones of the tokens it writes.
CREATE TABLE token_daily_uses (
    token_id TEXT    NOT NULL REFERENCES access_tokens (token_id) ON DELETE CASCADE,
    day      INTEGER NOT NULL,
    uses     INTEGER NOT NULL,
    PRIMARY KEY (token_id, day)
);

-- A token's history (tokens::store::history): the events about it, newest first.
CREATE INDEX audit_events_subject_token ON audit_events (subject_token_id, at DESC, id DESC)
    WHERE subject_token_id IS NOT NULL;
