-- The audit trail (see audit::store): append-only, pruned past the workspace's retention. People
-- and tokens are named by id and by their name then, without foreign keys: an event outlives what
-- it is about. Times are milliseconds since the Unix epoch.
CREATE TABLE audit_events (
    id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at                BIGINT NOT NULL,
    kind              TEXT   NOT NULL,
    actor_id          BIGINT,
    actor_username    TEXT,
    -- password, session, token, console or none.
    via               TEXT   NOT NULL,
    via_token_id      TEXT,
    subject_person_id BIGINT,
    subject_username  TEXT,
    subject_token_id  TEXT,
    -- A JSON object; never a secret.
    details           TEXT   NOT NULL DEFAULT '{}',
    client_ip         TEXT,
    user_agent        TEXT
);
-- Newest first, overall and per person (as actor or as subject).
CREATE INDEX audit_events_at ON audit_events (at DESC, id DESC);
CREATE INDEX audit_events_actor ON audit_events (actor_id, at DESC, id DESC);
CREATE INDEX audit_events_subject ON audit_events (subject_person_id, at DESC, id DESC);

-- How long events are kept, in days.
ALTER TABLE workspace_settings ADD COLUMN audit_retention_days BIGINT NOT NULL DEFAULT 365;
