-- What the app tells a person on its pages until they dismiss it (see notifications): a token of
-- theirs reported leaked or revoked by someone else, and, for admins, any token reported leaked.
-- Written in the transaction of what they tell of. Times are milliseconds since the Unix epoch.
CREATE TABLE notifications (
    id         BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person_id  BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- The event's name, as webhooks call it (token.reported_leaked, token.revoked).
    kind       TEXT    NOT NULL,
    message    TEXT    NOT NULL,
    token_id   TEXT,
    created_at BIGINT  NOT NULL,
    read_at    BIGINT
);
CREATE INDEX notifications_unread ON notifications (person_id, id DESC) WHERE read_at IS NULL;
